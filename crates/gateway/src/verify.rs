//! Ed25519 request signatures verified in batches, off the request tasks.
//!
//! Verifying one signature strictly costs about 38 us; a batch of 8 to 16 costs 15 to 20 us per
//! signature on the same machine (one multiscalar multiplication for the whole batch). Requests
//! hand their signature to a verifier thread and wait for the verdict; the thread takes whatever
//! is queued (up to [`BATCH_MAX`]) at once, so batches grow with the load by themselves: a lone
//! request is verified on its own at once, a burst is verified together.
//!
//! Verdicts are those of `verify_strict` with one documented exception:
//! - A signature whose `R` is a small-order point, or not canonically encoded, and any signature
//!   by a key that is of small order or has a torsion component, is never batched: it is verified
//!   alone with `verify_strict` (which refuses the first three). Keys are classified once, when
//!   they are loaded.
//! - A batch that fails is verified again signature by signature with `verify_strict`, so one bad
//!   signature costs its batch a second pass, never a wrong verdict for the others.
//! - The exception: the batch equation ignores a torsion component of `R` with some probability
//!   (`R` = a valid `R` plus a point of order 2, 4 or 8), which `verify_strict` refuses. Making such
//!   a signature needs a valid signature over that exact message (the key, or a captured request
//!   with its nonce), so it forges nothing and replays nothing: the nonce is still spent once.
//!   Signatures are never used as identifiers here, so this malleability is harmless.

use ed25519_dalek::{Signature, VerifyingKey};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};

/// Most signatures verified together (measured: the cost per signature is lowest from 8 to 16
/// and rises again beyond 32).
pub const BATCH_MAX: usize = 16;

/// A public key with what batching needs to know about it.
#[derive(Clone, Copy, Debug)]
pub struct PublicKey {
    pub key: VerifyingKey,
    /// Neither of small order nor with a torsion component: its signatures may be batched.
    pub batchable: bool,
}

impl PublicKey {
    /// Classifies a key (one scalar multiplication: do it once per key, not per request).
    pub fn new(key: VerifyingKey) -> PublicKey {
        let point = key.to_edwards();
        PublicKey { key, batchable: !point.is_small_order() && point.is_torsion_free() }
    }
}

/// Checks an Ed25519 public key before it is registered (by `POST /v1/keys` and by
/// `augury keys create`, so both accept exactly the same keys), refusing every key that no
/// RFC 8032 signer can have, with the reason:
/// - not a point on the curve;
/// - not canonically encoded (y at or above 2^255 - 19, or x = 0 with the sign bit set): a signer
///   hashes its canonical encoding, so signatures would be checked against other bytes;
/// - of small order (such as the identity, 01 then zeros, or all zeros): `verify_strict` refuses
///   every signature by it, and the plain equation would accept forgeries;
/// - with a torsion component: a real key is a multiple of the base point, so no secret gives it.
///
/// The venue itself stores whatever 32 bytes it is given, so keys registered before this check
/// existed stay as they are (a replay must reproduce them); `verify_strict` refuses every
/// signature by one of small order.
pub fn check_ed25519_public_key(bytes: &[u8; 32]) -> Result<VerifyingKey, String> {
    let point = curve25519_dalek::edwards::CompressedEdwardsY(*bytes)
        .decompress()
        .ok_or("the Ed25519 public key is not a point on the curve")?;
    if point.compress().to_bytes() != *bytes {
        return Err("the Ed25519 public key is not canonically encoded (its y is not reduced below \
                    2^255 - 19, or x = 0 carries a sign bit)"
            .into());
    }
    if point.is_small_order() {
        return Err("the Ed25519 public key is a point of small order: nothing it signs can be verified".into());
    }
    if !point.is_torsion_free() {
        return Err("the Ed25519 public key has a torsion component: no Ed25519 secret key gives it".into());
    }
    VerifyingKey::from_bytes(bytes).map_err(|e| format!("the Ed25519 public key is refused: {e}"))
}

/// Parses an Ed25519 public key given as 64 hex characters and checks it with
/// [`check_ed25519_public_key`].
pub fn parse_ed25519_public_key(hex: &str) -> Result<[u8; 32], String> {
    let bytes: [u8; 32] = crate::token::unhex(hex)
        .and_then(|b| b.try_into().ok())
        .ok_or("an Ed25519 public key is 64 hex characters (32 bytes)")?;
    check_ed25519_public_key(&bytes)?;
    Ok(bytes)
}

/// One signature to check.
pub struct Item<'a> {
    pub key: PublicKey,
    pub message: &'a [u8],
    pub signature: Signature,
}

