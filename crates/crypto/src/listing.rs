//! The daily threshold markets: at 00:00 UTC of each replayed day, for each asset, binary
//! markets "ASSET at or above K at 00:00 UTC tomorrow" for strikes around the spot, each
//! resolved by rule from the asset's price index at that moment. Pure: the same day and spot
//! give the same markets, ids included, so a restarted replay finds what it listed.

use augury_core::{
    Comparison, FeeRule, FeeSchedule, IndexId, MarketId, MarketKind, MarketSpec, Micros, ResolutionRule, RuleMap,
};
use augury_intel::candle::{format_time, MS_PER_DAY};

/// Strike slots per asset and day (`strikes_per_side` is at most 9: 19 strikes).
pub const SLOTS_PER_ASSET: u32 = 20;
/// Assets per day.
pub const ASSETS_MAX: u32 = 5;

/// A listed market's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub market: MarketId,
    /// Which replayed asset (its position in the replay's list).
    pub asset: u32,
    pub index: IndexId,
    /// The strike in index units (cents).
    pub strike: i64,
    /// When it resolves: the index value at this moment (and trading stops).
    pub expires_ms: i64,
    pub title: String,
}

/// The market id of an asset's strike slot on a day: `day x 100 + asset x 20 + slot`, where day
/// counts days since 1970-01-01 (2019-06-01 is day 18,048: ids 1,804,800 and up).
pub fn market_id(day_ms: i64, asset: u32, slot: u32) -> MarketId {
    debug_assert!(asset < ASSETS_MAX && slot < SLOTS_PER_ASSET);
    let day = day_ms.div_euclid(MS_PER_DAY) as u32;
    day * (ASSETS_MAX * SLOTS_PER_ASSET) + asset * SLOTS_PER_ASSET + slot
}

/// 1, 2, 2.5 or 5 times a power of ten: the nearest at or above `x` (> 0).
pub fn nice_step(x: f64) -> f64 {
    let power = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * power).find(|&s| s >= x * (1.0 - 1e-12)).unwrap_or(10.0 * power)
}

/// Strikes (index units) around `spot` (index units): a nice step near `step_bps` of the spot,
/// the nearest multiple of it, and `per_side` steps each side; none at or below zero.
pub fn strikes(spot: i64, per_side: u32, step_bps: u32) -> Vec<i64> {
    let step = (nice_step(spot as f64 * f64::from(step_bps) / 10_000.0).round() as i64).max(1);
    let centre = ((spot as f64 / step as f64).round() as i64) * step;
    let n = i64::from(per_side);
    (-n..=n).map(|k| centre + k * step).filter(|&k| k > 0).collect()
}

/// Dollars with thousands separators, from cents: `$8,600` or `$172.50`.
pub fn dollars(cents: i64) -> String {
    let whole = cents.div_euclid(100);
    let mut digits = whole.to_string();
    let mut out = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        out = format!(",{tail}{out}");
    }
    let frac = cents.rem_euclid(100);
    if frac == 0 {
        format!("${digits}{out}")
    } else {
        format!("${digits}{out}.{frac:02}")
    }
}

/// The day's markets for one asset, given the spot (index units) at the day's start.
pub fn day_listings(
    day_ms: i64,
    asset: u32,
    asset_name: &str,
    index: IndexId,
    spot: i64,
    per_side: u32,
    step_bps: u32,
) -> Vec<Listing> {
    let expires_ms = day_ms + MS_PER_DAY;
    strikes(spot, per_side, step_bps)
        .into_iter()
        .enumerate()
        .map(|(slot, strike)| Listing {
            market: market_id(day_ms, asset, slot as u32),
            asset,
            index,
            strike,
            expires_ms,
            title: format!("{asset_name} at or above {} at {} 00:00 UTC", dollars(strike), format_time(expires_ms)),
        })
        .collect()
}

/// The market's spec: binary, no close time of its own (the rule closes it), makers free and
/// takers paying `rate x C x P x (1 - P)` rounded up to the cent, as regulated venues charge.
pub fn spec(listing: &Listing, tick_micros: Micros, taker_fee_ppm: u32) -> MarketSpec {
    let taker = if taker_fee_ppm == 0 {
        FeeRule::Zero
    } else {
        FeeRule::Quadratic { rate_ppm: taker_fee_ppm, rounding_micros: 10_000 }
    };
    MarketSpec {
        market: listing.market,
        kind: MarketKind::Binary,
        tick_micros,
        fees: FeeSchedule { maker: FeeRule::Zero, taker },
        close_time_ms: 0,
    }
}

/// YES when the index value at expiry is at or above the strike.
pub fn rule(listing: &Listing) -> ResolutionRule {
    ResolutionRule {
        index: listing.index,
        at_ms: listing.expires_ms as u64,
        samples: 1,
        interval_ms: 0,
        map: RuleMap::Threshold { comparison: Comparison::AtOrAbove, threshold: listing.strike },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use augury_intel::candle::days_from_civil;

    #[test]
    fn strikes_are_nice_and_centred() {
        assert_eq!(nice_step(170.0), 200.0);
        assert_eq!(nice_step(5.0), 5.0);
        assert_eq!(nice_step(2.2), 2.5);
        assert_eq!(nice_step(0.031), 0.05);
        // BTC at $8,551.34: 2% is $171 -> $200 steps around $8,600.
        assert_eq!(strikes(855_134, 2, 200), vec![820_000, 840_000, 860_000, 880_000, 900_000]);
        // ETH at $264.87: 2% is $5.30 -> $10 steps around $260.
        assert_eq!(strikes(26_487, 1, 200), vec![25_000, 26_000, 27_000]);
        assert!(strikes(3, 3, 200).iter().all(|&k| k > 0));
    }

    #[test]
    fn a_day_lists_one_market_per_strike_with_distinct_ids() {
        let day = days_from_civil(2019, 6, 1) * MS_PER_DAY;
        let btc = day_listings(day, 0, "BTC", 1, 855_134, 2, 200);
        let eth = day_listings(day, 1, "ETH", 2, 26_487, 2, 200);
        assert_eq!(btc[0].market, 1_804_800);
        assert_eq!(eth[0].market, 1_804_820);
        assert_eq!(btc[2].title, "BTC at or above $8,600 at 2019-06-02 00:00 UTC");
        assert_eq!(dollars(17_250), "$172.50");
        let next = day_listings(day + MS_PER_DAY, 0, "BTC", 1, 855_134, 2, 200);
        let mut ids: Vec<MarketId> = btc.iter().chain(&eth).chain(&next).map(|l| l.market).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 15);
        let r = rule(&btc[2]);
        assert_eq!(r.at_ms as i64, day + MS_PER_DAY);
        assert!(r.invalid_reason(&MarketKind::Binary).is_none());
        assert!(spec(&btc[2], 10_000, 70_000).close_time_ms == 0);
    }
}
