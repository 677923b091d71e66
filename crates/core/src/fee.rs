//! Fee rules. A fee is charged per fill, in micro-dollars, rounded up (in the venue's favour) to a
//! rounding unit. The quadratic rule is the shape regulated prediction venues publish:
//! `ceil(rate x C x P x (1 - P))`, largest at P = 0.5 and vanishing towards certainty.

use crate::units::{Micros, Quantity, MICROS_PER_DOLLAR};
use serde::{Deserialize, Serialize};

/// Parts per million: a rate of 70,000 ppm is 7%.
pub const PPM: u128 = 1_000_000;

/// How one party to a fill is charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FeeRule {
    /// No fee.
    Zero,
    /// `rate x C x P x (1 - P)` dollars, rounded up to `rounding_micros`.
    Quadratic { rate_ppm: u32, rounding_micros: u32 },
    /// `rate x C x P` dollars (a share of the notional), rounded up to `rounding_micros`.
    Proportional { rate_ppm: u32, rounding_micros: u32 },
}

/// The fee rules of one market: one for the resting order (maker), one for the incoming (taker).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeeSchedule {
    pub maker: FeeRule,
    pub taker: FeeRule,
}

impl FeeSchedule {
    pub const ZERO: FeeSchedule = FeeSchedule { maker: FeeRule::Zero, taker: FeeRule::Zero };

    /// Per-contract collateral a buy order at `limit_price_micros` reserves for fees, enough for
    /// any fill at or below its limit, whether the order ends up maker or taker.
    pub fn unit_reserve_micros(&self, limit_price_micros: Micros) -> Micros {
        self.maker.unit_bound_micros(limit_price_micros).max(self.taker.unit_bound_micros(limit_price_micros))
    }
}

impl FeeRule {
    /// Whether the rule's parameters make sense: a rate of at most 100% and a rounding unit of at
    /// least one micro-dollar and at most one dollar.
    pub fn is_valid(&self) -> bool {
        match *self {
            FeeRule::Zero => true,
            FeeRule::Quadratic { rate_ppm, rounding_micros } | FeeRule::Proportional { rate_ppm, rounding_micros } => {
                u128::from(rate_ppm) <= PPM && rounding_micros >= 1 && u64::from(rounding_micros) <= MICROS_PER_DOLLAR
            }
        }
    }

    /// The fee for a fill of `quantity` contracts at `price_micros` (the payer's own price).
    pub fn fee_micros(&self, quantity: Quantity, price_micros: Micros) -> Micros {
        debug_assert!(price_micros <= MICROS_PER_DOLLAR);
        let dollar = u128::from(MICROS_PER_DOLLAR);
        let (numerator, denominator, rounding) = match *self {
            FeeRule::Zero => return 0,
            // micros = rate_ppm/1e6 * C * (P/1e6) * ((1e6-P)/1e6) * 1e6
            FeeRule::Quadratic { rate_ppm, rounding_micros } => (
                u128::from(rate_ppm)
                    * u128::from(quantity)
                    * u128::from(price_micros)
                    * (dollar - u128::from(price_micros)),
                PPM * dollar,
                u128::from(rounding_micros),
            ),
            // micros = rate_ppm/1e6 * C * P
            FeeRule::Proportional { rate_ppm, rounding_micros } => (
                u128::from(rate_ppm) * u128::from(quantity) * u128::from(price_micros),
                PPM,
                u128::from(rounding_micros),
            ),
        };
        let unit = denominator * rounding;
        let rounded_up = numerator.div_ceil(unit) * rounding;
        u64::try_from(rounded_up).expect("a fee is bounded by the notional, far below u64::MAX")
    }

    /// The largest per-contract fee of any fill at a price at or below `limit_price_micros`. Because
    /// rounding up is sub-additive over whole contracts (ceil(c x) <= c ceil(x)), a reservation of
    /// this much per contract covers every sequence of fills.
    pub fn unit_bound_micros(&self, limit_price_micros: Micros) -> Micros {
        let worst_price = match *self {
            FeeRule::Zero => return 0,
            // P(1-P) rises up to one half, so the worst price is the limit or one half.
            FeeRule::Quadratic { .. } => limit_price_micros.min(MICROS_PER_DOLLAR / 2),
            FeeRule::Proportional { .. } => limit_price_micros,
        };
        self.fee_micros(1, worst_price)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KALSHI_LIKE: FeeRule = FeeRule::Quadratic { rate_ppm: 70_000, rounding_micros: 10_000 };

    #[test]
    fn quadratic_fee_matches_the_published_formula() {
        // 0.07 * 100 * 0.5 * 0.5 = 1.75 dollars exactly.
        assert_eq!(KALSHI_LIKE.fee_micros(100, 500_000), 1_750_000);
        // 0.07 * 1 * 0.5 * 0.5 = 0.0175 dollars, rounded up to the cent.
        assert_eq!(KALSHI_LIKE.fee_micros(1, 500_000), 20_000);
        // 0.07 * 10 * 0.1 * 0.9 = 0.063, rounded up to 0.07.
        assert_eq!(KALSHI_LIKE.fee_micros(10, 100_000), 70_000);
    }

    #[test]
    fn fee_rounds_up_never_down() {
        let per_micro = FeeRule::Quadratic { rate_ppm: 70_000, rounding_micros: 1 };
        // 0.07 * 3 * 0.333333 * 0.666667 = 0.046666... dollars = 46,666.6... micros -> 46,667.
        assert_eq!(per_micro.fee_micros(3, 333_333), 46_667);
        let proportional = FeeRule::Proportional { rate_ppm: 1, rounding_micros: 1 };
        assert_eq!(proportional.fee_micros(1, 1), 1, "any positive fee rounds up to a micro");
    }

    #[test]
    fn unit_bound_covers_any_fill_at_or_below_the_limit() {
        for limit in [10_000u64, 250_000, 500_000, 730_000, 990_000] {
            let bound = KALSHI_LIKE.unit_bound_micros(limit);
            for price in (10_000..=limit).step_by(10_000) {
                for quantity in [1u64, 2, 3, 7, 50] {
                    assert!(KALSHI_LIKE.fee_micros(quantity, price) <= quantity * bound);
                }
            }
        }
    }

    #[test]
    fn zero_rule_charges_nothing() {
        assert_eq!(FeeRule::Zero.fee_micros(1_000, 500_000), 0);
        assert_eq!(FeeRule::Zero.unit_bound_micros(500_000), 0);
    }
}
