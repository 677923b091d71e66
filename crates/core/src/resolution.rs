//! How a market ends: its resolution (which outcome happened, or invalid), the rules that resolve a
//! market from a price index by themselves, the optimistic oracle's venue settings, and the payout
//! vector that settlement derives from a resolution. Everything here is integer arithmetic; every
//! rounding favours the venue (a holder is never paid a fraction of a micro-dollar more than owed).

use crate::fee::PPM;
use crate::limits::{ARBITERS_MAX, RULE_SAMPLES_MAX};
use crate::market::MarketKind;
use crate::units::{IndexId, Micros, OutcomeIndex, TimestampMs, MICROS_PER_DOLLAR};
use serde::{Deserialize, Serialize};

/// What happened, as far as a market is concerned. Invalid is always possible: it pays every
/// outcome alike (an equal split of each dollar of backing).
///
/// The types here refuse unknown fields when read from JSON (the API's bodies); that changes
/// nothing in the journal's and snapshots' binary encoding, which has no field names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Resolution {
    /// Binary markets: YES pays a dollar.
    Yes,
    /// Binary markets: NO pays a dollar.
    No,
    /// Categorical markets: this outcome won; its YES (and every other outcome's NO) pays a dollar.
    Outcome { outcome: OutcomeIndex },
    /// Scalar markets: the index's value, in the same integer units as the market's floor and cap.
    Scalar { value: i64 },
    /// The question could not be answered (or was ill-posed): every outcome pays the same.
    Invalid,
}

/// Who decided a resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResolutionSource {
    /// The market's rule, from index values.
    Rule,
    /// An undisputed proposal at the end of its liveness window.
    Proposal,
    /// The arbiters' quorum after a dispute.
    Arbiters,
    /// The venue's administrator, directly.
    Admin,
}

impl Resolution {
    /// Why this resolution cannot end a market of `kind`, if it cannot.
    pub fn invalid_reason(&self, kind: &MarketKind) -> Option<&'static str> {
        match (*self, *kind) {
            (Resolution::Invalid, _) => None,
            (Resolution::Yes | Resolution::No, MarketKind::Binary) => None,
            (Resolution::Outcome { outcome }, MarketKind::Categorical { outcomes }) if outcome < outcomes => None,
            (Resolution::Outcome { .. }, MarketKind::Categorical { .. }) => Some("the market has no such outcome"),
            (Resolution::Scalar { .. }, MarketKind::Scalar { .. }) => None,
            (_, MarketKind::Binary) => Some("a binary market resolves yes, no or invalid"),
            (_, MarketKind::Categorical { .. }) => {
                Some("a categorical market resolves to one of its outcomes or invalid")
            }
            (_, MarketKind::Scalar { .. }) => Some("a scalar market resolves to a value or invalid"),
        }
    }
}

/// What one contract of each side of one outcome pays at settlement, in micro-dollars: `yes`
/// (LONG in a scalar market) and `no` (SHORT). A YES/NO pair pays a dollar or, where a dollar
/// does not divide evenly, up to one micro-dollar less: each side is rounded down on its own, and
/// the difference (the dust) goes to the venue.
///
/// - binary: 1/0 or 0/1; invalid 1/2 each;
/// - categorical: the winner's YES and every other outcome's NO pay a dollar (one-hot); invalid
///   pays each YES 1/n of a dollar (so a full set of n YES still pays a dollar, less dust) and
///   each NO the rest;
/// - scalar: LONG pays `(value - floor) / (cap - floor)` of a dollar, clamped to [0, 1], SHORT
///   the rest; invalid 1/2 each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payout {
    pub yes_micros: Micros,
    pub no_micros: Micros,
}

