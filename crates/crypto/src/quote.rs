//! The market maker's quotes for one binary threshold market: a bid and an ask in YES ticks
//! around the model's probability, skewed against its inventory, sized within its risk limits.
//! Pure: the same inputs give the same quotes; the driver places them.
//!
//! - **Centre**: `fair x ticks_per_dollar - skew_ticks_at_max x net / max_position`. Long YES
//!   (`net > 0`) lowers both prices (sell more readily, buy less), short raises them.
//! - **Prices**: `bid = floor(centre - half)`, `ask = ceil(centre + half)` with `half` at least
//!   half the minimum spread: rounding always widens the spread, in the market maker's favour.
//!   A side that would fall outside `[1, ticks_per_dollar - 1]` is not quoted (the model says
//!   the contract is worth less than a tick, or more than a dollar less a tick).
//! - **Sizes**: at most `quote_size`; a bid (buying YES) may not take the net position past
//!   `+max_position`, an ask (buying NO) past `-max_position`; and if either side filled
//!   entirely, the exposure (unhedged contracts counted at a dollar each, the most they can
//!   lose) of this market plus the others may not exceed `max_exposure_micros`. A side whose
//!   size comes to zero is not quoted. If both sides fill, the position moves by their
//!   difference, which lies between the two single-side cases, so that is within limits too.

use augury_core::{Micros, Quantity, MICROS_PER_DOLLAR};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RiskLimits {
    /// Contracts per side per quote.
    pub quote_size: Quantity,
    /// Largest net position (YES - NO contracts) in one market, either way.
    pub max_position: Quantity,
    /// Largest total exposure over all markets: unhedged contracts at a dollar each, counting
    /// each market's resting quotes as filled on its worse side.
    pub max_exposure_micros: Micros,
    /// Narrowest bid-ask spread, in ticks (at least 1).
    pub min_spread_ticks: u32,
    /// How far the centre moves at a full position, in ticks.
    pub skew_ticks_at_max: f64,
}

impl Default for RiskLimits {
    fn default() -> RiskLimits {
        RiskLimits {
            quote_size: 20,
            max_position: 200,
            max_exposure_micros: 2_000 * MICROS_PER_DOLLAR,
            min_spread_ticks: 4,
            skew_ticks_at_max: 6.0,
        }
    }
}

impl RiskLimits {
    pub fn problem(&self) -> Option<String> {
        if self.quote_size == 0 || self.quote_size > 1_000_000 {
            return Some("the quote size is 1 to 1,000,000 contracts".into());
        }
        if self.max_position == 0 || self.max_position > 1_000_000_000 {
            return Some("the position limit is 1 to 10^9 contracts".into());
        }
        if self.max_exposure_micros > 1_000_000_000 * MICROS_PER_DOLLAR {
            return Some("the exposure limit is at most $10^9".into());
        }
        if self.min_spread_ticks == 0 {
            return Some("the minimum spread is at least one tick".into());
        }
        if !(self.skew_ticks_at_max.is_finite() && self.skew_ticks_at_max >= 0.0) {
            return Some("the skew is a number of ticks, zero or more".into());
        }
        None
    }
}

/// One side of a quote: a price in YES ticks and a quantity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level {
    pub ticks: u32,
    pub quantity: Quantity,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Quote {
    /// Buy YES at this price.
    pub bid: Option<Level>,
    /// Sell YES at this price (the market maker buys NO at a dollar less it).
    pub ask: Option<Level>,
}

impl Quote {
    /// The market's exposure if the worse side of this quote filled entirely.
    pub fn worst_exposure_micros(&self, net: i64) -> Micros {
        let up = net + self.bid.map_or(0, |l| l.quantity as i64);
        let down = net - self.ask.map_or(0, |l| l.quantity as i64);
        exposure_micros(up).max(exposure_micros(down))
    }
}

/// A net position's exposure: each unhedged contract at a dollar.
pub fn exposure_micros(net: i64) -> Micros {
    net.unsigned_abs().saturating_mul(MICROS_PER_DOLLAR)
}

