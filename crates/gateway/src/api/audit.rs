//! Proofs a client can check by itself: the journal's latest signed checkpoint, and for one of the
//! caller's fills, the journal entry that holds it with an inclusion proof against a signed
//! checkpoint (RFC 6962 hashing, as `augury journal prove` gives and `tools/verify_proof.py` and
//! the web app check). Files are read off the async runtime; the sequencer is never involved.

use super::{internal, parse_id, ApiResult, Routes, Shared};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{NoQuery, ReadCall};
use crate::history::FillRecord;
use augury_core::TradeId;
use augury_journal::checkpoint::{load_checkpoints, Checkpoint};
use augury_journal::{hex, merkle, read_committed_entry, read_leaves, EncryptionKey};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use std::path::PathBuf;
use utoipa::ToSchema;
use utoipa_axum::routes;

/// Where the journal is, its key and the checkpoint-signing public key.
pub struct JournalFiles {
    pub dir: PathBuf,
    pub key: Option<EncryptionKey>,
    pub public_key: Option<[u8; 32]>,
}

pub(super) fn routes() -> Routes {
    Routes::new().routes(routes!(latest_checkpoint)).routes(routes!(fill_proof))
}

/// A signed checkpoint as served: its fields and the exact text that was signed.
#[derive(Serialize, ToSchema)]
pub(crate) struct CheckpointView {
    /// Entries the journal held when it was signed.
    size: u64,
    /// The Merkle root of those entries, hex.
    root_hex: String,
    timestamp_ms: u64,
    /// The Ed25519 public key that signed it, hex.
    public_key_hex: String,
    /// The signature, base64, over `signed_text`.
    signature_b64: String,
    /// `augury-journal-checkpoint/v1\nSIZE\nROOT\nTIMESTAMP\n`.
    signed_text: String,
}

impl From<&Checkpoint> for CheckpointView {
    fn from(c: &Checkpoint) -> CheckpointView {
        CheckpointView {
            size: c.size,
            root_hex: c.root_hex.clone(),
            timestamp_ms: c.timestamp_ms,
            public_key_hex: c.public_key_hex.clone(),
            signature_b64: c.signature_b64.clone(),
            signed_text: c.body(),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct LatestCheckpoint {
    /// The venue's checkpoint-signing key (hex); compare it with the one the operator publishes.
    venue_public_key_hex: Option<String>,
    checkpoint: Option<CheckpointView>,
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|_| internal("a journal read panicked"))?
}

/// The journal's latest signed checkpoint (public).
#[utoipa::path(get, path = "/v1/audit/checkpoint", tag = "audit",
    responses((status = 200, body = LatestCheckpoint)))]
async fn latest_checkpoint(_: NoQuery, State(state): Shared) -> ApiResult<LatestCheckpoint> {
    let dir = state.audit.dir.clone();
    let checkpoints = blocking(move || {
        load_checkpoints(&dir).map_err(|e| {
            tracing::error!(error = %e, "reading the checkpoints");
            internal("the checkpoints could not be read")
        })
    })
    .await?;
    Ok(Json(LatestCheckpoint {
        venue_public_key_hex: state.audit.public_key.map(|k| hex(&k)),
        checkpoint: checkpoints.last().map(CheckpointView::from),
    }))
}

#[derive(Serialize, ToSchema)]
struct FillProof {
    /// The caller's fill, as `GET /v1/portfolio/fills` shows it.
    fill: FillRecord,
    /// The journal entry that holds it (`fill.journal_entry`).
    index: u64,
    /// The entry's payload (the journaled command and its events, decrypted), hex.
    payload_hex: String,
    /// `SHA-256(0x00 || index as 8 bytes little-endian || payload)`, hex.
    leaf_hash_hex: String,
    /// The audit path from the leaf to the checkpoint's root (RFC 6962), hex, bottom up.
    inclusion_proof_hex: Vec<String>,
    /// The newest signed checkpoint (it covers the entry): the root a client most likely holds.
    checkpoint: CheckpointView,
    venue_public_key_hex: Option<String>,
}

/// The inclusion proof of one of the caller's fills: its journal entry and the path to a signed
/// checkpoint's root. A fill newer than the last checkpoint (they are signed every second) is 409
/// `not_checkpointed_yet` with `Retry-After`.
#[utoipa::path(get, path = "/v1/audit/fills/{trade}/proof", tag = "audit",
    params(("trade" = u64, Path, description = "The fill's trade id")),
    security(("signed" = []), ("bearer" = [])),
    responses((status = 200, body = FillProof), (status = 404, body = ErrorBody)))]
async fn fill_proof(
    _: NoQuery,
    State(state): Shared,
    Path(trade): Path<String>,
    call: ReadCall,
) -> ApiResult<FillProof> {
    let trade: TradeId = parse_id(&trade, "trade id")?;
    let fill = state.history().fill(call.key.account, trade).cloned();
    let fill =
        fill.ok_or_else(|| ApiError::not_found("unknown_fill", format!("the account has no fill in trade {trade}")))?;
    let index = fill.journal_entry;
    let dir = state.audit.dir.clone();
    let key = state.audit.key.clone();
    let (payload, checkpoint, proof) = blocking(move || {
        let read_error = |e: augury_journal::JournalError| {
            tracing::error!(error = %e, "reading the journal for a proof");
            internal("the journal could not be read")
        };
        let checkpoint =
            load_checkpoints(&dir).map_err(read_error)?.pop().filter(|c| c.size > index).ok_or_else(|| {
                ApiError::new(
                    StatusCode::CONFLICT,
                    "not_checkpointed_yet",
                    format!("no signed checkpoint covers journal entry {index} yet; one is signed every second"),
                )
                .with_retry_after(1)
            })?;
        let leaves = read_leaves(&dir, checkpoint.size).map_err(read_error)?;
        let payload = read_committed_entry(&dir, key.as_ref(), index).map_err(read_error)?;
        // The payload must be the leaf the tree holds; otherwise the files disagree.
        if merkle::leaf_hash(index, &payload) != leaves[index as usize] {
            return Err(internal("a journal entry does not match its leaf hash"));
        }
        let proof = merkle::inclusion_proof(index, &leaves);
        Ok((payload, checkpoint, proof))
    })
    .await?;
    Ok(Json(FillProof {
        leaf_hash_hex: hex(&merkle::leaf_hash(index, &payload)),
        payload_hex: hex(&payload),
        inclusion_proof_hex: proof.iter().map(|h| hex(h)).collect(),
        checkpoint: CheckpointView::from(&checkpoint),
        venue_public_key_hex: state.audit.public_key.map(|k| hex(&k)),
        index,
        fill,
    }))
}
