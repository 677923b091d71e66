//! The LMSR market maker: an optional liquidity source per market, trading beside the book.
//!
//! **Funding.** `EnableAmm` moves ceil(b ln n) micro-dollars (its worst-case loss; n = 2 for
//! binary and scalar markets, the outcome count for categorical ones) from the operator's
//! available collateral into the market maker's cash. At settlement its cash plus the payout of
//! the contracts it holds go back to the operator.
//!
//! **Holdings.** The market maker holds *claims*: contracts that pay in one LMSR state (YES and
//! NO of a binary or scalar market; the YES of each outcome of a categorical market). To deliver a
//! claim it does not hold it mints full claim sets (a YES/NO pair, or one YES of every outcome)
//! for a dollar each, exactly as a trader splitting would; whenever it holds a full set it merges
//! it back. So it always holds no claim of at least one state, and its cash equals its value in
//! that state, which the LMSR bound keeps at or above `funded - b ln n >= 0`. A categorical NO
//! (worth the YES of every other outcome) is traded through the same claims: bought by minting the
//! outcome's pair, sold by turning it into the other outcomes' YES.
//!
//! **Trading.** The state of an outcome's book moves up when a bid-side taker (buy YES, sell NO)
//! trades with the market maker and down for an ask-side taker. In the match loop, before each
//! book step, the market maker offers every contract it would sell (or buy) at a price strictly
//! better than the book's best level (or, with no crossing level, within the taker's limit): the
//! taker gets the better of book and market maker level by level, and price-time priority holds
//! among the book's orders (at an equal price the book goes first).
//!
//! **Rounding.** The cost difference is computed in `f64` and settled as an integer rounded in the
//! market maker's favour: a taker pays it rounded up and receives it rounded down. The taker pays
//! the market's taker fee on the average price. Every trade is checked in integers before it
//! happens: within the taker's limit and budget, and leaving the market maker's cash
//! non-negative (so a floating-point error could at worst make it decline a trade, never lose more
//! than its reserve).

use crate::book::Ticks;
use crate::ledger::debit;
use crate::lmsr;
use crate::matching::{crosses, opposite, own_price, Stop, Taker};
use crate::orders::{buy_unit_reserve_micros, check_quantity, market_limit_ticks};
use crate::slab::NIL;
use crate::table::{AccountSlot, ContractSlot, MarketSlot, PositionSlot};
use crate::view::{AmmQuote, QuoteRefusal};
use crate::{ticks_to_micros, Engine};
use augury_core::{
    AccountId, Action, BookSide, Event, FeeRule, MarketId, MarketKind, MarketStatus, Micros, OrderId, OutcomeIndex,
    Quantity, Reject, Side, TradeId, MICROS_PER_DOLLAR, QUANTITY_MAX,
};

/// The smallest and largest liquidity parameter: $1 and $10 million.
pub const MIN_LIQUIDITY_MICROS: Micros = MICROS_PER_DOLLAR;
pub const LIQUIDITY_MAX_MICROS: Micros = 10_000_000 * MICROS_PER_DOLLAR;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amm {
    pub operator: AccountId,
    /// The LMSR liquidity `b`, in micro-dollars.
    pub liquidity_micros: Micros,
    /// What the operator put in: ceil(b ln n).
    pub funded_micros: Micros,
    pub cash_micros: Micros,
    /// Claims held per LMSR state; the smallest is always 0 (full sets are merged).
    pub claims: Vec<Quantity>,
}

impl Amm {
    pub fn liquidity_dollars(&self) -> f64 {
        self.liquidity_micros as f64 / MICROS_PER_DOLLAR as f64
    }
}

/// LMSR states of a market: 2 for binary and scalar, one per outcome for categorical.
pub fn states_of(kind: &MarketKind) -> usize {
    match *kind {
        MarketKind::Categorical { outcomes } => usize::from(outcomes),
        MarketKind::Binary | MarketKind::Scalar { .. } => 2,
    }
}

