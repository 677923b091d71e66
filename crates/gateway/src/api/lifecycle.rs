//! How markets end, and the market maker beside their books: a market's resolution state; rules
//! over price indices and the feeder that records index values (admin); the optimistic oracle's
//! proposals (resolver scope), disputes (trade scope) and arbiter votes (resolver scope, from an
//! arbiter's account); the administrator's direct resolution; the oracle's settings and arbiters;
//! the LMSR market maker (enable, state, quotes).
//!
//! Who may act is checked here (scopes); what may happen is the engine's call (an arbiter must
//! be one, a proposal needs a closed market, and so on), and its refusals come back as 422s.

use super::markets::unknown_market;
use super::{engine_command, parse_id, ApiResult, Routes, Shared};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_query, AdminCall, ResolverCall, TradeCall};
use crate::AppState;
use augury_core::{
    AccountId, Action, Command, IndexId, MarketId, MarketStatus, Micros, OracleConfig, OutcomeIndex, Payout, Quantity,
    Resolution, ResolutionRule, Side, TimestampMs,
};
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub(super) fn routes() -> Routes {
    Routes::new()
        .routes(routes!(get_resolution))
        .routes(routes!(set_rule))
        .routes(routes!(record_index_value))
        .routes(routes!(propose))
        .routes(routes!(dispute))
        .routes(routes!(vote))
        .routes(routes!(resolve))
        .routes(routes!(get_oracle, configure_oracle))
        .routes(routes!(add_arbiter, remove_arbiter))
        .routes(routes!(get_amm, enable_amm))
        .routes(routes!(amm_quote))
}

const MARKET: &str = "market id";

// ---------------------------------------------------------------- resolution state

#[derive(Serialize, ToSchema)]
struct ResolutionView {
    market: MarketId,
    status: MarketStatus,
    /// When trading stops by itself (ms since the epoch); absent without a close time.
    close_time_ms: Option<TimestampMs>,
    /// The rule that resolves the market from a price index, if it has one.
    rule: Option<ResolutionRule>,
    /// How many of the rule's samples have been recorded.
    samples_recorded: u32,
    proposal: Option<ProposalView>,
    dispute: Option<DisputeView>,
    /// The arbiters' votes so far.
    votes: Vec<VoteView>,
    settlement: Option<SettlementView>,
}

#[derive(Serialize, ToSchema)]
struct ProposalView {
    proposer: AccountId,
    resolution: Resolution,
    bond_micros: Micros,
    /// Final at this time unless disputed before.
    liveness_ends_ms: TimestampMs,
}

#[derive(Serialize, ToSchema)]
struct DisputeView {
    disputer: AccountId,
    bond_micros: Micros,
}

#[derive(Serialize, ToSchema)]
struct VoteView {
    arbiter: AccountId,
    resolution: Resolution,
}

#[derive(Serialize, ToSchema)]
struct SettlementView {
    resolution: Resolution,
    /// Per outcome: what one YES and one NO contract pay, in micro-dollars.
    payouts: Vec<Payout>,
    /// The collateral that backed the market's sets when it settled.
    collateral_micros: Micros,
    /// What rounding down each payout left to the venue.
    dust_micros: Micros,
    redeemed_micros: Micros,
    /// Still owed to holders who have not redeemed.
    outstanding_micros: Micros,
}

fn resolution_view(engine: &augury_engine::Engine, market: MarketId) -> Option<ResolutionView> {
    let life = engine.market_lifecycle(market)?;
    Some(ResolutionView {
        market,
        status: life.status,
        close_time_ms: (life.close_at_ms != 0).then_some(life.close_at_ms),
        rule: life.rule,
        samples_recorded: life.samples_recorded,
        proposal: life.proposal.map(|(proposer, resolution, bond_micros, liveness_ends_ms)| ProposalView {
            proposer,
            resolution,
            bond_micros,
            liveness_ends_ms,
        }),
        dispute: life.dispute.map(|(disputer, bond_micros)| DisputeView { disputer, bond_micros }),
        votes: life.votes.into_iter().map(|(arbiter, resolution)| VoteView { arbiter, resolution }).collect(),
        settlement: life.settlement.map(|s| SettlementView {
            resolution: s.resolution,
            payouts: s.payouts,
            collateral_micros: s.collateral_micros,
            dust_micros: s.dust_micros,
            redeemed_micros: s.redeemed_micros,
            outstanding_micros: s.outstanding_micros,
        }),
    })
}

