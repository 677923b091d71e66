//! The daily threshold markets: at 00:00 UTC of each replayed day, for each asset, binary
//! markets "Will Bitcoin be at or above $K at 00:00 UTC on <tomorrow>?" for strikes around the
//! spot, each resolved by rule from the asset's price index at that moment. Also what the catalog
//! says about them: each market's question, rules, resolution source, slug and outcome names; one
//! event per asset and day (the day's strikes, nested rather than exclusive); one series per asset
//! (`BTC-DAILY`). Pure: the same day and spot give the same markets, ids and catalog entries
//! included, so a restarted replay finds what it listed. The driver submits them.

use augury_catalog::{Category, EventInfo, MarketInfo, OutcomeNames, SeriesInfo};
use augury_core::{
    Comparison, FeeRule, FeeSchedule, IndexId, MarketId, MarketKind, MarketSpec, Micros, ResolutionRule, RuleMap,
};
use augury_intel::candle::{civil_from_days, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE};

/// Strike slots per asset and day (`strikes_per_side` is at most 9: 19 strikes).
pub const SLOTS_PER_ASSET: u32 = 20;
/// Assets per day.
pub const ASSETS_MAX: u32 = 5;

/// What the catalog says about an asset's listings (see [`crate::data::ReplayAsset`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AssetTerms {
    /// Upper case, in tickers and slugs: `BTC`.
    pub name: &'static str,
    /// In titles: "Bitcoin".
    pub long_name: &'static str,
    /// The index's symbol: `BTCUSDT`.
    pub symbol: &'static str,
    pub index: IndexId,
    /// What one index value is ("the close of the ... candle that ends at that moment, in US cents").
    pub index_value: &'static str,
    /// Where the replayed values come from.
    pub history: &'static str,
}

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
    MarketId(day * (ASSETS_MAX * SLOTS_PER_ASSET) + asset * SLOTS_PER_ASSET + slot)
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

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `00:00 UTC on 2 June 2019`.
fn long_moment(at_ms: i64) -> String {
    let (year, month, day) = civil_from_days(at_ms.div_euclid(MS_PER_DAY));
    let in_day = at_ms.rem_euclid(MS_PER_DAY);
    let (hour, minute) = (in_day / MS_PER_HOUR, in_day % MS_PER_HOUR / MS_PER_MINUTE);
    format!("{hour:02}:{minute:02} UTC on {day} {} {year}", MONTHS[month as usize - 1])
}

/// `2019-06-02 00:00:00 UTC`: the exact moment, as rules state it.
pub fn moment(at_ms: i64) -> String {
    let (year, month, day) = civil_from_days(at_ms.div_euclid(MS_PER_DAY));
    let seconds = at_ms.rem_euclid(MS_PER_DAY) / 1_000;
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", seconds / 3_600, seconds / 60 % 60, seconds % 60)
}

/// `2019-06-02`.
fn date(at_ms: i64) -> String {
    let (year, month, day) = civil_from_days(at_ms.div_euclid(MS_PER_DAY));
    format!("{year:04}-{month:02}-{day:02}")
}

/// The question: "Will Bitcoin be at or above $8,600 at 00:00 UTC on 2 June 2019?".
pub fn title(long_name: &str, strike: i64, expires_ms: i64) -> String {
    format!("Will {long_name} be at or above {} at {}?", dollars(strike), long_moment(expires_ms))
}

/// The day's markets for one asset, given the spot (index units) at the day's start.
pub fn day_listings(
    day_ms: i64,
    asset: u32,
    terms: &AssetTerms,
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
            index: terms.index,
            strike,
            expires_ms,
            title: title(terms.long_name, strike, expires_ms),
        })
        .collect()
}

/// The asset's series of daily events: `BTC-DAILY`.
pub fn series_ticker(terms: &AssetTerms) -> String {
    format!("{}-DAILY", terms.name)
}

/// The asset's tags: its names in lower case ("bitcoin", "btc") and "daily".
fn tags(terms: &AssetTerms) -> Vec<String> {
    vec![terms.long_name.to_lowercase(), terms.name.to_lowercase(), "daily".into()]
}

/// The series: "Bitcoin daily close", one event a day.
pub fn series_info(terms: &AssetTerms) -> SeriesInfo {
    SeriesInfo {
        ticker: series_ticker(terms),
        title: format!("{} daily close", terms.long_name),
        category: Category::Crypto,
        tags: tags(terms),
        frequency: "daily".into(),
    }
}