/// Which way a taker trades with the market maker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    BuyYes,
    SellNo,
    SellYes,
    BuyNo,
}

impl Via {
    fn of(side: Side, action: Action) -> Via {
        match (side, action) {
            (Side::Yes, Action::Buy) => Via::BuyYes,
            (Side::No, Action::Sell) => Via::SellNo,
            (Side::Yes, Action::Sell) => Via::SellYes,
            (Side::No, Action::Buy) => Via::BuyNo,
        }
    }

    /// Raises the outcome's LMSR quantity (the YES price goes up).
    fn up(self) -> bool {
        matches!(self, Via::BuyYes | Via::SellNo)
    }
}

/// What one trade does to the market maker: its claims and cash afterwards, and the sets it
/// minted and merged (full claim sets, and for categorical NO trades the outcome's pairs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AmmPlan {
    claims: Vec<Quantity>,
    cash_micros: Micros,
    full_minted: Quantity,
    full_merged: Quantity,
    pairs_minted: Quantity,
    pairs_merged: Quantity,
}

/// What a dry run of a taker's walk filled, and of that what the market maker traded.
#[derive(Clone, Copy, Debug, Default)]
struct Walk {
    filled: Quantity,
    /// The value before fees of the market maker's trades, and their fees.
    amm_value_micros: Micros,
    amm_fee_micros: Micros,
}

/// The market-maker side of a market, fixed for one taker.
#[derive(Clone, Copy)]
struct AmmMarket {
    b: f64,
    categorical: bool,
    /// The LMSR state of the book's outcome (0 for binary and scalar).
    state: usize,
    tick_micros: Micros,
}

/// A trade the market maker offers a taker.
#[derive(Clone, Debug)]
pub(crate) struct AmmTrade {
    quantity: Quantity,
    /// What the taker pays (buy) or receives (sell), before the fee.
    value_micros: Micros,
    fee_micros: Micros,
    plan: AmmPlan,
}

pub(crate) enum AmmOffer {
    Trade(AmmTrade),
    /// The market maker's next contract is no better than the book (or the taker's limit).
    NotBetter,
    /// It is better, but a market buy's budget cannot pay for one.
    Unaffordable,
}

/// The market maker's state after trading `quantity` at `yes_value` (the LMSR cost difference in
/// micros, already rounded); `None` if it would need more cash than it has.
fn plan(
    claims: &[Quantity],
    cash_micros: Micros,
    amm: AmmMarket,
    via: Via,
    quantity: Quantity,
    yes_value: Micros,
) -> Option<AmmPlan> {
    let dollar = u128::from(MICROS_PER_DOLLAR);
    let set_value = u128::from(quantity) * dollar;
    let mut claims = claims.to_vec();
    let (mut full_minted, mut pairs_minted, mut pairs_merged) = (0, 0, 0);
    let (mut cash_in, mut cash_out) = (0u128, 0u128);
    let mut deliver = |claims: &mut Vec<Quantity>, state: usize| {
        let short = quantity.saturating_sub(claims[state]);
        if short > 0 {
            claims.iter_mut().for_each(|held| *held += short);
            full_minted += short;
        }
        claims[state] -= quantity;
    };
    match (via, amm.categorical) {
        (Via::BuyYes, _) => {
            deliver(&mut claims, amm.state);
            cash_in += u128::from(yes_value);
        }
        (Via::BuyNo, false) => {
            deliver(&mut claims, 1);
            cash_in += set_value - u128::from(yes_value);
        }
        (Via::BuyNo, true) => {
            // Mint the outcome's pairs: the NO goes to the taker, the YES stays as a claim.
            pairs_minted += quantity;
            claims[amm.state] += quantity;
            cash_in += set_value - u128::from(yes_value);
        }
        (Via::SellYes, _) => {
            claims[amm.state] += quantity;
            cash_out += u128::from(yes_value);
        }
        (Via::SellNo, false) => {
            claims[1] += quantity;
            cash_out += set_value - u128::from(yes_value);
        }
        (Via::SellNo, true) => {
            // NO of one outcome is the YES of all the others: mint full sets, merge the pairs.
            for (state, held) in claims.iter_mut().enumerate() {
                if state != amm.state {
                    *held += quantity;
                }
            }
            full_minted += quantity;
            pairs_merged += quantity;
            cash_out += set_value - u128::from(yes_value);
        }
    }
    let full_merged = claims.iter().copied().min().unwrap_or(0);
    claims.iter_mut().for_each(|held| *held -= full_merged);
    let dollar = i128::from(MICROS_PER_DOLLAR);
    // Cash flows are sums of at most the venue's collateral, far inside i128.
    let signed = |x: u128| i128::try_from(x).expect("cash flows are bounded by the venue's collateral");
    let cash_after = i128::from(cash_micros) + signed(cash_in) - signed(cash_out)
        + i128::from(full_merged + pairs_merged) * dollar
        - i128::from(full_minted + pairs_minted) * dollar;
    Some(AmmPlan {
        claims,
        // Negative: the market maker would need more than it holds, so it declines.
        cash_micros: u64::try_from(cash_after).ok()?,
        full_minted,
        full_merged,
        pairs_minted,
        pairs_merged,
    })
}