/// Encodings of the small-order points (the eight torsion points, each also with the sign bit
/// flipped, which decodes to the same point when x = 0).
fn small_order_encodings() -> &'static [[u8; 32]; 16] {
    static ENCODINGS: std::sync::OnceLock<[[u8; 32]; 16]> = std::sync::OnceLock::new();
    ENCODINGS.get_or_init(|| {
        let mut all = [[0u8; 32]; 16];
        for (n, point) in curve25519_dalek::constants::EIGHT_TORSION.iter().enumerate() {
            let bytes = point.compress().to_bytes();
            all[2 * n] = bytes;
            all[2 * n + 1] = bytes;
            all[2 * n + 1][31] ^= 0x80;
        }
        all
    })
}

/// Whether `R` may go into a batch: canonically encoded (y < 2^255 - 19) and not of small order.
/// `verify_strict` refuses every other `R`, and the batch equation would not.
fn batchable_r(r: &[u8; 32]) -> bool {
    let y_at_least_p = r[31] & 0x7f == 0x7f && r[1..31].iter().all(|&b| b == 0xff) && r[0] >= 0xed;
    !y_at_least_p && !small_order_encodings().contains(r)
}

fn strict(item: &Item<'_>) -> bool {
    item.key.key.verify_strict(item.message, &item.signature).is_ok()
}

/// The verdict for each item, in order.
pub fn verify_all(items: &[Item<'_>]) -> Vec<bool> {
    let mut verdicts = vec![false; items.len()];
    let mut batch = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        if item.key.batchable && batchable_r(item.signature.r_bytes()) {
            batch.push(n);
        } else {
            verdicts[n] = strict(item);
        }
    }
    if batch.len() == 1 {
        verdicts[batch[0]] = strict(&items[batch[0]]);
    } else if batch.len() > 1 {
        let messages: Vec<&[u8]> = batch.iter().map(|&n| items[n].message).collect();
        let signatures: Vec<Signature> = batch.iter().map(|&n| items[n].signature).collect();
        let keys: Vec<VerifyingKey> = batch.iter().map(|&n| items[n].key.key).collect();
        let all_good = ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok();
        for &n in &batch {
            verdicts[n] = all_good || strict(&items[n]);
        }
    }
    verdicts
}

struct Job {
    key: PublicKey,
    message: Vec<u8>,
    signature: Signature,
    answer: tokio::sync::oneshot::Sender<bool>,
}

/// The verifier threads; they stop when this is dropped.
pub struct BatchVerifier {
    jobs: Option<Sender<Job>>,
}

impl BatchVerifier {
    /// Starts `threads` verifier threads; with none, [`BatchVerifier::verify`] verifies on the
    /// caller's task.
    pub fn start(threads: usize) -> BatchVerifier {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads {
            let queue = Arc::clone(&queue);
            let started = std::thread::Builder::new().name(format!("augury-verify-{n}")).spawn(move || run(&queue));
            if let Err(error) = started {
                // Without a thread, requests are verified on their own task (see `verify`).
                tracing::error!(%error, "cannot start a signature verifier thread");
            }
        }
        BatchVerifier { jobs: Some(jobs) }
    }

    /// Verifies one signature, batched with whatever else is waiting.
    pub async fn verify(&self, key: PublicKey, message: Vec<u8>, signature: Signature) -> bool {
        let (answer, verdict) = tokio::sync::oneshot::channel();
        let sent = match &self.jobs {
            Some(jobs) => jobs.send(Job { key, message, signature, answer }).err(),
            None => Some(mpsc::SendError(Job { key, message, signature, answer })),
        };
        match sent {
            // A verifier that died holding the job (a panic) gives no verdict: refuse, never accept.
            None => verdict.await.unwrap_or(false),
            Some(mpsc::SendError(job)) => key.key.verify_strict(&job.message, &job.signature).is_ok(),
        }
    }
}

impl Drop for BatchVerifier {
    fn drop(&mut self) {
        // Closing the queue ends the threads once they finish what they hold.
        self.jobs.take();
    }
}

