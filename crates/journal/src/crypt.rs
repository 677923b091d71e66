//! Encryption at rest: each payload sealed with XChaCha20-Poly1305 under the journal key, with a
//! fresh random 192-bit nonce (random nonces are safe at this size, and unlike counters they stay
//! unique when a torn tail is truncated and its index written again) and the entry index as
//! associated data, so a sealed payload cannot be moved to another position.

use crate::JournalError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const NONCE_LEN: usize = 24;
pub const TAG_LEN: usize = 16;
/// The environment variable a key can come from (64 hex characters).
pub const KEY_ENV: &str = "AUGURY_JOURNAL_KEY";

/// A 256-bit journal key. Its Debug form never shows the key.
#[derive(Clone)]
pub struct EncryptionKey {
    bytes: [u8; 32],
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EncryptionKey(check {})", crate::hex(&self.key_check()))
    }
}

/// Where a key was found, for messages (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    File(PathBuf),
    Environment,
}

impl EncryptionKey {
    pub fn from_bytes(bytes: [u8; 32]) -> EncryptionKey {
        EncryptionKey { bytes, cipher: XChaCha20Poly1305::new(&bytes.into()) }
    }

    /// Parses 64 hex characters (surrounding white space allowed).
    pub fn from_hex(text: &str) -> Option<EncryptionKey> {
        let bytes: [u8; 32] = crate::unhex(text)?.try_into().ok()?;
        Some(EncryptionKey::from_bytes(bytes))
    }

    /// A new random key.
    pub fn generate() -> Result<EncryptionKey, JournalError> {
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes)
            .map_err(|e| JournalError::Invalid(format!("no randomness for a new key: {e}")))?;
        Ok(EncryptionKey::from_bytes(bytes))
    }

    pub fn to_hex(&self) -> String {
        crate::hex(&self.bytes)
    }

    /// The key from a file if one is named, else from `AUGURY_JOURNAL_KEY` if set, else none.
    pub fn load(file: Option<&Path>) -> Result<Option<(EncryptionKey, KeySource)>, JournalError> {
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| JournalError::io(path, e))?;
            let key = EncryptionKey::from_hex(&text).ok_or_else(|| {
                JournalError::Invalid(format!("{} must hold a 256-bit key as 64 hex characters", path.display()))
            })?;
            return Ok(Some((key, KeySource::File(path.to_path_buf()))));
        }
        match std::env::var(KEY_ENV) {
            Ok(text) => {
                let key = EncryptionKey::from_hex(&text).ok_or_else(|| {
                    JournalError::Invalid(format!("{KEY_ENV} must hold a 256-bit key as 64 hex characters"))
                })?;
                Ok(Some((key, KeySource::Environment)))
            }
            Err(_) => Ok(None),
        }
    }

    /// A short fingerprint stored in segment headers, so a wrong key is named as such at once.
    pub fn key_check(&self) -> [u8; 8] {
        let mut h = Sha256::new();
        h.update(b"augury-key-check");
        h.update(self.bytes);
        h.finalize()[..8].try_into().expect("8 bytes")
    }

    /// Appends `nonce || ciphertext || tag` of `plaintext` to `out`.
    pub fn seal(&self, index: u64, plaintext: &[u8], out: &mut Vec<u8>) -> Result<(), JournalError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::getrandom(&mut nonce)
            .map_err(|e| JournalError::Invalid(format!("no randomness for a nonce: {e}")))?;
        let aad = index.to_le_bytes();
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: &aad })
            .map_err(|_| JournalError::Invalid("encryption failed".into()))?;
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(())
    }

    /// Opens a sealed payload; `None` if it was altered or sealed under another key or index.
    pub fn open(&self, index: u64, stored: &[u8]) -> Option<Vec<u8>> {
        if stored.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, sealed) = stored.split_at(NONCE_LEN);
        let aad = index.to_le_bytes();
        self.cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: &aad }).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_payloads_open_only_with_the_key_and_index() {
        let key = EncryptionKey::generate().unwrap();
        let mut stored = Vec::new();
        key.seal(7, b"order 42", &mut stored).unwrap();
        assert_eq!(key.open(7, &stored).as_deref(), Some(&b"order 42"[..]));
        assert_eq!(key.open(8, &stored), None, "moved to another index");
        let other = EncryptionKey::generate().unwrap();
        assert_eq!(other.open(7, &stored), None, "another key");
        stored[30] ^= 1;
        assert_eq!(key.open(7, &stored), None, "altered");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = EncryptionKey::from_hex(&"ab".repeat(32)).unwrap();
        assert!(!format!("{key:?}").contains("abab"));
    }
}
