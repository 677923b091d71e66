//! How markets end, and the market maker beside their books: a market's resolution state and
//! record; rules over price indices and the feeder that records index values (admin); the
//! optimistic oracle's proposals (resolver scope), disputes (trade scope) and arbiter votes
//! (resolver scope, from an arbiter's account); the administrator's direct resolution; the
//! oracle's settings and arbiters; the LMSR market maker (enable, state, quotes).
//!
//! Who may act is checked here (scopes); what may happen is the engine's call (an arbiter must
//! be one, a proposal needs a closed market, and so on), and its refusals come back as 422s. Two
//! checks of the oracle's settings live here rather than in the engine, because the engine's
//! accounts and arbiters cannot see them or old journals hold what they would refuse: an arbiter
//! must be an account the venue knows (the registry's or the engine's), and the quorum may not
//! exceed the number of arbiters (see `check_quorum`).
//!
//! What the engine forgets once a market settles (the proposal, the dispute, the votes, the bonds,
//! the market maker) is read from the history, which keeps it from the journal's events; reads
//! that combine the two take both inside one sequencer query, so they describe the same moment.

use super::markets::unknown_market;
use super::{engine_command, parse_id, ApiResult, Routes, Shared};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_query, AdminCall, NoQuery, ResolverCall, TradeCall};
use crate::history::{AmmCloseRecord, BondRecord, DisputeRecord, History, ProposalRecord, VoteRecord};
use crate::AppState;
use augury_core::{
    AccountId, Action, Command, IndexId, MarketId, MarketStatus, Micros, OracleConfig, OutcomeIndex, Payout, Quantity,
    Reject, Resolution, ResolutionRule, ResolutionSource, Side, TimestampMs,
};
use augury_engine::QuoteRefusal;
use augury_sequencer::VenueReject;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
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
    /// The proposal as it was made (kept after the market settles).
    proposal: Option<ProposalRecord>,
    /// The dispute of the proposal, if there was one (kept after the market settles).
    dispute: Option<DisputeRecord>,
    /// Every arbiter's vote, in the order cast (kept after the market settles).
    votes: Vec<VoteRecord>,
    /// How each posted bond was paid out when the market settled; empty before (the market
    /// holds them until then).
    bonds: Vec<BondRecord>,
    settlement: Option<SettlementView>,
}

#[derive(Serialize, ToSchema)]
struct SettlementView {
    resolution: Resolution,
    /// Who decided: the market's rule, an undisputed proposal, the arbiters or the administrator.
    decided_by: ResolutionSource,
    /// When it settled (ms since the epoch, the venue's clock).
    settled_ms: TimestampMs,
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

/// The market's lifecycle from the engine (status, rule, settlement) with its resolution record
/// from the history.
fn resolution_view(
    engine: &augury_engine::Engine,
    history: &History,
    market: MarketId,
) -> Result<Option<ResolutionView>, ApiError> {
    let (Some(life), Some(record)) = (engine.market_lifecycle(market), history.resolution(market)) else {
        return Ok(None);
    };
    let settlement = match (life.settlement, record.decision) {
        (None, _) => None,
        (Some(s), Some(decision)) => Some(SettlementView {
            resolution: s.resolution,
            decided_by: decision.source,
            settled_ms: decision.time_ms,
            payouts: s.payouts,
            collateral_micros: s.collateral_micros,
            dust_micros: s.dust_micros,
            redeemed_micros: s.redeemed_micros,
            outstanding_micros: s.outstanding_micros,
        }),
        (Some(_), None) => return Err(super::internal("a settled market has no decision in the history")),
    };
    Ok(Some(ResolutionView {
        market,
        status: life.status,
        close_time_ms: (life.close_at_ms != 0).then_some(life.close_at_ms),
        rule: life.rule,
        samples_recorded: life.samples_recorded,
        proposal: record.proposal,
        dispute: record.dispute,
        votes: record.votes,
        bonds: record.bonds,
        settlement,
    }))
}

async fn answer_resolution(state: &Arc<AppState>, market: MarketId) -> ApiResult<ResolutionView> {
    let app = Arc::clone(state);
    let view = state.sequencer.query(move |venue| resolution_view(venue.engine(), &app.history(), market)).await??;
    view.map(Json).ok_or_else(|| unknown_market(market))
}

/// Where the market is in its life, and how it got there: status, rule, the proposal, the dispute,
/// every vote, the settlement (who decided, when, the payout vector) and how the bonds were paid.
/// The record stays readable for good after the market settles.
#[utoipa::path(get, path = "/v1/markets/{market}/resolution", tag = "resolution",
    params(("market" = u32, Path, description = "Market id")),
    responses((status = 200, body = ResolutionView), (status = 404, body = ErrorBody)))]