fn run(queue: &Mutex<Receiver<Job>>) {
    let mut jobs: Vec<Job> = Vec::with_capacity(BATCH_MAX);
    loop {
        {
            let queue = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match queue.recv() {
                Ok(job) => jobs.push(job),
                Err(_) => return,
            }
            while jobs.len() < BATCH_MAX {
                match queue.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
            }
        }
        let items: Vec<Item<'_>> =
            jobs.iter().map(|j| Item { key: j.key, message: &j.message, signature: j.signature }).collect();
        let verdicts = verify_all(&items);
        drop(items);
        for (job, verdict) in jobs.drain(..).zip(verdicts) {
            let _ = job.answer.send(verdict);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn key(seed: u8) -> (SigningKey, PublicKey) {
        let signing = SigningKey::from_bytes(&[seed; 32]);
        let public = PublicKey::new(signing.verifying_key());
        (signing, public)
    }

    #[test]
    fn batches_agree_with_strict_verification() {
        let messages: Vec<Vec<u8>> = (0..12).map(|n| format!("message {n}").into_bytes()).collect();
        let keys: Vec<_> = (1..=12).map(key).collect();
        assert!(keys.iter().all(|(_, p)| p.batchable));
        let mut signatures: Vec<Signature> = keys.iter().zip(&messages).map(|((s, _), m)| s.sign(m)).collect();
        let items = |signatures: &[Signature]| -> Vec<bool> {
            let items: Vec<Item<'_>> =
                (0..12).map(|n| Item { key: keys[n].1, message: &messages[n], signature: signatures[n] }).collect();
            verify_all(&items)
        };
        assert_eq!(items(&signatures), vec![true; 12]);
        // A signature over another message, one with a flipped bit in S, and one whose R is the
        // identity (small order) are refused; the others in the same batch still pass.
        signatures[3] = keys[3].0.sign(b"something else");
        let mut bytes = signatures[5].to_bytes();
        bytes[40] ^= 1;
        signatures[5] = Signature::from_bytes(&bytes);
        let mut bytes = signatures[8].to_bytes();
        bytes[..32].copy_from_slice(&small_order_encodings()[2]);
        signatures[8] = Signature::from_bytes(&bytes);
        let verdicts = items(&signatures);
        for (n, verdict) in verdicts.iter().enumerate() {
            assert_eq!(*verdict, ![3, 5, 8].contains(&n), "signature {n}");
            let strict = keys[n].1.key.verify_strict(&messages[n], &signatures[n]).is_ok();
            assert_eq!(*verdict, strict, "signature {n} agrees with verify_strict");
        }
    }

    #[test]
    fn small_order_and_non_canonical_r_are_never_batched() {
        for encoding in small_order_encodings() {
            assert!(!batchable_r(encoding));
            let point = curve25519_dalek::edwards::CompressedEdwardsY(*encoding).decompress().unwrap();
            assert!(point.is_small_order());
        }
        let mut p_itself = [0xff; 32];
        p_itself[0] = 0xed;
        p_itself[31] = 0x7f;
        assert!(!batchable_r(&p_itself));
        let (signing, _) = key(9);
        assert!(batchable_r(signing.sign(b"m").r_bytes()));
    }

    #[test]
    fn keys_that_can_never_sign_are_refused_at_registration() {
        // Every encoding of a small-order point, sign bit flipped or not.
        for encoding in small_order_encodings() {
            let refused = check_ed25519_public_key(encoding).unwrap_err();
            assert!(refused.contains("small order") || refused.contains("canonical"), "{refused}");
        }
        // Every y from p to 2^255 - 1 (p = 2^255 - 19), with either sign: never canonical.
        for extra in 0..19u8 {
            for sign in [0, 0x80] {
                let mut bytes = [0xff; 32];
                bytes[0] = 0xed + extra;
                bytes[31] = 0x7f | sign;
                if let Err(refused) = check_ed25519_public_key(&bytes) {
                    assert!(refused.contains("canonical") || refused.contains("curve"), "{refused}");
                } else {
                    panic!("{bytes:?} was accepted");
                }
            }
        }
        // A real key passes; plus a point of order 8, it is refused.
        let (_, public) = key(11);
        assert_eq!(check_ed25519_public_key(&public.key.to_bytes()), Ok(public.key));
        let mixed = (public.key.to_edwards() + curve25519_dalek::constants::EIGHT_TORSION[1]).compress();
        assert!(check_ed25519_public_key(&mixed.to_bytes()).unwrap_err().contains("torsion"));
        // A y with no x on the curve (y = 2).
        let mut off_curve = [0u8; 32];
        off_curve[0] = 2;
        assert!(check_ed25519_public_key(&off_curve).unwrap_err().contains("not a point"));
        assert!(parse_ed25519_public_key("00").unwrap_err().contains("64 hex"));
        assert_eq!(parse_ed25519_public_key(&crate::token::hex(&public.key.to_bytes())), Ok(public.key.to_bytes()));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_verifier_threads_answer_every_request() {
        let verifier = Arc::new(BatchVerifier::start(1));
        let (signing, public) = key(3);
        let tasks: Vec<_> = (0..64)
            .map(|n| {
                let verifier = Arc::clone(&verifier);
                let message = format!("request {n}").into_bytes();
                let signature = if n % 7 == 0 { signing.sign(b"forged") } else { signing.sign(&message) };
                tokio::spawn(async move { (n, verifier.verify(public, message, signature).await) })
            })
            .collect();
        for task in tasks {
            let (n, verdict) = task.await.unwrap();
            assert_eq!(verdict, n % 7 != 0, "request {n}");
        }
    }
}