/// The payout of `outcome`'s contracts in a market of `kind` resolved as `resolution` (which must
/// fit the kind: see [`Resolution::invalid_reason`]).
pub fn payout(kind: &MarketKind, resolution: &Resolution, outcome: OutcomeIndex) -> Payout {
    let dollar = MICROS_PER_DOLLAR;
    let both = |yes_micros: Micros, no_micros: Micros| Payout { yes_micros, no_micros };
    match (*kind, *resolution) {
        (MarketKind::Binary | MarketKind::Scalar { .. }, Resolution::Invalid) => both(dollar / 2, dollar / 2),
        (MarketKind::Binary, Resolution::Yes) => both(dollar, 0),
        (MarketKind::Binary, Resolution::No) => both(0, dollar),
        (MarketKind::Categorical { .. }, Resolution::Outcome { outcome: winner }) if winner == outcome => {
            both(dollar, 0)
        }
        (MarketKind::Categorical { .. }, Resolution::Outcome { .. }) => both(0, dollar),
        (MarketKind::Categorical { outcomes }, Resolution::Invalid) => {
            // 1/n of a dollar rounded down; NO is worth the other n-1 outcomes' YES, rounded down.
            let n = u64::from(outcomes);
            both(dollar / n, (dollar * (n - 1)) / n)
        }
        (MarketKind::Scalar { floor, cap }, Resolution::Scalar { value }) => {
            let clamped = i128::from(value.clamp(floor, cap));
            let span = i128::from(cap) - i128::from(floor);
            // LONG's exact share is (clamped - floor) / span of a dollar; both sides round down.
            let numerator = (clamped - i128::from(floor)) * i128::from(dollar);
            let long = numerator / span;
            let short = (span * i128::from(dollar) - numerator) / span;
            // Both lie in [0, dollar]: clamped is within [floor, cap].
            let share = |x: i128| Micros::try_from(x).expect("a scalar share lies within a dollar");
            both(share(long), share(short))
        }
        _ => panic!("resolution {resolution:?} does not fit a {kind:?} market"),
    }
}

/// How a rule compares the observed value with its threshold (binary markets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    AtOrAbove,
    Above,
    AtOrBelow,
    Below,
}

/// How a rule turns the observed value into a resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleMap {
    /// Binary: YES when `observed <comparison> threshold` holds, NO otherwise ("BTC-USD at or
    /// above 100,000"). The comparison is exact (an average is not rounded first).
    Threshold { comparison: Comparison, threshold: i64 },
    /// Categorical, equal-width ranges: outcome 0 below `first_bound`, outcome k in
    /// `[first_bound + (k-1) x width, first_bound + k x width)`, the last outcome everything at or
    /// above its lower bound.
    Buckets { first_bound: i64, width: i64 },
    /// Scalar: the observed value itself (an average rounded down).
    Value,
}

/// A rule that resolves a market by itself from a price index: the value of `index` at `at_ms`,
/// or the average of the `samples` values at `at_ms - (samples - 1) x interval`, ..., `at_ms -
/// interval`, `at_ms` (for example 60 one-second values up to and including the close, as
/// regulated venues settle), mapped to an outcome by `map`. Index values are matched to sample
/// times exactly, so a feeder sends values stamped on the sampling grid (candle close times, for
/// example). The market resolves as soon as the last missing sample arrives; its trading stops at
/// `at_ms` at the latest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResolutionRule {
    pub index: IndexId,
    pub at_ms: TimestampMs,
    /// How many values are averaged: 1 for the single value at `at_ms`, at most `RULE_SAMPLES_MAX`.
    pub samples: u32,
    /// Spacing of the samples; ignored (may be 0) when `samples` is 1.
    pub interval_ms: u64,
    pub map: RuleMap,
}