async fn get_resolution(_: NoQuery, State(state): Shared, Path(market): Path<String>) -> ApiResult<ResolutionView> {
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
async fn get_oracle(_: NoQuery, State(state): Shared) -> ApiResult<OracleView> {
    answer_oracle(&state).await
}

/// The quorum may not exceed the number of arbiters (except that 1 is always allowed, so a venue
/// without arbiters, where the administrator decides disputes, can still set its other settings):
/// a larger quorum could never be reached, and every dispute would wait for the administrator.
///
/// This is the gateway's check, not the engine's: journals written before it may hold a
/// `ConfigureOracle` or `SetArbiter` that breaks it (a quorum set before its arbiters were named,
/// the natural order then), and an engine that refused them on replay would stop the venue from
/// opening. Two administrators racing (one removing an arbiter while the other raises the quorum)
/// can still get past it; the worst that does is a dispute waiting for the administrator.
fn check_quorum(quorum: u32, arbiters: usize, what: &str) -> Result<(), ApiError> {
    if quorum <= 1 || quorum as usize <= arbiters {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "quorum_exceeds_arbiters",
        format!("{what} would leave a quorum of {quorum} with {arbiters} arbiters: name arbiters first, or lower the quorum"),
    ))
}

/// Sets the optimistic oracle's liveness window, minimum bond, quorum and dispute fee (admin).
/// Refused with 422 `quorum_exceeds_arbiters` when the quorum is above the number of arbiters
/// (a quorum of 1 is always allowed: with no arbiters, disputes wait for the administrator).
#[utoipa::path(put, path = "/v1/oracle", tag = "resolution", request_body = OracleConfig,
    security(("signed" = [])),
    responses((status = 200, body = OracleView), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn configure_oracle(State(state): Shared, call: AdminCall) -> ApiResult<OracleView> {
    let config: OracleConfig = call.json()?;
    // Settings that are invalid in themselves get the engine's refusal (400), whatever the arbiters.
    if let Some(reason) = config.invalid_reason() {
        return Err(VenueReject::Engine(Reject::InvalidOracleConfig { reason }).into());
    }
    let arbiters = state.sequencer.query(|venue| venue.engine().arbiters().len()).await?;
    check_quorum(config.quorum, arbiters, "these settings")?;
    engine_command(&state, Command::ConfigureOracle { config }).await?;
    answer_oracle(&state).await
}

/// 404 for an account the venue does not know: neither the registry (accounts opened for keys) nor
/// the engine (accounts that have held collateral) has it.
async fn known_account(state: &AppState, account: AccountId) -> Result<(), ApiError> {
    if state.sequencer.query(move |venue| venue.state().account_exists(account)).await? {
        return Ok(());
    }
    Err(ApiError::not_found("unknown_account", format!("account {account} does not exist")))
}

/// Names an account as an arbiter (admin). The account must exist (404 otherwise).
#[utoipa::path(put, path = "/v1/oracle/arbiters/{account}", tag = "resolution",
    params(("account" = u64, Path, description = "Account id")),
    security(("signed" = [])),
    responses((status = 200, body = OracleView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn add_arbiter(State(state): Shared, Path(account): Path<String>, _call: AdminCall) -> ApiResult<OracleView> {
    let account: AccountId = parse_id(&account, "account id")?;
    // Accounts are never deleted, so nothing can make this untrue before the command runs.
    known_account(&state, account).await?;
    engine_command(&state, Command::SetArbiter { account, active: true }).await?;
    answer_oracle(&state).await
}

/// Removes an arbiter (admin). Votes it already cast still count (a vote counts as cast); it
/// cannot vote again. Refused with 422 `quorum_exceeds_arbiters` when fewer arbiters than the
/// quorum would be left: lower the quorum, or name another arbiter, first.
#[utoipa::path(delete, path = "/v1/oracle/arbiters/{account}", tag = "resolution",
    params(("account" = u64, Path, description = "Account id")),
    security(("signed" = [])),
    responses((status = 200, body = OracleView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn remove_arbiter(State(state): Shared, Path(account): Path<String>, _call: AdminCall) -> ApiResult<OracleView> {
    let account: AccountId = parse_id(&account, "account id")?;
    let (quorum, arbiters) = state
        .sequencer
        .query(move |venue| {
            let engine = venue.engine();
            let arbiters = engine.arbiters();
            (engine.oracle_config().quorum, arbiters.contains(&account).then_some(arbiters.len()))
        })
        .await?;
    // Not an arbiter: the engine answers (409 arbiter_unchanged).
    if let Some(count) = arbiters {
        check_quorum(quorum, count - 1, &format!("removing arbiter {account}"))?;
    }
    engine_command(&state, Command::SetArbiter { account, active: false }).await?;
    answer_oracle(&state).await
}

// ---------------------------------------------------------------- the LMSR market maker

/// Whether a market maker still trades.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum AmmStatus {
    /// Its market is open (it trades) or closed but not yet settled (it holds its claims).
    Active,
    /// Its market settled: its claims were paid and everything went back to the operator.
    Closed,
}

#[derive(Serialize, ToSchema)]
struct AmmView {
    market: MarketId,
    status: AmmStatus,
    operator: AccountId,
    /// The LMSR liquidity parameter b, in micro-dollars.
    liquidity_micros: Micros,
    /// Moved from the operator at creation: its maximum loss, ceil(b x ln n).
    funded_micros: Micros,
    /// When it was enabled (ms since the epoch, the venue's clock).
    enabled_ms: TimestampMs,
    /// Its cash now; once closed, at the close (before its claims were paid).
    cash_micros: Micros,
    /// Claims held per LMSR state (YES, NO for binary and scalar markets; each outcome's YES for
    /// categorical ones); once closed, at the close.
    claims: Vec<Quantity>,
    /// Its marginal YES price of each outcome, as a probability (for display; trades settle in
    /// integers: see the quote); once closed, its last prices.
    yes_prices: Vec<f64>,
    /// Once closed: what its claims were paid and what went back to the operator.
    closed: Option<AmmCloseRecord>,
}

/// The market maker now (from the engine) or, once its market has settled, at its close (from the
/// history); None if the market never had one.
fn amm_view(engine: &augury_engine::Engine, history: &History, market: MarketId) -> Option<AmmView> {
    let record = history.amm(market)?;
    if let Some(live) = engine.amm(market) {
        return Some(AmmView {
            market,
            status: AmmStatus::Active,
            operator: live.operator,
            liquidity_micros: live.liquidity_micros,
            funded_micros: live.funded_micros,
            enabled_ms: record.enabled_ms,
            cash_micros: live.cash_micros,
            claims: live.claims,
            yes_prices: live.yes_prices,
            closed: None,
        });
    }
    let closed = record.closed.clone()?;
    let kind = engine.market_spec(market)?.kind;
    Some(AmmView {
        market,
        status: AmmStatus::Closed,
        operator: record.operator,
        liquidity_micros: record.liquidity_micros,
        funded_micros: record.funded_micros,
        enabled_ms: record.enabled_ms,
        cash_micros: closed.cash_micros,
        claims: closed.claims.clone(),
        yes_prices: augury_engine::amm_yes_prices(&kind, record.liquidity_micros, &closed.claims),
        closed: Some(closed),
    })
}

fn no_market_maker(market: MarketId) -> ApiError {
    ApiError::not_found("no_market_maker", format!("market {market} has no market maker"))
}

/// The market's LMSR market maker: its state while it runs, and after its market settles its
/// state at the close and what went back to the operator (`status` says which).
#[utoipa::path(get, path = "/v1/markets/{market}/amm", tag = "amm",
    params(("market" = u32, Path, description = "Market id")),
    responses((status = 200, body = AmmView), (status = 404, body = ErrorBody)))]
async fn get_amm(_: NoQuery, State(state): Shared, Path(market): Path<String>) -> ApiResult<AmmView> {
    let market: MarketId = parse_id(&market, MARKET)?;
    answer_amm(&state, market).await
}

async fn answer_amm(state: &Arc<AppState>, market: MarketId) -> ApiResult<AmmView> {
    let app = Arc::clone(state);
    let (exists, view) = state
        .sequencer
        .query(move |venue| {
            let engine = venue.engine();
            (engine.market_spec(market).is_some(), amm_view(engine, &app.history(), market))
        })
        .await?;
    if !exists {
        return Err(unknown_market(market));
    }
    view.map(Json).ok_or_else(|| no_market_maker(market))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct EnableAmm {
    /// Funds the market maker: its maximum loss moves from this account's available collateral.
    operator: AccountId,
    /// The LMSR liquidity parameter b, in micro-dollars.
    liquidity_micros: Micros,
}

/// Adds an LMSR market maker to an open market (admin). It quotes beside the book until the
/// market closes; a taker gets the better of book and market maker, level by level. An unknown
/// operator is 404 `unknown_account`.
#[utoipa::path(post, path = "/v1/markets/{market}/amm", tag = "amm", request_body = EnableAmm,
    params(("market" = u32, Path, description = "Market id")),
    security(("signed" = [])),
    responses((status = 200, body = AmmView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn enable_amm(State(state): Shared, Path(market): Path<String>, call: AdminCall) -> ApiResult<AmmView> {
    let market: MarketId = parse_id(&market, MARKET)?;
    let EnableAmm { operator, liquidity_micros } = call.json()?;
    known_account(&state, operator).await?;
    match engine_command(&state, Command::EnableAmm { market, operator, liquidity_micros }).await {
        // The registry opened the account (for a key), but it has never held collateral, so the
        // engine does not know it: it has nothing to fund a market maker with.
        Err(error) if error.code == "unknown_account" => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "insufficient_funds",
                format!("account {operator} holds no collateral to fund a market maker with"),
            ));
        }
        other => {
            other?;
        }
    }
    answer_amm(&state, market).await
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct QuoteQuery {
    /// Which outcome (default 0).
    outcome: Option<OutcomeIndex>,
    side: Side,
    action: Action,
    #[param(minimum = 1, maximum = 1_000_000_000)]
    quantity: Quantity,
}

#[derive(Serialize, ToSchema)]
struct AmmQuote {
    market: MarketId,
    outcome: OutcomeIndex,
    side: Side,
    action: Action,
    /// The quantity asked about.
    requested_quantity: Quantity,
    /// What a market order for `requested_quantity` would fill with the market maker: fewer when
    /// it would not trade them all (its price would pass the grid's last tick, or its cash would
    /// not cover them), 0 when it would trade none.
    quantity: Quantity,
    /// What the taker would pay (buy) or receive (sell) for them before fees, rounded in the
    /// market maker's favour.
    value_micros: Micros,
    /// The market's taker fee on them.
    fee_micros: Micros,
}

/// What a market order (immediate-or-cancel, no cost cap) for `quantity` contracts would get from
/// the market maker alone, now: how many it would fill, their value and the fee. It is the
/// engine's dry run of that order's execution, so it is exactly what the order gets when the book
/// has nothing better. A market that is not open has no quote (422 `market_not_open`); a
/// quantity outside 1 to 10^9 is 400.
#[utoipa::path(get, path = "/v1/markets/{market}/amm/quote", tag = "amm",
    params(("market" = u32, Path, description = "Market id"), QuoteQuery),
    responses((status = 200, body = AmmQuote), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn amm_quote(State(state): Shared, Path(market): Path<String>, RawQuery(query): RawQuery) -> ApiResult<AmmQuote> {
    let market: MarketId = parse_id(&market, MARKET)?;
    let QuoteQuery { outcome, side, action, quantity: requested_quantity } = parse_query(query.as_deref())?;
    let outcome = outcome.unwrap_or(0);
    let quote = state
        .sequencer
        .query(move |venue| venue.engine().amm_quote(market, outcome, side, action, requested_quantity))
        .await?;
    let quote = match quote {
        Ok(quote) => quote,
        Err(QuoteRefusal::Refused(reject)) => return Err(VenueReject::Engine(reject).into()),
        Err(QuoteRefusal::NoMarketMaker { market }) => return Err(no_market_maker(market)),
    };
    Ok(Json(AmmQuote {
        market,
        outcome,
        side,
        action,
        requested_quantity,
        quantity: quote.quantity,
        value_micros: quote.value_micros,
        fee_micros: quote.fee_micros,
    }))
}