/// What the market maker offers `taker` now: as many contracts as it sells (buys) one by one at a
/// YES price better than `threshold_yes_micros` (strictly, when that is the book's level), within
/// the taker's limit, remaining quantity and budget.
#[allow(clippy::too_many_arguments)]
fn offer(
    amm: AmmMarket,
    claims: &[Quantity],
    cash_micros: Micros,
    taker: &Taker,
    remaining: Quantity,
    budget_micros: Micros,
    fee: &FeeRule,
    threshold_yes_micros: Micros,
    strict: bool,
) -> AmmOffer {
    let via = Via::of(taker.side, taker.action);
    let mut limit = threshold_yes_micros as f64 / MICROS_PER_DOLLAR as f64;
    // A thousandth of a micro-dollar: the book keeps its priority at an equal price.
    const EPSILON: f64 = 1e-9;
    let units = if via.up() {
        if strict {
            limit -= EPSILON;
        }
        lmsr::units_up(amm.b, claims, amm.state, limit)
    } else {
        if strict {
            limit += EPSILON;
        }
        lmsr::units_down(amm.b, claims, amm.state, limit)
    };
    let most = units.min(remaining).min(QUANTITY_MAX);
    if most == 0 {
        return AmmOffer::NotBetter;
    }
    let limit_own_micros = own_price(taker.side, ticks_to_micros(taker.limit_ticks, amm.tick_micros));
    let market_buy = taker.is_market && taker.action == Action::Buy;
    let evaluate = |quantity: Quantity| -> Option<AmmTrade> {
        let set_value = quantity * MICROS_PER_DOLLAR;
        let yes_value = if via.up() {
            lmsr::micros_up(lmsr::cost_up(amm.b, claims, amm.state, quantity)).min(set_value)
        } else {
            lmsr::micros_down(lmsr::revenue_down(amm.b, claims, amm.state, quantity)).min(set_value)
        };
        let value_micros = match via {
            Via::BuyYes | Via::SellYes => yes_value,
            Via::SellNo | Via::BuyNo => set_value - yes_value,
        };
        let average_micros = value_micros.div_ceil(quantity).min(MICROS_PER_DOLLAR);
        let fee_micros = fee.fee_micros(quantity, average_micros);
        let within = match taker.action {
            Action::Buy => value_micros <= quantity * limit_own_micros,
            Action::Sell => value_micros >= quantity * limit_own_micros,
        };
        if !within || (market_buy && value_micros + fee_micros > budget_micros) {
            return None;
        }
        let fee_micros = match taker.action {
            Action::Buy => fee_micros,
            // A fee never takes more than the trade brings in.
            Action::Sell => fee_micros.min(value_micros),
        };
        let plan = plan(claims, cash_micros, amm, via, quantity, yes_value)?;
        Some(AmmTrade { quantity, value_micros, fee_micros, plan })
    };
    if let Some(trade) = evaluate(most) {
        return AmmOffer::Trade(trade);
    }
    // Rounding, the budget or solvency bind: the largest quantity that passes, by bisection
    // (each check is monotone in the quantity).
    let (mut good, mut bad) = (0, most);
    while bad - good > 1 {
        let middle = good + (bad - good) / 2;
        if evaluate(middle).is_some() {
            good = middle;
        } else {
            bad = middle;
        }
    }
    match (good > 0).then(|| evaluate(good)).flatten() {
        Some(trade) => AmmOffer::Trade(trade),
        None if market_buy => AmmOffer::Unaffordable,
        None => AmmOffer::NotBetter,
    }
}

