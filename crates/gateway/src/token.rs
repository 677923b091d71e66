//! API key tokens: `aug_<key id, 16 hex>_<secret, 64 hex>_<check, 8 hex>`.
//!
//! The prefix lets secret scanners find leaked tokens; the CRC32C check catches a mistyped or
//! truncated token before any lookup; the secret is 256 random bits, so storing its SHA-256 (not
//! a slow password hash) is enough: there is nothing to guess.

use sha2::{Digest, Sha256};

pub const PREFIX: &str = "aug_";

/// A token, parsed: the key it names and the secret's hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedToken {
    pub key: u64,
    pub secret_sha256: [u8; 32],
}

/// A fresh key id and token, from the operating system's random source.
pub fn generate() -> Result<(u64, String, [u8; 32]), getrandom::Error> {
    let mut bytes = [0u8; 40];
    getrandom::getrandom(&mut bytes)?;
    let key = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) >> 1;
    let secret: [u8; 32] = bytes[8..].try_into().expect("32 bytes");
    let token = format_token(key, &secret);
    Ok((key, token, Sha256::digest(secret).into()))
}

/// The prefix of an enrollment code: `augenroll_<160 random bits, 40 hex>`.
pub const ENROLLMENT_PREFIX: &str = "augenroll_";

/// A fresh one-time enrollment code (160 random bits) and the SHA-256 the venue stores.
pub fn generate_enrollment_code() -> Result<(String, [u8; 32]), getrandom::Error> {
    let mut bytes = [0u8; 20];
    getrandom::getrandom(&mut bytes)?;
    let code = format!("{ENROLLMENT_PREFIX}{}", hex(&bytes));
    let sha256 = enrollment_code_sha256(&code);
    Ok((code, sha256))
}

/// The hash an enrollment code is stored and looked up by: SHA-256 of the code as text, with
/// surrounding whitespace dropped and letters in lower case (so a pasted code matches).
pub fn enrollment_code_sha256(code: &str) -> [u8; 32] {
    Sha256::digest(code.trim().to_ascii_lowercase().as_bytes()).into()
}

fn format_token(key: u64, secret: &[u8; 32]) -> String {
    let body = format!("{PREFIX}{key:016x}_{}", hex(secret));
    let check = crc32c::crc32c(body.as_bytes());
    format!("{body}_{check:08x}")
}

pub fn parse(token: &str) -> Result<ParsedToken, &'static str> {
    let rest = token.strip_prefix(PREFIX).ok_or("an API token starts with aug_")?;
    let parts: Vec<&str> = rest.split('_').collect();
    let [key, secret, check] = parts[..] else { return Err("an API token has the form aug_<key>_<secret>_<check>") };
    if key.len() != 16 || secret.len() != 64 || check.len() != 8 {
        return Err("an API token has the form aug_<16 hex>_<64 hex>_<8 hex>");
    }
    let body = &token[..token.len() - 9];
    let expected = u32::from_str_radix(check, 16).map_err(|_| "the token's check is not hex")?;
    if crc32c::crc32c(body.as_bytes()) != expected {
        return Err("the token's check does not match: it was mistyped or cut short");
    }
    let key = u64::from_str_radix(key, 16).map_err(|_| "the token's key id is not hex")?;
    let secret = unhex(secret).ok_or("the token's secret is not hex")?;
    Ok(ParsedToken { key, secret_sha256: Sha256::digest(secret).into() })
}

pub use augury_journal::{hex, unhex};

/// Key ids appear in headers and URLs as 16 hex digits.
pub fn format_key_id(key: u64) -> String {
    format!("{key:016x}")
}

pub fn parse_key_id(text: &str) -> Option<u64> {
    (text.len() == 16).then(|| u64::from_str_radix(text, 16).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_catch_typos() {
        let (key, token, hash) = generate().unwrap();
        assert!(token.starts_with("aug_"));
        assert_eq!(parse(&token), Ok(ParsedToken { key, secret_sha256: hash }));
        let mut typo = token.clone().into_bytes();
        let at = 30;
        typo[at] = if typo[at] == b'a' { b'b' } else { b'a' };
        assert!(parse(std::str::from_utf8(&typo).unwrap()).is_err());
        assert!(parse(&token[..token.len() - 1]).is_err());
        assert!(parse("aug_nothing").is_err());
    }
}
