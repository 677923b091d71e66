//! The venue's money as a whole (admin): where every deposited micro-dollar sits now, and the
//! conservation identity the engine's audit checks, with its difference. The sums are the
//! engine's own (`Engine::treasury`, the ones its audit checks), read between batches on the
//! sequencer thread, so every term describes the same moment.

use super::{ApiResult, Routes, Shared};
use crate::extract::{AdminCall, NoQuery};
use augury_core::AccountId;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

pub(super) fn routes() -> Routes {
    Routes::new().routes(routes!(treasury))
}

/// The identity, as `identity` states it.
const IDENTITY: &str = "deposited - withdrawn = available + reserved + backing + bonds + amm_cash";

/// Where the venue's collateral sits, in micro-dollars. Deposits less withdrawals must equal
/// what is held: available + reserved (all accounts) + backing (all markets) + bonds + the
/// market makers' cash.
#[derive(Serialize, ToSchema)]
struct TreasuryView {
    /// Every deposit ever made.
    deposited_micros: u128,
    /// Every withdrawal ever made.
    withdrawn_micros: u128,
    /// deposited - withdrawn: what the venue must hold.
    net_deposits_micros: i128,
    /// Available collateral over all accounts (the fee account's included).
    available_micros: u128,
    /// Collateral reserved by resting buy orders, over all accounts.
    reserved_micros: u128,
    /// Collateral backing every market's outstanding contracts (settled markets: what unredeemed
    /// holders are still owed).
    backing_micros: u128,
    /// Bonds held by resolving and disputed markets.
    bonds_micros: u128,
    /// Cash held by the LMSR market makers.
    amm_cash_micros: u128,
    /// available + reserved + backing + bonds + amm_cash: what the venue holds.
    held_micros: u128,
    /// The account fees are paid to.
    fee_account: AccountId,
    /// What the fee account holds: trading fees, dispute fees, forfeited bonds and settlement
    /// dust collected, less what has left it. Already counted in `available_micros` and
    /// `reserved_micros`.
    fee_account_micros: u128,
    /// The identity checked: `deposited - withdrawn = available + reserved + backing + bonds +
    /// amm_cash`.
    identity: &'static str,
    /// held - net deposits: 0 when the identity holds.
    difference_micros: i128,
    /// Whether the identity holds to the micro-dollar.
    balanced: bool,
    /// Journal entries applied when the sums were taken.
    journal_entries: u64,
}

/// The venue's money as a whole (admin): deposits and withdrawals, collateral in accounts,
/// market backing, bonds and market makers' cash, the fee account, and the conservation identity
/// with its difference (0 when balanced). Computed from the same sums the engine's invariant
/// audit checks.
#[utoipa::path(get, path = "/v1/treasury", tag = "accounts",
    security(("signed" = [])),
    responses((status = 200, body = TreasuryView)))]
async fn treasury(_: NoQuery, State(state): Shared, _call: AdminCall) -> ApiResult<TreasuryView> {
    let (t, journal_entries) =
        state.sequencer.query(|venue| (venue.engine().treasury(), venue.journal().committed())).await?;
    if !t.balanced() {
        // Every command keeps the identity, so this is an accounting bug: shown, and logged.
        tracing::error!(difference_micros = %t.difference_micros(), "the venue's money does not balance");
    }
    Ok(Json(TreasuryView {
        deposited_micros: t.deposited_micros,
        withdrawn_micros: t.withdrawn_micros,
        net_deposits_micros: t.net_deposits_micros(),
        available_micros: t.available_micros,
        reserved_micros: t.reserved_micros,
        backing_micros: t.backing_micros,
        bonds_micros: t.bonds_micros,
        amm_cash_micros: t.amm_cash_micros,
        held_micros: t.held_micros(),
        fee_account: t.fee_account,
        fee_account_micros: t.fee_account_micros,
        identity: IDENTITY,
        difference_micros: t.difference_micros(),
        balanced: t.balanced(),
        journal_entries,
    }))
}