impl Engine {
    pub(crate) fn enable_amm(
        &mut self,
        market: MarketId,
        operator: AccountId,
        liquidity_micros: Micros,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let slot = self.market_slot(market)?;
        let m = &self.markets[slot];
        if m.status != MarketStatus::Open {
            return Err(Reject::WrongMarketStatus { market, status: m.status });
        }
        if m.amm.is_some() {
            return Err(Reject::AmmAlreadyEnabled { market });
        }
        let operator_slot = self.account_slot(operator)?;
        if !(MIN_LIQUIDITY_MICROS..=LIQUIDITY_MAX_MICROS).contains(&liquidity_micros) {
            return Err(Reject::InvalidLiquidity { reason: "liquidity must be between $1 and $10,000,000" });
        }
        let states = states_of(&m.spec.kind);
        let b = liquidity_micros as f64 / MICROS_PER_DOLLAR as f64;
        let funded_micros = lmsr::micros_up(lmsr::max_loss(b, states));
        let available_micros = self.accounts[operator_slot].available_micros;
        if funded_micros > available_micros {
            return Err(Reject::InsufficientFunds { needed_micros: funded_micros, available_micros });
        }

        debit(&mut self.accounts[operator_slot].available_micros, funded_micros, "available collateral");
        self.markets[slot].amm = Some(Amm {
            operator,
            liquidity_micros,
            funded_micros,
            cash_micros: funded_micros,
            claims: vec![0; states],
        });
        events.push(Event::AmmEnabled { market, operator, liquidity_micros, funded_micros });
        Ok(())
    }

    fn amm_market(&self, contract: ContractSlot) -> Option<(AmmMarket, &Amm)> {
        let c = &self.contracts[contract];
        let market = &self.markets[c.market];
        let amm = market.amm.as_ref()?;
        let categorical = market.is_categorical();
        let params = AmmMarket {
            b: amm.liquidity_dollars(),
            categorical,
            state: if categorical { usize::from(c.outcome) } else { 0 },
            tick_micros: market.spec.tick_micros,
        };
        Some((params, amm))
    }

    /// The match loop of a market with a market maker: before each book step the market maker
    /// trades whatever it offers at a better price than the book's best crossing level.
    #[cold]
    #[inline(never)]
    pub(crate) fn match_taker_with_amm(&mut self, taker: &mut Taker, events: &mut Vec<Event>) -> Stop {
        let contract = taker.contract;
        let opposite_side = opposite(taker.book_side);
        let market = self.contracts[contract].market;
        let tick_micros = self.markets[market].spec.tick_micros;
        let fees = self.markets[market].spec.fees;
        loop {
            if taker.remaining == 0 {
                return Stop::Filled;
            }
            let level = self.contracts[contract]
                .book
                .best(opposite_side)
                .filter(|&ticks| crosses(taker.book_side, taker.limit_ticks, ticks));
            let (amm, state) = self.amm_market(contract).expect("the market has a market maker");
            let threshold = ticks_to_micros(level.unwrap_or(taker.limit_ticks), tick_micros);
            let offered = offer(
                amm,
                &state.claims,
                state.cash_micros,
                taker,
                taker.remaining,
                taker.reserved_micros,
                &fees.taker,
                threshold,
                level.is_some(),
            );
            match offered {
                AmmOffer::Trade(trade) => {
                    self.execute_amm_fill(taker, trade, events);
                    continue;
                }
                AmmOffer::Unaffordable => return Stop::CostCap,
                AmmOffer::NotBetter => {}
            }
            let Some(level_ticks) = level else {
                return Stop::NoMatch;
            };
            if let Some(stop) = self.book_step(taker, level_ticks, tick_micros, &fees, events) {
                return stop;
            }
        }
    }