impl ResolutionRule {
    /// Why the rule cannot resolve a market of `kind`, if it cannot.
    pub fn invalid_reason(&self, kind: &MarketKind) -> Option<&'static str> {
        if self.samples == 0 || self.samples > RULE_SAMPLES_MAX {
            return Some("a rule averages between 1 and 3,600 samples");
        }
        if self.samples > 1 && self.interval_ms == 0 {
            return Some("a rule with several samples needs a positive interval");
        }
        if self.samples > 1 && u128::from(self.samples - 1) * u128::from(self.interval_ms) > u128::from(self.at_ms) {
            return Some("a rule's first sample would be before time 0");
        }
        match (self.map, *kind) {
            (RuleMap::Threshold { .. }, MarketKind::Binary) => None,
            (RuleMap::Value, MarketKind::Scalar { .. }) => None,
            (RuleMap::Buckets { first_bound, width }, MarketKind::Categorical { outcomes }) => {
                let last_bound = i128::from(first_bound) + i128::from(outcomes - 2) * i128::from(width);
                if width <= 0 {
                    Some("bucket width must be positive")
                } else if last_bound > i128::from(i64::MAX) {
                    Some("the buckets' bounds must fit in 64 bits")
                } else {
                    None
                }
            }
            (RuleMap::Threshold { .. }, _) => Some("a threshold rule needs a binary market"),
            (RuleMap::Value, _) => Some("a value rule needs a scalar market"),
            (RuleMap::Buckets { .. }, _) => Some("a bucket rule needs a categorical market"),
        }
    }

    /// The time of the first (earliest) sample.
    pub fn first_sample_ms(&self) -> TimestampMs {
        self.at_ms - u64::from(self.samples - 1) * self.interval_ms
    }

    /// Which sample (0 = earliest) a value stamped `at_ms` is, if it is one.
    pub fn sample_of(&self, at_ms: TimestampMs) -> Option<usize> {
        if at_ms > self.at_ms || at_ms < self.first_sample_ms() {
            return None;
        }
        if self.samples == 1 {
            return Some(0);
        }
        let from_first = at_ms - self.first_sample_ms();
        // At most `samples - 1` (the moment is within the rule's span), so it fits a usize.
        from_first
            .is_multiple_of(self.interval_ms)
            .then(|| usize::try_from(from_first / self.interval_ms).expect("a sample index is below RULE_SAMPLES_MAX"))
    }

    /// The resolution for a market of `kind` whose samples sum to `sum`.
    pub fn resolve(&self, kind: &MarketKind, sum: i128) -> Resolution {
        let count = i128::from(self.samples);
        // The average rounded towards minus infinity: exact for comparisons with integers.
        let floor_average = sum.div_euclid(count);
        match (self.map, *kind) {
            (RuleMap::Threshold { comparison, threshold }, MarketKind::Binary) => {
                // Compare sum with threshold x count: no rounding at all.
                let scaled = i128::from(threshold) * count;
                let yes = match comparison {
                    Comparison::AtOrAbove => sum >= scaled,
                    Comparison::Above => sum > scaled,
                    Comparison::AtOrBelow => sum <= scaled,
                    Comparison::Below => sum < scaled,
                };
                if yes {
                    Resolution::Yes
                } else {
                    Resolution::No
                }
            }
            (RuleMap::Buckets { first_bound, width }, MarketKind::Categorical { outcomes }) => {
                // avg >= bound exactly when floor(avg) >= bound, for an integer bound.
                let outcome = if floor_average < i128::from(first_bound) {
                    0
                } else {
                    let above = (floor_average - i128::from(first_bound)) / i128::from(width) + 1;
                    // Within [1, outcomes - 1]: `above` is at least 1 here and capped.
                    OutcomeIndex::try_from(above.min(i128::from(outcomes - 1))).expect("an outcome of the market")
                };
                Resolution::Outcome { outcome }
            }
            (RuleMap::Value, MarketKind::Scalar { .. }) => {
                let value = floor_average.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
                Resolution::Scalar { value: i64::try_from(value).expect("clamped to i64") }
            }
            _ => panic!("rule {self:?} does not fit a {kind:?} market"),
        }
    }
}

/// The venue's optimistic-oracle settings. Proposals post at least `min_bond_micros`; a proposal
/// nobody disputes within `liveness_ms` becomes final; a dispute posts an equal bond and the
/// arbiters decide when `quorum` of them vote for the same resolution; the loser's bond goes to the
/// winner less `dispute_fee_ppm` of it (rounded up) for the venue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OracleConfig {
    /// How long an undisputed proposal waits before it is final (ms, at least 1).
    pub liveness_ms: u64,
    /// The least bond a proposal may post (micro-dollars, at least 1).
    pub min_bond_micros: Micros,
    /// How many arbiters' votes for one resolution decide a dispute (1 to 64).
    pub quorum: u32,
    /// The venue's cut of a lost bond, in parts per million (at most 1,000,000), rounded up.
    pub dispute_fee_ppm: u32,
}

