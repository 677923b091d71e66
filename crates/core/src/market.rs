//! What a market is: its kind, its price grid and its fees.

use crate::fee::FeeSchedule;
use crate::units::{MarketId, Micros, OutcomeIndex, TimestampMs, MICROS_PER_DOLLAR};
use serde::{Deserialize, Serialize};

use crate::limits::{CATEGORICAL_OUTCOMES_MAX, TICKS_PER_DOLLAR_MAX};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum MarketKind {
    /// One outcome: YES pays a dollar if it happens, NO if it does not.
    Binary,
    /// `outcomes` mutually exclusive outcomes, each with its own YES/NO book; exactly one wins.
    Categorical { outcomes: OutcomeIndex },
    /// LONG (the YES side) pays `(value - floor) / (cap - floor)` of a dollar, clamped to [0, 1];
    /// SHORT (the NO side) pays the rest. Floor and cap are in the index's own integer units.
    Scalar { floor: i64, cap: i64 },
}

impl MarketKind {
    /// How many order books (outcomes) the market has.
    pub fn outcome_count(&self) -> OutcomeIndex {
        match *self {
            MarketKind::Binary | MarketKind::Scalar { .. } => 1,
            MarketKind::Categorical { outcomes } => outcomes,
        }
    }
}

/// Everything needed to create a market.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MarketSpec {
    pub market: MarketId,
    pub kind: MarketKind,
    /// Price grid step in micro-dollars; must divide one dollar.
    pub tick_micros: Micros,
    pub fees: FeeSchedule,
    /// When trading stops by itself (the first `AdvanceTime` at or after it closes the market); 0
    /// for no close time (then only `CloseMarket`, a resolution rule's time or a resolution stop
    /// it). Must be after the engine clock when the market is created.
    #[serde(default)]
    pub close_time_ms: TimestampMs,
}

impl Default for MarketSpec {
    /// Market 0: binary, a one-cent tick, no fees, no close time. Handy as `..MarketSpec::default()`.
    fn default() -> MarketSpec {
        MarketSpec {
            market: MarketId(0),
            kind: MarketKind::Binary,
            tick_micros: 10_000,
            fees: FeeSchedule::ZERO,
            close_time_ms: 0,
        }
    }
}

impl MarketSpec {
    /// Why the spec cannot be used, if it cannot.
    pub fn invalid_reason(&self) -> Option<&'static str> {
        if self.tick_micros == 0 || !MICROS_PER_DOLLAR.is_multiple_of(self.tick_micros) {
            return Some("tick_micros must be positive and divide 1,000,000");
        }
        let ticks_per_dollar = MICROS_PER_DOLLAR / self.tick_micros;
        if ticks_per_dollar < 2 {
            return Some("tick_micros must leave at least one price strictly between 0 and 1");
        }
        if ticks_per_dollar > TICKS_PER_DOLLAR_MAX {
            return Some("tick_micros must be at least 100 (at most 10,000 price levels)");
        }
        match self.kind {
            MarketKind::Binary => {}
            MarketKind::Categorical { outcomes } => {
                if !(2..=CATEGORICAL_OUTCOMES_MAX).contains(&outcomes) {
                    return Some("a categorical market has between 2 and 64 outcomes");
                }
            }
            MarketKind::Scalar { floor, cap } => {
                if floor >= cap {
                    return Some("a scalar market's floor must be below its cap");
                }
            }
        }
        if !self.fees.maker.is_valid() || !self.fees.taker.is_valid() {
            return Some("a fee rate is at most 1,000,000 ppm and its rounding between 1 and 1,000,000 micros");
        }
        None
    }

    pub fn ticks_per_dollar(&self) -> u64 {
        MICROS_PER_DOLLAR / self.tick_micros
    }
}

/// Where a market is in its life. Trading, splitting and merging happen only while it is open.
///
/// `Open -> Closed` (close time, `CloseMarket`, or a resolution of an open market), then either a
/// rule resolves it (`Closed -> Settled`), or a proposal starts the optimistic oracle
/// (`Closed -> Resolving`), which ends undisputed (`Resolving -> Settled`) or disputed
/// (`Resolving -> Disputed -> Settled` by the arbiters' quorum); an administrator may resolve from
/// any state but `Settled`. Resolution ("resolved", or "invalid" when the outcome is
/// `Resolution::Invalid`) and settlement (the payout vector is fixed, the dust swept, redemption
/// opens) happen in the same command, as two events: `MarketResolved` then `MarketSettled`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MarketStatus {
    Open,
    Closed,
    /// An outcome has been proposed with a bond; its liveness window is running.
    Resolving,
    /// The proposal was disputed with an equal bond; the arbiters vote.
    Disputed,
    /// Resolved (or invalid) and settled: the payout vector is fixed and holders redeem.
    Settled,
}

impl std::fmt::Display for MarketStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MarketStatus::Open => "open",
            MarketStatus::Closed => "closed",
            MarketStatus::Resolving => "resolving",
            MarketStatus::Disputed => "disputed",
            MarketStatus::Settled => "settled",
        })
    }
}