async fn answer_resolution(state: &AppState, market: MarketId) -> ApiResult<ResolutionView> {
    let view = state.sequencer.query(move |venue| resolution_view(venue.engine(), market)).await?;
    view.map(Json).ok_or_else(|| unknown_market(market))
}

/// Where the market is in its life: status, rule, proposal, dispute, votes, settlement.
#[utoipa::path(get, path = "/v1/markets/{market}/resolution", tag = "resolution",
    params(("market" = u32, Path, description = "Market id")),
    responses((status = 200, body = ResolutionView), (status = 404, body = ErrorBody)))]
async fn get_resolution(State(state): Shared, Path(market): Path<String>) -> ApiResult<ResolutionView> {
    answer_resolution(&state, parse_id(&market, MARKET)?).await
}

/// Gives an open market a rule over a price index (admin): when the index values for the rule's
/// samples have all been recorded, the market resolves and settles by itself.
#[utoipa::path(put, path = "/v1/markets/{market}/rule", tag = "resolution", request_body = ResolutionRule,
    params(("market" = u32, Path, description = "Market id")),
    security(("signed" = [])),
    responses((status = 200, body = ResolutionView)))]
async fn set_rule(State(state): Shared, Path(market): Path<String>, call: AdminCall) -> ApiResult<ResolutionView> {
    let market: MarketId = parse_id(&market, MARKET)?;
    let rule: ResolutionRule = call.json()?;
    engine_command(&state, Command::SetMarketRule { market, rule }).await?;
    answer_resolution(&state, market).await
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct IndexValue {
    /// The time the value is for (ms since the epoch), on the rule's sampling grid, and no later
    /// than the venue's clock.
    at_ms: TimestampMs,
    /// In the index's own integer units (for example cents).
    value: i64,
}

#[derive(Serialize, ToSchema)]
struct IndexValueRecorded {
    index: IndexId,
    at_ms: TimestampMs,
    value: i64,
    /// Markets that this value resolved.
    resolved_markets: Vec<MarketId>,
}

/// Records a price index's value (admin: the index feeder). Markets whose rule samples that time
/// take it; a market whose last sample this was resolves and settles in the same step.
#[utoipa::path(post, path = "/v1/indices/{index}/values", tag = "resolution", request_body = IndexValue,
    params(("index" = u32, Path, description = "Index id")),
    security(("signed" = [])),
    responses((status = 200, body = IndexValueRecorded)))]
async fn record_index_value(
    State(state): Shared,
    Path(index): Path<String>,
    call: AdminCall,
) -> ApiResult<IndexValueRecorded> {
    let index: IndexId = parse_id(&index, "index id")?;
    let IndexValue { at_ms, value } = call.json()?;
    let events = engine_command(&state, Command::RecordIndexValue { index, at_ms, value }).await?;
    let resolved_markets = events
        .iter()
        .filter_map(|event| match event {
            augury_core::Event::MarketResolved { market, .. } => Some(*market),
            _ => None,
        })
        .collect();
    Ok(Json(IndexValueRecorded { index, at_ms, value, resolved_markets }))
}

// ---------------------------------------------------------------- the optimistic oracle

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Proposal {
    resolution: Resolution,
    /// Posted from the caller's available collateral: at least the oracle's minimum bond.
    bond_micros: Micros,
}

/// Proposes how a closed market resolved, posting a bond (resolver scope). Final when the
/// liveness window ends without a dispute; the bond then comes back.
#[utoipa::path(post, path = "/v1/markets/{market}/proposals", tag = "resolution", request_body = Proposal,
    params(("market" = u32, Path, description = "Market id")),
    security(("signed" = [])),
    responses((status = 200, body = ResolutionView)))]
async fn propose(State(state): Shared, Path(market): Path<String>, call: ResolverCall) -> ApiResult<ResolutionView> {
    let market: MarketId = parse_id(&market, MARKET)?;
    let Proposal { resolution, bond_micros } = call.json()?;
    let command = Command::ProposeOutcome { account: call.key.account, market, resolution, bond_micros };
    engine_command(&state, command).await?;
    answer_resolution(&state, market).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Dispute {
    /// Must equal the proposer's bond: the caller posts the same.
    bond_micros: Micros,
}

/// Disputes the pending proposal of a resolving market, posting an equal bond (trade scope).
/// The venue's arbiters decide; the loser's bond goes to the winner, less the venue's fee.
#[utoipa::path(post, path = "/v1/markets/{market}/disputes", tag = "resolution", request_body = Dispute,
    params(("market" = u32, Path, description = "Market id")),
    security(("signed" = [])),
    responses((status = 200, body = ResolutionView)))]
