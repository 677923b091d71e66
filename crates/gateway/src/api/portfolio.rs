//! The caller's own account: balance, positions, fills, settlements, and the set operations
//! (split, merge, redeem) that turn collateral into contracts and back.

use super::{engine_command, page_limit, paged, ApiResult, Page, Paged, Routes, Shared};
use crate::extract::parse_query;
use crate::extract::{NoQuery, ReadCall, TradeCall};
use crate::history::{FillRecord, SettlementRecord};
use crate::AppState;
use augury_core::{AccountId, Command, Event, MarketId, Micros, OutcomeIndex, Quantity, TradeId};
use axum::extract::{RawQuery, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub(super) fn routes() -> Routes {
    Routes::new()
        .routes(routes!(balance))
        .routes(routes!(positions))
        .routes(routes!(list_fills))
        .routes(routes!(list_settlements))
        .routes(routes!(split))
        .routes(routes!(merge))
        .routes(routes!(redeem))
}

#[derive(Serialize, ToSchema)]
pub(super) struct BalanceView {
    account: AccountId,
    /// Free to spend or withdraw.
    available_micros: Micros,
    /// Held by the account's resting buy orders.
    reserved_micros: Micros,
    /// Posted as bonds on proposals and disputes of markets not yet settled; back or lost when
    /// they settle (`GET /v1/markets/{m}/resolution` says how).
    bonds_micros: Micros,
    /// Put into market makers the account operates, on markets not yet settled: what they were
    /// funded with, not what they are worth now (`GET /v1/markets/{m}/amm`). At settlement their
    /// cash and the payout of their claims come back to available.
    amm_funding_micros: Micros,
}

pub(super) async fn balance_of(state: &Arc<AppState>, account: AccountId) -> ApiResult<BalanceView> {
    let app = Arc::clone(state);
    // Both in one query, so a bond or a market maker's funding is counted exactly once: in
    // available before it is posted, in bonds or funding after.
    let (view, committed) =
        state.sequencer.query(move |venue| (venue.engine().account(account), app.history().committed(account))).await?;
    let (available_micros, reserved_micros) = view.map_or((0, 0), |v| (v.available_micros, v.reserved_micros));
    Ok(Json(BalanceView {
        account,
        available_micros,
        reserved_micros,
        bonds_micros: committed.bonds_micros,
        amm_funding_micros: committed.amm_funding_micros,
    }))
}

/// The caller's collateral: available, held by resting orders, posted as bonds and put into
/// market makers.
#[utoipa::path(get, path = "/v1/portfolio/balance", tag = "portfolio",
    security(("signed" = []), ("bearer" = [])),
    responses((status = 200, body = BalanceView)))]
async fn balance(_: NoQuery, State(state): Shared, call: ReadCall) -> ApiResult<BalanceView> {
    balance_of(&state, call.key.account).await
}

/// One outcome's contracts. The account holds `yes + yes_reserved` YES and `no + no_reserved` NO
/// in all: `yes` and `no` are the free ones, which it may sell, merge or reserve again.
#[derive(Serialize, ToSchema)]
struct PositionRow {
    market: MarketId,
    outcome: OutcomeIndex,
    /// YES contracts free to use (excluding those held by resting sells).
    yes: Quantity,
    /// NO contracts free to use (excluding those held by resting sells).
    no: Quantity,
    /// YES contracts held by resting sell orders.
    yes_reserved: Quantity,
    /// NO contracts held by resting sell orders.
    no_reserved: Quantity,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct PositionQuery {
    /// Only this market.
    market: Option<MarketId>,
}

/// The caller's contracts, per market and outcome: every outcome in which it holds or has
/// reserved any contract.
#[utoipa::path(get, path = "/v1/portfolio/positions", tag = "portfolio", params(PositionQuery),
    security(("signed" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<PositionRow>)))]
async fn positions(State(state): Shared, RawQuery(query): RawQuery, call: ReadCall) -> ApiResult<Vec<PositionRow>> {
    let query: PositionQuery = parse_query(query.as_deref())?;
    let markets = match query.market {
        Some(market) => vec![market],
        None => state.history().markets(),
    };
    let account = call.key.account;
    let rows = state
        .sequencer
        .query(move |venue| {
            let engine = venue.engine();
            let mut rows = Vec::new();
            for market in markets {
                let Some(spec) = engine.market_spec(market) else { continue };
                for outcome in 0..spec.kind.outcome_count() {
                    let p = engine.position(account, market, outcome);
                    // Contracts offered by resting sells are still the account's: a position
                    // whose every contract is reserved is listed too.
                    if p.yes + p.no + p.yes_reserved + p.no_reserved > 0 {
                        rows.push(PositionRow {
                            market,
                            outcome,
                            yes: p.yes,
                            no: p.no,
                            yes_reserved: p.yes_reserved,
                            no_reserved: p.no_reserved,
                        });
                    }
                }
            }
            rows
        })
        .await?;
    Ok(Json(rows))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct FillQuery {
    /// Only fills in this market.
    market: Option<MarketId>,
    /// The `next_cursor` of the previous page.
    cursor: Option<TradeId>,
    /// At most this many fills (1 to 1,000; default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
}

/// The caller's fills, newest first.
#[utoipa::path(get, path = "/v1/portfolio/fills", tag = "portfolio", params(FillQuery),
    security(("signed" = []), ("bearer" = [])),
    responses((status = 200, body = Paged<FillRecord>)))]