impl Default for OracleConfig {
    /// Two hours of liveness, a $100 bond, one arbiter's vote decides, a 5% fee on a lost bond.
    fn default() -> OracleConfig {
        OracleConfig {
            liveness_ms: 2 * 3_600_000,
            min_bond_micros: 100 * MICROS_PER_DOLLAR,
            quorum: 1,
            dispute_fee_ppm: 50_000,
        }
    }
}

impl OracleConfig {
    pub fn invalid_reason(&self) -> Option<&'static str> {
        if self.liveness_ms == 0 {
            return Some("the liveness window must be positive");
        }
        if self.min_bond_micros == 0 {
            return Some("the minimum bond must be positive");
        }
        if self.quorum == 0 || self.quorum > ARBITERS_MAX {
            return Some("the quorum is between 1 and 64 arbiters");
        }
        if u128::from(self.dispute_fee_ppm) > PPM {
            return Some("the dispute fee is at most 1,000,000 ppm");
        }
        None
    }

    /// The venue's cut of a forfeited bond, rounded up.
    pub fn dispute_fee_micros(&self, bond_micros: Micros) -> Micros {
        let fee = (u128::from(bond_micros) * u128::from(self.dispute_fee_ppm)).div_ceil(PPM);
        u64::try_from(fee).expect("the fee is at most the bond")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pays(kind: MarketKind, resolution: Resolution, outcome: OutcomeIndex) -> (Micros, Micros) {
        let p = payout(&kind, &resolution, outcome);
        (p.yes_micros, p.no_micros)
    }

    #[test]
    fn binary_and_invalid_payouts() {
        assert_eq!(pays(MarketKind::Binary, Resolution::Yes, 0), (1_000_000, 0));
        assert_eq!(pays(MarketKind::Binary, Resolution::No, 0), (0, 1_000_000));
        assert_eq!(pays(MarketKind::Binary, Resolution::Invalid, 0), (500_000, 500_000));
    }

    #[test]
    fn categorical_payouts_are_one_hot_and_invalid_splits_rounding_down() {
        let kind = MarketKind::Categorical { outcomes: 3 };
        assert_eq!(pays(kind, Resolution::Outcome { outcome: 1 }, 1), (1_000_000, 0));
        assert_eq!(pays(kind, Resolution::Outcome { outcome: 1 }, 0), (0, 1_000_000));
        assert_eq!(pays(kind, Resolution::Outcome { outcome: 1 }, 2), (0, 1_000_000));
        // 1/3 of a dollar each: a micro of dust per pair.
        assert_eq!(pays(kind, Resolution::Invalid, 2), (333_333, 666_666));
        let four = MarketKind::Categorical { outcomes: 4 };
        assert_eq!(pays(four, Resolution::Invalid, 0), (250_000, 750_000));
    }

    #[test]
    fn scalar_payouts_are_linear_and_clamped() {
        let kind = MarketKind::Scalar { floor: -50, cap: 150 };
        assert_eq!(pays(kind, Resolution::Scalar { value: -50 }, 0), (0, 1_000_000));
        assert_eq!(pays(kind, Resolution::Scalar { value: -1_000 }, 0), (0, 1_000_000));
        assert_eq!(pays(kind, Resolution::Scalar { value: 150 }, 0), (1_000_000, 0));
        assert_eq!(pays(kind, Resolution::Scalar { value: 9_999 }, 0), (1_000_000, 0));
        assert_eq!(pays(kind, Resolution::Scalar { value: 0 }, 0), (250_000, 750_000));
        // 1/3 of the way: both sides round down, one micro of dust.
        let thirds = MarketKind::Scalar { floor: 0, cap: 3 };
        assert_eq!(pays(thirds, Resolution::Scalar { value: 1 }, 0), (333_333, 666_666));
        assert_eq!(pays(thirds, Resolution::Invalid, 0), (500_000, 500_000));
        let wide = MarketKind::Scalar { floor: i64::MIN, cap: i64::MAX };
        let (long, short) = pays(wide, Resolution::Scalar { value: 0 }, 0);
        assert!(long + short <= 1_000_000 && long + short >= 999_999);
    }

    #[test]
    fn resolutions_must_fit_the_market() {
        assert!(Resolution::Invalid.invalid_reason(&MarketKind::Binary).is_none());
        assert!(Resolution::Yes.invalid_reason(&MarketKind::Scalar { floor: 0, cap: 1 }).is_some());
        assert!(Resolution::Outcome { outcome: 3 }.invalid_reason(&MarketKind::Categorical { outcomes: 3 }).is_some());
        assert!(Resolution::Scalar { value: 5 }.invalid_reason(&MarketKind::Binary).is_some());
    }

    #[test]
    fn rules_average_and_compare_exactly() {
        let rule = ResolutionRule {
            index: 7,
            at_ms: 60_000,
            samples: 3,
            interval_ms: 1_000,
            map: RuleMap::Threshold { comparison: Comparison::AtOrAbove, threshold: 100 },
        };
        assert_eq!(rule.first_sample_ms(), 58_000);
        assert_eq!(rule.sample_of(58_000), Some(0));
        assert_eq!(rule.sample_of(60_000), Some(2));
        assert_eq!(rule.sample_of(59_500), None);
        assert_eq!(rule.sample_of(61_000), None);
        assert_eq!(rule.sample_of(57_000), None);
        // 99 + 100 + 101 = 300: exactly 100 on average.
        assert_eq!(rule.resolve(&MarketKind::Binary, 300), Resolution::Yes);
        assert_eq!(rule.resolve(&MarketKind::Binary, 299), Resolution::No);
        let above =
            ResolutionRule { map: RuleMap::Threshold { comparison: Comparison::Above, threshold: 100 }, ..rule };
        assert_eq!(above.resolve(&MarketKind::Binary, 300), Resolution::No);
        assert_eq!(above.resolve(&MarketKind::Binary, 301), Resolution::Yes);

        let buckets = ResolutionRule { map: RuleMap::Buckets { first_bound: 100, width: 10 }, samples: 1, ..rule };
        let kind = MarketKind::Categorical { outcomes: 4 };
        assert!(buckets.invalid_reason(&kind).is_none());
        assert_eq!(buckets.resolve(&kind, 99), Resolution::Outcome { outcome: 0 });
        assert_eq!(buckets.resolve(&kind, 100), Resolution::Outcome { outcome: 1 });
        assert_eq!(buckets.resolve(&kind, 119), Resolution::Outcome { outcome: 2 });
        assert_eq!(buckets.resolve(&kind, 120), Resolution::Outcome { outcome: 3 });
        assert_eq!(buckets.resolve(&kind, 1_000_000), Resolution::Outcome { outcome: 3 });

        let value = ResolutionRule { map: RuleMap::Value, samples: 2, ..rule };
        let scalar = MarketKind::Scalar { floor: 0, cap: 10 };
        assert_eq!(value.resolve(&scalar, 7), Resolution::Scalar { value: 3 });
        assert_eq!(value.resolve(&scalar, -7), Resolution::Scalar { value: -4 });
        assert!(value.invalid_reason(&MarketKind::Binary).is_some());
        assert!(ResolutionRule { samples: 0, ..value }.invalid_reason(&scalar).is_some());
        assert!(ResolutionRule { interval_ms: 0, ..value }.invalid_reason(&scalar).is_some());
    }

    #[test]
    fn dispute_fee_rounds_up() {
        let config = OracleConfig { dispute_fee_ppm: 30_000, ..OracleConfig::default() };
        assert_eq!(config.dispute_fee_micros(1_000_000), 30_000);
        assert_eq!(config.dispute_fee_micros(1), 1);
        assert!(config.invalid_reason().is_none());
        assert!(OracleConfig { quorum: 0, ..config }.invalid_reason().is_some());
    }
}