async fn dispute(State(state): Shared, Path(market): Path<String>, call: TradeCall) -> ApiResult<ResolutionView> {
    let market: MarketId = parse_id(&market, MARKET)?;
    let Dispute { bond_micros } = call.json()?;
    engine_command(&state, Command::DisputeProposal { account: call.key.account, market, bond_micros }).await?;
    answer_resolution(&state, market).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Vote {
    resolution: Resolution,
}

/// An arbiter's vote on a disputed market (resolver scope, from an arbiter's account). The first
/// resolution with a quorum of votes resolves the market.
#[utoipa::path(post, path = "/v1/markets/{market}/votes", tag = "resolution", request_body = Vote,
    params(("market" = u32, Path, description = "Market id")),
    security(("signed" = [])),
    responses((status = 200, body = ResolutionView)))]
async fn vote(State(state): Shared, Path(market): Path<String>, call: ResolverCall) -> ApiResult<ResolutionView> {
    let market: MarketId = parse_id(&market, MARKET)?;
    let Vote { resolution } = call.json()?;
    engine_command(&state, Command::CastArbiterVote { arbiter: call.key.account, market, resolution }).await?;
    answer_resolution(&state, market).await
}

/// Resolves and settles a market directly (admin), from any state but settled: an open market is
/// closed first, and pending bonds are settled as if the arbiters had decided.
#[utoipa::path(post, path = "/v1/markets/{market}/resolve", tag = "resolution", request_body = Vote,
    params(("market" = u32, Path, description = "Market id")),
    security(("signed" = [])),
    responses((status = 200, body = ResolutionView)))]
async fn resolve(State(state): Shared, Path(market): Path<String>, call: AdminCall) -> ApiResult<ResolutionView> {
    let market: MarketId = parse_id(&market, MARKET)?;
    let Vote { resolution } = call.json()?;
    engine_command(&state, Command::ResolveMarket { market, resolution }).await?;
    answer_resolution(&state, market).await
}

#[derive(Serialize, ToSchema)]
struct OracleView {
    config: OracleConfig,
    /// The arbiters' accounts, in increasing order.
    arbiters: Vec<AccountId>,
}

async fn answer_oracle(state: &AppState) -> ApiResult<OracleView> {
    let view = state
        .sequencer
        .query(|venue| OracleView { config: venue.engine().oracle_config(), arbiters: venue.engine().arbiters() })
        .await?;
    Ok(Json(view))
}

/// The optimistic oracle's settings and arbiters.
#[utoipa::path(get, path = "/v1/oracle", tag = "resolution",
    responses((status = 200, body = OracleView)))]
async fn get_oracle(State(state): Shared) -> ApiResult<OracleView> {
    answer_oracle(&state).await
}

/// Sets the optimistic oracle's liveness window, minimum bond, quorum and dispute fee (admin).
#[utoipa::path(put, path = "/v1/oracle", tag = "resolution", request_body = OracleConfig,
    security(("signed" = [])),
    responses((status = 200, body = OracleView)))]
async fn configure_oracle(State(state): Shared, call: AdminCall) -> ApiResult<OracleView> {
    let config: OracleConfig = call.json()?;
    engine_command(&state, Command::ConfigureOracle { config }).await?;
    answer_oracle(&state).await
}

/// Names an account as an arbiter (admin).
#[utoipa::path(put, path = "/v1/oracle/arbiters/{account}", tag = "resolution",
    params(("account" = u64, Path, description = "Account id")),
    security(("signed" = [])),
    responses((status = 200, body = OracleView)))]
async fn add_arbiter(State(state): Shared, Path(account): Path<String>, _call: AdminCall) -> ApiResult<OracleView> {
    let account: AccountId = parse_id(&account, "account id")?;
    engine_command(&state, Command::SetArbiter { account, active: true }).await?;
    answer_oracle(&state).await
}

/// Removes an arbiter (admin).
#[utoipa::path(delete, path = "/v1/oracle/arbiters/{account}", tag = "resolution",
    params(("account" = u64, Path, description = "Account id")),
    security(("signed" = [])),
    responses((status = 200, body = OracleView)))]
async fn remove_arbiter(State(state): Shared, Path(account): Path<String>, _call: AdminCall) -> ApiResult<OracleView> {
    let account: AccountId = parse_id(&account, "account id")?;
    engine_command(&state, Command::SetArbiter { account, active: false }).await?;
    answer_oracle(&state).await
}

// ---------------------------------------------------------------- the LMSR market maker