async fn list_fills(State(state): Shared, RawQuery(query): RawQuery, call: ReadCall) -> ApiResult<Paged<FillRecord>> {
    let query: FillQuery = parse_query(query.as_deref())?;
    let limit = page_limit(query.limit)?;
    let fills = state.history().fills_in(call.key.account, query.market, query.cursor, limit);
    Ok(Json(paged(fills, limit, |f| f.trade_id)))
}

/// The caller's payouts from settled markets (one per redemption), newest first. The cursor is a
/// count of settlements already seen.
#[utoipa::path(get, path = "/v1/portfolio/settlements", tag = "portfolio", params(Page),
    security(("signed" = []), ("bearer" = [])),
    responses((status = 200, body = Paged<SettlementRecord>)))]
async fn list_settlements(
    State(state): Shared,
    RawQuery(query): RawQuery,
    call: ReadCall,
) -> ApiResult<Paged<SettlementRecord>> {
    let page: Page = parse_query(query.as_deref())?;
    let limit = page_limit(page.limit)?;
    let skip = page.cursor.unwrap_or(0);
    let items = state.history().settlements(call.key.account, usize::try_from(skip).unwrap_or(usize::MAX), limit);
    let next_cursor = (items.len() == limit).then(|| skip.saturating_add(limit as u64));
    Ok(Json(Paged { items, next_cursor }))
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Sets {
    market: MarketId,
    /// A categorical outcome's YES/NO pair; absent for the market's full set.
    outcome: Option<OutcomeIndex>,
    #[schema(minimum = 1)]
    quantity: Quantity,
}

/// Turns collateral into complete sets: `quantity` dollars become `quantity` YES and `quantity`
/// NO (of every outcome, or of one categorical outcome).
#[utoipa::path(post, path = "/v1/portfolio/split", tag = "portfolio", request_body = Sets,
    security(("signed" = [])),
    responses((status = 200, body = Sets)))]
async fn split(State(state): Shared, call: TradeCall) -> ApiResult<Sets> {
    let Sets { market, outcome, quantity } = call.json()?;
    engine_command(&state, Command::Split { account: call.key.account, market, outcome, quantity }).await?;
    Ok(Json(Sets { market, outcome, quantity }))
}

/// Turns complete sets back into collateral: the reverse of split.
#[utoipa::path(post, path = "/v1/portfolio/merge", tag = "portfolio", request_body = Sets,
    security(("signed" = [])),
    responses((status = 200, body = Sets)))]
async fn merge(State(state): Shared, call: TradeCall) -> ApiResult<Sets> {
    let Sets { market, outcome, quantity } = call.json()?;
    engine_command(&state, Command::Merge { account: call.key.account, market, outcome, quantity }).await?;
    Ok(Json(Sets { market, outcome, quantity }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Redeem {
    market: MarketId,
}

#[derive(Serialize, ToSchema)]
struct Redeemed {
    market: MarketId,
    /// Contracts paid out (YES and NO of every outcome together).
    contracts: Quantity,
    payout_micros: Micros,
}

/// Pays out all of the caller's contracts in a settled market, at the market's payout vector
/// (rounded down per contract side; the venue keeps the dust).
#[utoipa::path(post, path = "/v1/portfolio/redeem", tag = "portfolio", request_body = Redeem,
    security(("signed" = [])),
    responses((status = 200, body = Redeemed)))]
async fn redeem(State(state): Shared, call: TradeCall) -> ApiResult<Redeemed> {
    let Redeem { market } = call.json()?;
    let events = engine_command(&state, Command::Redeem { account: call.key.account, market }).await?;
    events
        .iter()
        .find_map(|event| match *event {
            Event::Redeemed { market, contracts, payout_micros, .. } => {
                Some(Json(Redeemed { market, contracts, payout_micros }))
            }
            _ => None,
        })
        .ok_or_else(|| super::internal("a redemption gave no Redeemed event"))
}