/// The event of an asset's markets resolving at `expires_ms`: `BTC-DAILY-2019-06-02`.
pub fn event_ticker(terms: &AssetTerms, expires_ms: i64) -> String {
    format!("{}-{}", series_ticker(terms), date(expires_ms))
}

/// The event: "Bitcoin on 2 June 2019 at 00:00 UTC", the day's strikes. Not mutually exclusive:
/// the markets are nested (at or above $8,400 holds whenever at or above $8,600 does).
pub fn event_info(terms: &AssetTerms, expires_ms: i64) -> EventInfo {
    let (year, month, day) = civil_from_days(expires_ms.div_euclid(MS_PER_DAY));
    let in_day = expires_ms.rem_euclid(MS_PER_DAY);
    EventInfo {
        ticker: event_ticker(terms, expires_ms),
        title: format!(
            "{} on {day} {} {year} at {:02}:{:02} UTC",
            terms.long_name,
            MONTHS[month as usize - 1],
            in_day / MS_PER_HOUR,
            in_day % MS_PER_HOUR / MS_PER_MINUTE
        ),
        subtitle: format!(
            "Where {} (index {}) stands at {}: one market per strike",
            terms.symbol,
            terms.index,
            moment(expires_ms)
        ),
        category: Category::Crypto,
        tags: tags(terms),
        mutually_exclusive: false,
        series: Some(series_ticker(terms)),
    }
}

/// `btc-above-8600-2019-06-02` (`eth-above-172-50-...` for a strike with cents).
pub fn slug(terms: &AssetTerms, strike: i64, expires_ms: i64) -> String {
    let (whole, cents) = (strike.div_euclid(100), strike.rem_euclid(100));
    let amount = if cents == 0 { whole.to_string() } else { format!("{whole}-{cents:02}") };
    format!("{}-above-{amount}-{}", terms.name.to_lowercase(), date(expires_ms))
}