/// The quote for a market whose YES the model prices at `fair` (a probability), where the market
/// maker holds `net` (YES - NO) and its other markets' worst-case exposure is
/// `other_exposure_micros`, on a grid of `ticks_per_dollar` ticks.
pub fn quote(fair: f64, net: i64, other_exposure_micros: Micros, limits: &RiskLimits, ticks_per_dollar: u32) -> Quote {
    if !fair.is_finite() || ticks_per_dollar < 3 {
        return Quote::default();
    }
    let top = f64::from(ticks_per_dollar - 1);
    let max_position = limits.max_position as i64;
    let skew = limits.skew_ticks_at_max * (net as f64 / max_position as f64).clamp(-1.0, 1.0);
    let centre = fair.clamp(0.0, 1.0) * f64::from(ticks_per_dollar) - skew;
    let half = f64::from(limits.min_spread_ticks.max(1)) / 2.0;
    let bid_ticks = (centre - half).floor();
    let ask_ticks = (centre + half).ceil();

    // Contracts of exposure left for this market, if the others' quotes all filled badly.
    let room = limits.max_exposure_micros.saturating_sub(other_exposure_micros) / MICROS_PER_DOLLAR;
    let room = room.min(i64::MAX as u64) as i64;
    let size = limits.quote_size.min(i64::MAX as u64) as i64;
    // Buying YES moves net up: net + q <= max_position and |net + q| <= room.
    let bid_quantity = size.min(max_position - net).min(room - net);
    // Buying NO moves net down: net - q >= -max_position and |net - q| <= room.
    let ask_quantity = size.min(max_position + net).min(room + net);

    let bid = (bid_ticks >= 1.0 && bid_ticks <= top && bid_quantity > 0)
        .then_some(Level { ticks: bid_ticks as u32, quantity: bid_quantity as Quantity });
    let ask = (ask_ticks >= 1.0 && ask_ticks <= top && ask_quantity > 0)
        .then_some(Level { ticks: ask_ticks as u32, quantity: ask_quantity as Quantity });
    Quote { bid, ask }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T: u32 = 100;

    #[test]
    fn a_flat_book_quotes_around_the_fair_value() {
        let limits = RiskLimits::default();
        let q = quote(0.5, 0, 0, &limits, T);
        assert_eq!(q.bid, Some(Level { ticks: 48, quantity: 20 }));
        assert_eq!(q.ask, Some(Level { ticks: 52, quantity: 20 }));
        // Rounding widens the spread: a centre of 50.3 gives floor(48.3) = 48 and ceil(52.3) = 53.
        let q = quote(0.503, 0, 0, &limits, T);
        assert_eq!((q.bid.unwrap().ticks, q.ask.unwrap().ticks), (48, 53));
    }

    #[test]
    fn extreme_probabilities_quote_one_side() {
        let limits = RiskLimits::default();
        let q = quote(0.995, 0, 0, &limits, T);
        assert_eq!((q.bid.map(|l| l.ticks), q.ask), (Some(97), None));
        let q = quote(0.002, 0, 0, &limits, T);
        assert_eq!((q.bid, q.ask.map(|l| l.ticks)), (None, Some(3)));
        assert_eq!(quote(f64::NAN, 0, 0, &limits, T), Quote::default());
    }

    #[test]
    fn inventory_skews_and_limits_bind() {
        let limits = RiskLimits::default();
        let long = quote(0.5, 100, 0, &limits, T);
        assert_eq!((long.bid.unwrap().ticks, long.ask.unwrap().ticks), (45, 49));
        // At the position limit only the side that reduces it is quoted.
        let full = quote(0.5, 200, 0, &limits, T);
        assert_eq!((full.bid, full.ask.map(|l| l.quantity)), (None, Some(20)));
        // 5 contracts of exposure room left: the bid shrinks to it, the reducing ask does not.
        let tight = quote(0.5, 10, limits.max_exposure_micros - 15 * MICROS_PER_DOLLAR, &limits, T);
        assert_eq!(tight.bid.map(|l| l.quantity), Some(5));
        assert_eq!(tight.ask.map(|l| l.quantity), Some(20));
        assert_eq!(tight.worst_exposure_micros(10), 15 * MICROS_PER_DOLLAR);
    }

    fn limits_strategy() -> impl Strategy<Value = RiskLimits> {
        (1u64..100, 1u64..500, 0u64..20_000, 1u32..20, 0.0f64..30.0).prop_map(
            |(quote_size, max_position, dollars, min_spread_ticks, skew_ticks_at_max)| RiskLimits {
                quote_size,
                max_position,
                max_exposure_micros: dollars * MICROS_PER_DOLLAR,
                min_spread_ticks,
                skew_ticks_at_max,
            },
        )
    }

    proptest! {
        #[test]
        fn quotes_stay_on_the_grid_and_within_limits(
            fair in -0.1f64..1.1,
            net_fraction in -1.0f64..1.0,
            other_dollars in 0u64..25_000,
            limits in limits_strategy(),
            ticks_per_dollar in prop::sample::select(vec![10u32, 20, 50, 100, 1_000]),
        ) {
            let net = (net_fraction * limits.max_position as f64) as i64;
            let other = other_dollars * MICROS_PER_DOLLAR;
            let q = quote(fair, net, other, &limits, ticks_per_dollar);
            for level in [q.bid, q.ask].into_iter().flatten() {
                prop_assert!(level.ticks >= 1 && level.ticks < ticks_per_dollar);
                prop_assert!(level.quantity >= 1 && level.quantity <= limits.quote_size);
            }
            if let (Some(bid), Some(ask)) = (q.bid, q.ask) {
                prop_assert!(ask.ticks - bid.ticks >= limits.min_spread_ticks.max(1));
            }
            // Never quoted through the (skewed) fair value.
            let centre = fair.clamp(0.0, 1.0) * f64::from(ticks_per_dollar)
                - limits.skew_ticks_at_max * (net as f64 / limits.max_position as f64);
            if let Some(bid) = q.bid { prop_assert!(f64::from(bid.ticks) <= centre); }
            if let Some(ask) = q.ask { prop_assert!(f64::from(ask.ticks) >= centre); }
            // A fill of either side stays within the position limit, and within the exposure
            // limit unless it only reduces an exposure already over it.
            if let Some(bid) = q.bid {
                let after = net + bid.quantity as i64;
                prop_assert!(after <= limits.max_position as i64);
                prop_assert!(
                    other + exposure_micros(after) <= limits.max_exposure_micros || after.abs() < net.abs()
                );
            }
            if let Some(ask) = q.ask {
                let after = net - ask.quantity as i64;
                prop_assert!(after >= -(limits.max_position as i64));
                prop_assert!(
                    other + exposure_micros(after) <= limits.max_exposure_micros || after.abs() < net.abs()
                );
            }
        }

        #[test]
        fn more_inventory_never_raises_the_quotes(
            fair in 0.05f64..0.95,
            a in -150i64..150,
            b in -150i64..150,
        ) {
            let limits = RiskLimits { max_position: 1_000, ..RiskLimits::default() };
            let (low, high) = (a.min(b), a.max(b));
            let ql = quote(fair, low, 0, &limits, T);
            let qh = quote(fair, high, 0, &limits, T);
            if let (Some(l), Some(h)) = (ql.bid, qh.bid) { prop_assert!(h.ticks <= l.ticks); }
            if let (Some(l), Some(h)) = (ql.ask, qh.ask) { prop_assert!(h.ticks <= l.ticks); }
            // Long inventory: the centre is below fair; short: above.
            let flat = quote(fair, 0, 0, &limits, T);
            let long = quote(fair, 150, 0, &limits, T);
            if let (Some(f), Some(l)) = (flat.ask, long.ask) { prop_assert!(l.ticks <= f.ticks); }
        }
    }
}