    /// The fill-or-kill dry run of `match_taker_with_amm`: how many contracts it would fill.
    #[cold]
    #[inline(never)]
    pub(crate) fn fillable_with_amm(&self, taker: &Taker) -> Quantity {
        self.walk_with_amm(taker, true).filled
    }

    /// A dry run of `match_taker_with_amm`: the same walk (the same `offer` for every market-maker
    /// step, the same budget) on a copy of the market maker's holdings and a cursor over the book,
    /// or over no book at all when `with_book` is false (what the market maker alone would do).
    fn walk_with_amm(&self, taker: &Taker, with_book: bool) -> Walk {
        let contract = &self.contracts[taker.contract];
        let market = &self.markets[contract.market];
        let (amm, state) = self.amm_market(taker.contract).expect("the market has a market maker");
        let (mut claims, mut cash) = (state.claims.clone(), state.cash_micros);
        let opposite_side = opposite(taker.book_side);
        let crossing = |ticks: Option<Ticks>| ticks.filter(|&t| crosses(taker.book_side, taker.limit_ticks, t));
        let mut cursor = if with_book {
            crossing(contract.book.best(opposite_side)).map(|t| (t, contract.book.level(opposite_side, t).head))
        } else {
            None
        };
        let market_buy = taker.is_market && taker.action == Action::Buy;
        let mut budget_micros = taker.reserved_micros;
        let mut walk = Walk::default();
        loop {
            if walk.filled == taker.remaining {
                return walk;
            }
            let level = cursor.map(|(ticks, _)| ticks);
            let threshold = ticks_to_micros(level.unwrap_or(taker.limit_ticks), market.spec.tick_micros);
            let offered = offer(
                amm,
                &claims,
                cash,
                taker,
                taker.remaining - walk.filled,
                budget_micros,
                &market.spec.fees.taker,
                threshold,
                level.is_some(),
            );
            match offered {
                AmmOffer::Trade(trade) => {
                    walk.filled += trade.quantity;
                    walk.amm_value_micros += trade.value_micros;
                    walk.amm_fee_micros += trade.fee_micros;
                    if market_buy {
                        budget_micros -= trade.value_micros + trade.fee_micros;
                    }
                    claims = trade.plan.claims;
                    cash = trade.plan.cash_micros;
                    continue;
                }
                AmmOffer::Unaffordable => return walk,
                AmmOffer::NotBetter => {}
            }
            let Some((level_ticks, slot)) = cursor else {
                return walk;
            };
            debug_assert_ne!(slot, NIL);
            let maker = self.slab.get(slot);
            cursor = if maker.next != NIL {
                Some((level_ticks, maker.next))
            } else {
                crossing(contract.book.next_level(opposite_side, level_ticks))
                    .map(|t| (t, contract.book.level(opposite_side, t).head))
            };
            if maker.account == taker.account {
                match taker.self_trade {
                    augury_core::SelfTradePrevention::CancelMaker => continue,
                    _ => return walk,
                }
            }
            let wanted = maker.remaining.min(taker.remaining - walk.filled);
            let mut quantity = wanted;
            if market_buy {
                let price = own_price(taker.side, ticks_to_micros(level_ticks, market.spec.tick_micros));
                quantity = crate::matching::affordable(budget_micros, price, &market.spec.fees.taker, wanted);
                budget_micros -= quantity * price + market.spec.fees.taker.fee_micros(quantity, price);
            }
            walk.filled += quantity;
            if quantity < wanted {
                return walk;
            }
        }
    }

