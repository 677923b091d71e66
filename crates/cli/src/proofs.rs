//! Inclusion and consistency proofs from the command line, in a JSON shape that
//! `tools/verify_proof.py` (standard library plus `cryptography`) checks independently.

use crate::storage::{journal_key, StorageArgs};
use anyhow::{anyhow, bail, Context, Result};
use augury_journal::checkpoint::{load_checkpoints, Checkpoint};
use augury_journal::{hex, merkle, read_entry, read_leaves, unhex};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Serialize, Deserialize)]
pub struct InclusionBundle {
    pub index: u64,
    pub payload_hex: String,
    pub leaf_hash_hex: String,
    pub checkpoint: Checkpoint,
    pub inclusion_proof_hex: Vec<String>,
}

#[derive(Serialize, Deserialize)]
pub struct ConsistencyBundle {
    pub old: Checkpoint,
    pub new: Checkpoint,
    pub consistency_proof_hex: Vec<String>,
}

fn hashes(proof: &[merkle::Hash]) -> Vec<String> {
    proof.iter().map(|h| hex(h)).collect()
}

fn unhashes(proof: &[String]) -> Result<Vec<merkle::Hash>> {
    proof.iter().map(|h| unhex(h).and_then(|b| b.try_into().ok()).ok_or_else(|| anyhow!("bad hash {h}"))).collect()
}

/// An inclusion proof of entry `index` against the newest checkpoint that covers it.
pub fn prove(storage: &StorageArgs, index: u64) -> Result<InclusionBundle> {
    let journal_dir = storage.data_dir.join("journal");
    let checkpoint = load_checkpoints(&journal_dir)?
        .into_iter()
        .rev()
        .find(|c| c.size > index)
        .ok_or_else(|| anyhow!("no signed checkpoint covers entry {index} yet"))?;
    let payload = read_entry(&journal_dir, journal_key(storage)?.as_ref(), index)?;
    let leaves = read_leaves(&journal_dir, checkpoint.size)?;
    Ok(InclusionBundle {
        index,
        payload_hex: hex(&payload),
        leaf_hash_hex: hex(&merkle::leaf_hash(index, &payload)),
        inclusion_proof_hex: hashes(&merkle::inclusion_proof(index, &leaves)),
        checkpoint,
    })
}

/// A consistency proof between the checkpoint of size `old` and the newest one.
pub fn consistency(storage: &StorageArgs, old: u64) -> Result<ConsistencyBundle> {
    let journal_dir = storage.data_dir.join("journal");
    let checkpoints = load_checkpoints(&journal_dir)?;
    let old_checkpoint = checkpoints.iter().find(|c| c.size == old).cloned().ok_or_else(|| {
        let below = checkpoints.iter().rev().find(|c| c.size < old).map(|c| c.size.to_string());
        let above = checkpoints.iter().find(|c| c.size > old).map(|c| c.size.to_string());
        anyhow!(
            "no signed checkpoint has size {old} (a consistency proof runs between two signed checkpoints); \
             the nearest sizes are {} and {}",
            below.as_deref().unwrap_or("none below"),
            above.as_deref().unwrap_or("none above")
        )
    })?;
    let new = checkpoints.last().cloned().ok_or_else(|| anyhow!("no checkpoints"))?;
    let leaves = read_leaves(&journal_dir, new.size)?;
    Ok(ConsistencyBundle {
        consistency_proof_hex: hashes(&merkle::consistency_proof(old, &leaves)),
        old: old_checkpoint,
        new,
    })
}

fn trusted_key(public_key: &str) -> Result<ed25519_dalek::VerifyingKey> {
    let text = if Path::new(public_key).exists() {
        std::fs::read_to_string(public_key).with_context(|| format!("reading {public_key}"))?
    } else {
        public_key.to_string()
    };
    let bytes: [u8; 32] =
        unhex(&text).and_then(|b| b.try_into().ok()).ok_or_else(|| anyhow!("a public key is 64 hex characters"))?;
    Ok(ed25519_dalek::VerifyingKey::from_bytes(&bytes)?)
}

/// Checks a bundle (inclusion or consistency) against a public key the user trusts.
pub fn verify_bundle(file: &Path, public_key: &str) -> Result<String> {
    let key = trusted_key(public_key)?;
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    if let Ok(bundle) = serde_json::from_str::<InclusionBundle>(&text) {
        if !bundle.checkpoint.verify(&key) {
            bail!("the checkpoint is not signed by that key");
        }
        let payload = unhex(&bundle.payload_hex).ok_or_else(|| anyhow!("bad payload hex"))?;
        let leaf = merkle::leaf_hash(bundle.index, &payload);
        let root = bundle.checkpoint.root().ok_or_else(|| anyhow!("bad root"))?;
        let proof = unhashes(&bundle.inclusion_proof_hex)?;
        if !merkle::verify_inclusion(bundle.index, bundle.checkpoint.size, &leaf, &proof, &root) {
            bail!("entry {} is NOT in the log of size {}", bundle.index, bundle.checkpoint.size);
        }
        return Ok(format!("OK: entry {} is in the signed log of size {}", bundle.index, bundle.checkpoint.size));
    }
    let bundle: ConsistencyBundle =
        serde_json::from_str(&text).context("neither an inclusion nor a consistency bundle")?;
    if !bundle.old.verify(&key) || !bundle.new.verify(&key) {
        bail!("a checkpoint is not signed by that key");
    }
    let (old_root, new_root) =
        (bundle.old.root().ok_or_else(|| anyhow!("bad root"))?, bundle.new.root().ok_or_else(|| anyhow!("bad root"))?);
    let proof = unhashes(&bundle.consistency_proof_hex)?;
    if !merkle::verify_consistency(bundle.old.size, bundle.new.size, &old_root, &new_root, &proof) {
        bail!("the log of size {} is NOT an extension of the log of size {}", bundle.new.size, bundle.old.size);
    }
    Ok(format!("OK: the signed log of size {} extends the one of size {}", bundle.new.size, bundle.old.size))
}