/// The market's catalog entry: the question, the rule that decides it (the index, the exact
/// moment, the comparison), what happens when no value arrives, and where values come from.
pub fn info(listing: &Listing, terms: &AssetTerms) -> MarketInfo {
    let at = moment(listing.expires_ms);
    let strike = dollars(listing.strike);
    let AssetTerms { symbol, index, index_value, history, .. } = *terms;
    MarketInfo {
        title: listing.title.clone(),
        subtitle: format!("{symbol} at {at}, strike {strike}"),
        description: format!(
            "A daily threshold market of the demo's crypto replay: listed at 00:00 UTC the day before, \
             quoted by the venue's market maker from a calibrated model of the price, and settled by its rule \
             the moment the index value for {at} is recorded."
        ),
        rules_primary: format!(
            "This market resolves by rule, without anyone's judgement, from Augury price index {index} \
             ({symbol}): {index_value}. It resolves YES if the index value for exactly {at} ({} ms since \
             the epoch) is at or above {} cents ({strike}), and NO if it is below. Trading stops at that moment.",
            listing.expires_ms, listing.strike
        ),
        rules_secondary: format!(
            "Only a value stamped exactly {at} counts; values for other moments do not. The market settles as \
             soon as that value is recorded, and nothing recorded later changes it. If no value for that \
             moment arrives, the market stays closed and unresolved until one is recorded (a late value still \
             resolves it by this rule), or until the venue's operator resolves it directly, for example as \
             invalid, which pays each side 50 cents. The values are a replay of history: each is the \
             historical close from the shipped data."
        ),
        resolution_source: format!("Augury price index {index} ({symbol}), fed by the demo's replay of {history}"),
        category: Category::Crypto,
        tags: tags(terms),
        slug: slug(terms, listing.strike, listing.expires_ms),
        outcome_names: OutcomeNames::Binary { yes: format!("At or above {strike}"), no: format!("Below {strike}") },
        image_url: None,
        event: Some(event_ticker(terms, listing.expires_ms)),
        expected_expiration_ms: Some(listing.expires_ms as u64),
    }
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

    fn btc() -> AssetTerms {
        AssetTerms {
            name: "BTC",
            long_name: "Bitcoin",
            symbol: "BTCUSDT",
            index: 1,
            index_value: "the close of the hourly candle that ends at that moment, in US cents",
            history: "the shipped BTCUSDT hourly candles",
        }
    }

    fn eth() -> AssetTerms {
        AssetTerms { name: "ETH", long_name: "Ethereum", symbol: "ETHUSD", index: 2, ..btc() }
    }

    #[test]
    fn a_day_lists_one_market_per_strike_with_distinct_ids() {
        let day = days_from_civil(2019, 6, 1) * MS_PER_DAY;
        let btc_terms = btc();
        let (btc, eth) = (day_listings(day, 0, &btc(), 855_134, 2, 200), day_listings(day, 1, &eth(), 26_487, 2, 200));
        assert_eq!(btc[0].market, MarketId(1_804_800));
        assert_eq!(eth[0].market, MarketId(1_804_820));
        assert_eq!(btc[2].title, "Will Bitcoin be at or above $8,600 at 00:00 UTC on 2 June 2019?");
        assert_eq!(eth[0].title, "Will Ethereum be at or above $240 at 00:00 UTC on 2 June 2019?");
        assert_eq!(dollars(17_250), "$172.50");
        let next = day_listings(day + MS_PER_DAY, 0, &btc_terms, 855_134, 2, 200);
        let mut ids: Vec<MarketId> = btc.iter().chain(&eth).chain(&next).map(|l| l.market).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 15);
        let r = rule(&btc[2]);
        assert_eq!(r.at_ms as i64, day + MS_PER_DAY);
        assert!(r.invalid_reason(&MarketKind::Binary).is_none());
        assert!(spec(&btc[2], 10_000, 70_000).close_time_ms == 0);
    }

    /// The catalog entry states the rule exactly: the index, the moment (to the millisecond), the
    /// comparison and the strike, and the catalog accepts it under its event and series.
    #[test]
    fn a_listing_says_what_decides_it_and_fits_the_catalog() {
        let day = days_from_civil(2019, 6, 1) * MS_PER_DAY;
        let listing = &day_listings(day, 0, &btc(), 855_134, 2, 200)[2];
        let info = info(listing, &btc());
        assert_eq!(info.title, "Will Bitcoin be at or above $8,600 at 00:00 UTC on 2 June 2019?");
        assert_eq!(moment(listing.expires_ms), "2019-06-02 00:00:00 UTC");
        for needle in [
            "Augury price index 1 (BTCUSDT)",
            "the close of the hourly candle that ends at that moment, in US cents",
            "for exactly 2019-06-02 00:00:00 UTC (1559433600000 ms since the epoch)",
            "at or above 860000 cents ($8,600)",
            "NO if it is below",
        ] {
            assert!(info.rules_primary.contains(needle), "{needle:?} not in {}", info.rules_primary);
        }
        assert!(info.rules_secondary.contains("If no value for that moment arrives"));
        assert!(info.resolution_source.contains("the shipped BTCUSDT hourly candles"));
        assert_eq!(info.slug, "btc-above-8600-2019-06-02");
        assert_eq!(slug(&eth(), 17_250, listing.expires_ms), "eth-above-172-50-2019-06-02");
        assert_eq!(
            info.outcome_names,
            OutcomeNames::Binary { yes: "At or above $8,600".into(), no: "Below $8,600".into() }
        );
        assert_eq!(info.tags, ["bitcoin", "btc", "daily"]);
        assert_eq!(info.category, Category::Crypto);
        assert_eq!(info.expected_expiration_ms, Some(listing.expires_ms as u64));
        assert_eq!(info.event.as_deref(), Some("BTC-DAILY-2019-06-02"));

        let series = series_info(&btc());
        assert_eq!((series.ticker.as_str(), series.title.as_str()), ("BTC-DAILY", "Bitcoin daily close"));
        assert_eq!(series.frequency, "daily");
        let event = event_info(&btc(), listing.expires_ms);
        assert_eq!(event.title, "Bitcoin on 2 June 2019 at 00:00 UTC");
        assert!(!event.mutually_exclusive, "threshold markets are nested");
        assert_eq!(event.series.as_deref(), Some("BTC-DAILY"));

        let mut catalog = augury_catalog::Catalog::new();
        catalog.create_series(series, 0).unwrap();
        catalog.create_event(event, 0).unwrap();
        let spec = spec(listing, 10_000, 70_000);
        catalog.check_listing(&spec, &info).unwrap();
        catalog.list_market(&spec, info, 0);
        assert_eq!(catalog.market_series(listing.market), Some("BTC-DAILY"));
        assert_eq!(catalog.market_by_slug("btc-above-8600-2019-06-02"), Some(listing.market));
    }
}