    /// Settles one trade between a taker and the market maker.
    fn execute_amm_fill(&mut self, taker: &mut Taker, trade: AmmTrade, events: &mut Vec<Event>) {
        let contract = taker.contract;
        let market = self.contracts[contract].market;
        let outcome = self.contracts[contract].outcome;
        let AmmTrade { quantity, value_micros, fee_micros, plan } = trade;
        match taker.action {
            Action::Buy => {
                let cost = value_micros + fee_micros;
                let consumed = if taker.is_market { cost } else { quantity * taker.unit_reserve_micros };
                debit(&mut taker.reserved_micros, consumed, "taker reservation");
                self.accounts[taker.account].settle_reserved(consumed, cost);
                self.positions[taker.position].credit(taker.side, quantity);
            }
            Action::Sell => {
                self.positions[taker.position].deliver_reserved(taker.side, quantity);
                self.accounts[taker.account].available_micros += value_micros - fee_micros;
            }
        }
        self.accounts[self.fee_account].available_micros += fee_micros;

        let m = &mut self.markets[market];
        let categorical = m.is_categorical();
        let dollar = MICROS_PER_DOLLAR;
        m.backing_micros += (plan.full_minted + plan.pairs_minted) * dollar;
        debit(&mut m.backing_micros, (plan.full_merged + plan.pairs_merged) * dollar, "market backing");
        if categorical {
            m.full_sets_split += plan.full_minted;
            m.full_sets_merged += plan.full_merged;
            self.contracts[contract].pairs_minted += plan.pairs_minted;
            self.contracts[contract].pairs_merged += plan.pairs_merged;
        } else {
            debug_assert_eq!(plan.pairs_minted + plan.pairs_merged, 0);
            self.contracts[contract].pairs_minted += plan.full_minted;
            self.contracts[contract].pairs_merged += plan.full_merged;
        }
        let amm = m.amm.as_mut().expect("the market has a market maker");
        amm.claims = plan.claims;
        amm.cash_micros = plan.cash_micros;
        debit(&mut taker.remaining, quantity, "taker remaining quantity");

        events.push(Event::AmmFill {
            trade: TradeId(self.next_trade_id),
            market: m.spec.market,
            outcome,
            quantity,
            value_micros,
            taker_order: taker.id,
            taker_account: taker.account_id,
            taker_side: taker.side,
            taker_action: taker.action,
            taker_fee_micros: fee_micros,
            taker_remaining: taker.remaining,
        });
        self.next_trade_id += 1;
    }

    /// Whether the market maker would trade at least one contract with an order at `limit_ticks`
    /// on `book_side` of `contract`'s book (the post-only check).
    pub(crate) fn amm_would_trade(&self, contract: ContractSlot, book_side: BookSide, limit_ticks: Ticks) -> bool {
        let Some((amm, state)) = self.amm_market(contract) else {
            return false;
        };
        let limit = ticks_to_micros(limit_ticks, amm.tick_micros) as f64 / MICROS_PER_DOLLAR as f64;
        let units = match book_side {
            BookSide::Bid => lmsr::units_up(amm.b, &state.claims, amm.state, limit),
            BookSide::Ask => lmsr::units_down(amm.b, &state.claims, amm.state, limit),
        };
        units > 0
    }