#[derive(Serialize, ToSchema)]
struct AmmView {
    market: MarketId,
    operator: AccountId,
    /// The LMSR liquidity parameter b, in micro-dollars.
    liquidity_micros: Micros,
    /// Reserved from the operator at creation: its maximum loss, ceil(b x ln n).
    funded_micros: Micros,
    cash_micros: Micros,
    /// Claims held per LMSR state (YES, NO for binary and scalar markets; each outcome's YES for
    /// categorical ones).
    claims: Vec<Quantity>,
    /// Its marginal YES price of each outcome, as a probability (for display; trades settle in
    /// integers: see the quote).
    yes_prices: Vec<f64>,
}

/// The market's LMSR market maker.
#[utoipa::path(get, path = "/v1/markets/{market}/amm", tag = "amm",
    params(("market" = u32, Path, description = "Market id")),
    responses((status = 200, body = AmmView), (status = 404, body = ErrorBody)))]
async fn get_amm(State(state): Shared, Path(market): Path<String>) -> ApiResult<AmmView> {
    let market: MarketId = parse_id(&market, MARKET)?;
    let (exists, amm) = state
        .sequencer
        .query(move |venue| (venue.engine().market_spec(market).is_some(), venue.engine().amm(market)))
        .await?;
    if !exists {
        return Err(unknown_market(market));
    }
    let amm =
        amm.ok_or_else(|| ApiError::not_found("no_market_maker", format!("market {market} has no market maker")))?;
    Ok(Json(AmmView {
        market,
        operator: amm.operator,
        liquidity_micros: amm.liquidity_micros,
        funded_micros: amm.funded_micros,
        cash_micros: amm.cash_micros,
        claims: amm.claims,
        yes_prices: amm.yes_prices,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct EnableAmm {
    /// Funds the market maker: its maximum loss is reserved from this account's collateral.
    operator: AccountId,
    /// The LMSR liquidity parameter b, in micro-dollars.
    liquidity_micros: Micros,
}

/// Adds an LMSR market maker to an open market (admin). It quotes beside the book until the
/// market closes; a taker gets the better of book and market maker, level by level.
#[utoipa::path(post, path = "/v1/markets/{market}/amm", tag = "amm", request_body = EnableAmm,
    params(("market" = u32, Path, description = "Market id")),
    security(("signed" = [])),
    responses((status = 200, body = AmmView)))]
async fn enable_amm(State(state): Shared, Path(market): Path<String>, call: AdminCall) -> ApiResult<AmmView> {
    let market_id: MarketId = parse_id(&market, MARKET)?;
    let EnableAmm { operator, liquidity_micros } = call.json()?;
    engine_command(&state, Command::EnableAmm { market: market_id, operator, liquidity_micros }).await?;
    get_amm(State(state), Path(market)).await
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct QuoteQuery {
    /// Which outcome (default 0).
    outcome: Option<OutcomeIndex>,
    side: Side,
    action: Action,
    #[param(minimum = 1)]
    quantity: Quantity,
}

#[derive(Serialize, ToSchema)]
struct AmmQuote {
    market: MarketId,
    outcome: OutcomeIndex,
    side: Side,
    action: Action,
    quantity: Quantity,
    /// What the taker would pay (buy) or receive (sell) before fees, rounded in the market
    /// maker's favour.
    value_micros: Micros,
}

/// What trading `quantity` contracts with the market maker alone would cost or bring, before
/// fees.
#[utoipa::path(get, path = "/v1/markets/{market}/amm/quote", tag = "amm",
    params(("market" = u32, Path, description = "Market id"), QuoteQuery),
    responses((status = 200, body = AmmQuote), (status = 404, body = ErrorBody)))]
async fn amm_quote(State(state): Shared, Path(market): Path<String>, RawQuery(query): RawQuery) -> ApiResult<AmmQuote> {
    let market: MarketId = parse_id(&market, MARKET)?;
    let QuoteQuery { outcome, side, action, quantity } = parse_query(query.as_deref())?;
    let outcome = outcome.unwrap_or(0);
    let (exists, value) = state
        .sequencer
        .query(move |venue| {
            let engine = venue.engine();
            (engine.market_spec(market).is_some(), engine.amm_quote(market, outcome, side, action, quantity))
        })
        .await?;
    if !exists {
        return Err(unknown_market(market));
    }
    let value_micros = value.ok_or_else(|| {
        ApiError::not_found(
            "no_quote",
            format!("market {market}'s market maker does not trade {quantity} of outcome {outcome} that way"),
        )
    })?;
    Ok(Json(AmmQuote { market, outcome, side, action, quantity, value_micros }))
}