    /// At settlement: the market maker's claims are paid out like any holder's, and its cash and
    /// that payout go back to the operator.
    pub(crate) fn close_amm(&mut self, slot: MarketSlot, events: &mut Vec<Event>) {
        let Some(amm) = self.markets[slot].amm.take() else {
            return;
        };
        let categorical = self.markets[slot].is_categorical();
        let mut paid_micros: Micros = 0;
        if categorical {
            for (outcome, &held) in amm.claims.iter().enumerate() {
                if held > 0 {
                    paid_micros += self.pay_out(slot, crate::outcome_at(outcome), held, 0);
                }
            }
        } else if amm.claims[0] + amm.claims[1] > 0 {
            paid_micros += self.pay_out(slot, 0, amm.claims[0], amm.claims[1]);
        }
        let returned_micros = amm.cash_micros + paid_micros;
        let operator = self.account_index[&amm.operator];
        self.accounts[operator].available_micros += returned_micros;
        let market = self.markets[slot].spec.market;
        events.push(Event::AmmClosed { market, operator: amm.operator, returned_micros });
    }

    /// What a market order (immediate-or-cancel, no cost cap) of `quantity` contracts would get
    /// from the market maker alone, now: the contracts it would fill, what they would cost
    /// (buy) or bring (sell) before fees, and the fees. It is the dry run of the execution's own
    /// walk (`offer` at every step, the market order's limit at the grid's edge and its budget),
    /// so it never quotes a contract the market maker would not sell. Refused for what a market
    /// order would be refused for (unknown market or outcome, a market not open, a quantity out of
    /// range; the taker's own collateral and contracts aside), and without a market maker.
    pub fn amm_quote(
        &self,
        market: MarketId,
        outcome: OutcomeIndex,
        side: Side,
        action: Action,
        quantity: Quantity,
    ) -> Result<AmmQuote, QuoteRefusal> {
        // In the order `place_order` checks them.
        let slot = self.open_market_slot(market)?;
        let m = &self.markets[slot];
        if outcome >= m.outcome_count() {
            return Err(Reject::UnknownOutcome { market, outcome }.into());
        }
        check_quantity(quantity)?;
        if m.amm.is_none() {
            return Err(QuoteRefusal::NoMarketMaker { market });
        }
        let book_side = BookSide::of(side, action);
        let limit_ticks = market_limit_ticks(&m.spec, book_side);
        let reserved_micros = match action {
            Action::Buy => quantity * buy_unit_reserve_micros(&m.spec, side, limit_ticks),
            Action::Sell => 0,
        };
        let taker = Taker {
            id: OrderId(0),
            account: AccountSlot::NONE,
            account_id: AccountId(0),
            position: PositionSlot::NONE,
            contract: m.contract(outcome),
            book_side,
            side,
            action,
            limit_ticks,
            remaining: quantity,
            unit_reserve_micros: 0,
            reserved_micros,
            is_market: true,
            self_trade: augury_core::SelfTradePrevention::default(),
        };
        let walk = self.walk_with_amm(&taker, false);
        Ok(AmmQuote { quantity: walk.filled, value_micros: walk.amm_value_micros, fee_micros: walk.amm_fee_micros })
    }

    /// The market maker's YES price of each outcome (one for binary and scalar markets), as
    /// probabilities.
    pub(crate) fn amm_prices(&self, slot: MarketSlot) -> Vec<f64> {
        let m = &self.markets[slot];
        let Some(amm) = &m.amm else {
            return Vec::new();
        };
        amm_yes_prices(&m.spec.kind, amm.liquidity_micros, &amm.claims)
    }
}

/// A market maker's marginal YES price of each outcome (one for binary and scalar markets), as
/// probabilities, from its liquidity and the claims it holds: for display (what trades settle is
/// an integer). Public so that a read model can show the prices of a market maker at its close.
pub fn amm_yes_prices(kind: &MarketKind, liquidity_micros: Micros, claims: &[Quantity]) -> Vec<f64> {
    if claims.len() != states_of(kind) || claims.is_empty() {
        return Vec::new();
    }
    let prices = lmsr::prices(liquidity_micros as f64 / MICROS_PER_DOLLAR as f64, claims);
    match kind {
        MarketKind::Categorical { .. } => prices,
        MarketKind::Binary | MarketKind::Scalar { .. } => vec![prices[0]],
    }
}
