//! The candles the intelligence endpoints read, in memory: loaded from the venue's candle store
//! (`DATA_DIR/candles`, filled by `augury import candles`) at start, and extended while the venue
//! runs (the demo's price replay appends each candle as it closes). Reads take a cheap shared
//! copy (`Arc`) of a series and compute outside the lock.
//!
//! Threshold fits are the expensive part (tens of milliseconds), so each is kept per asset,
//! interval and UTC day: the API and the demo's market maker fit once a day, on the same window
//! (see [`augury_intel::live`]).

use augury_intel::candle::{resample_daily, Candle, Interval, Series, MS_PER_DAY};
use augury_intel::live::{self, LiveConfig, LiveFit};
use augury_intel::store::check_symbol;
use augury_intel::threshold::ThresholdError;
use augury_intel::CandleStore;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

/// Most symbols held (an import beyond this is refused).
pub const SYMBOLS_MAX: usize = 1_024;
/// Threshold fits kept; past this the cache starts again.
const FITS_MAX: usize = 256;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum IntelError {
    #[error("symbol {0:?} must be 1 to 32 letters, digits, '.', '_' or '-'")]
    BadSymbol(String),
    #[error("the candle at {open_time_ms} ms is before the last one held for {symbol} ({last_ms} ms)")]
    OutOfOrder { symbol: String, open_time_ms: i64, last_ms: i64 },
    #[error("at most {SYMBOLS_MAX} symbols are held")]
    TooManySymbols,
}

#[derive(Clone, Debug, Default)]
struct Asset {
    series: BTreeMap<Interval, Arc<Series>>,
    /// Bumped when held candles are replaced (not when one is appended after the last), so a
    /// cached fit of an earlier window stays valid while the series grows.
    generation: u64,
}

type FitKey = (String, i64, i64, u64);

/// What a price index measures: an asset's price, in index units per unit of price (100 for
/// cents). Rule markets on the index can then be described as questions about the asset.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexInfo {
    pub symbol: String,
    pub units_per_price: f64,
}

pub struct IntelHub {
    assets: RwLock<BTreeMap<String, Asset>>,
    indices: RwLock<BTreeMap<u32, IndexInfo>>,
    fits: Mutex<HashMap<FitKey, Arc<LiveFit>>>,
    config: LiveConfig,
}

/// What the endpoints need of one asset: its series, and which of them grades use.
#[derive(Clone, Debug)]
pub struct AssetData {
    pub symbol: String,
    pub series: Vec<Arc<Series>>,
    pub generation: u64,
}

impl AssetData {
    /// The series at `interval`, or `1d` resampled from the finest series that divides a day.
    pub fn at(&self, interval: Interval) -> Option<Arc<Series>> {
        if let Some(s) = self.series.iter().find(|s| s.interval == interval) {
            return Some(Arc::clone(s));
        }
        (interval == Interval::DAY).then(|| self.daily()).flatten()
    }

    /// Daily candles: the stored `1d` series, else the finest intraday series that divides a
    /// day, resampled to complete UTC days.
    pub fn daily(&self) -> Option<Arc<Series>> {
        if let Some(s) = self.series.iter().find(|s| s.interval == Interval::DAY) {
            return Some(Arc::clone(s));
        }
        let finest = self.series.iter().find(|s| s.interval.ms() < MS_PER_DAY && MS_PER_DAY % s.interval.ms() == 0)?;
        Some(Arc::new(resample_daily(finest)))
    }

    /// The interval daily grades come from (`1d`, stored or resampled), if any.
    pub fn daily_source(&self) -> Option<Interval> {
        if self.series.iter().any(|s| s.interval == Interval::DAY) {
            return Some(Interval::DAY);
        }
        self.series
            .iter()
            .find(|s| s.interval.ms() < MS_PER_DAY && MS_PER_DAY % s.interval.ms() == 0)
            .map(|s| s.interval)
    }

    /// The series threshold probabilities use: the finest of at most a day.
    pub fn threshold_series(&self) -> Option<Arc<Series>> {
        self.series.iter().find(|s| s.interval.ms() <= MS_PER_DAY).cloned()
    }

    /// Intervals a caller may ask for: those held, and `1d` when it can be resampled.
    pub fn intervals(&self) -> Vec<Interval> {
        let mut out: Vec<Interval> = self.series.iter().map(|s| s.interval).collect();
        if !out.contains(&Interval::DAY) && self.daily_source().is_some() {
            out.push(Interval::DAY);
        }
        out.sort();
        out
    }
}

impl Default for IntelHub {
    fn default() -> IntelHub {
        IntelHub::new(LiveConfig::default())
    }
}

impl IntelHub {
    pub fn new(config: LiveConfig) -> IntelHub {
        IntelHub {
            assets: RwLock::new(BTreeMap::new()),
            indices: RwLock::new(BTreeMap::new()),
            fits: Mutex::new(HashMap::new()),
            config,
        }
    }

    /// Everything in the candle store. A damaged file is logged and left out, so one bad import
    /// does not keep the venue from starting.
    pub fn load(store: &CandleStore) -> IntelHub {
        let hub = IntelHub::default();
        match store.list() {
            Ok(pairs) => {
                for (symbol, interval) in pairs {
                    match store.load(&symbol, interval) {
                        Ok(series) if !series.candles.is_empty() => {
                            if let Err(e) = hub.insert_series(&symbol, series) {
                                tracing::warn!(%symbol, error = %e, "candles not loaded");
                            }
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(%symbol, error = %e, "stored candles not loaded"),
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "the candle store could not be listed"),
        }
        hub
    }

    pub fn config(&self) -> &LiveConfig {
        &self.config
    }

    fn assets(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Asset>> {
        self.assets.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn assets_mut(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Asset>> {
        self.assets.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Holds `series` for `symbol` at its interval, replacing what was held there.
    pub fn insert_series(&self, symbol: &str, series: Series) -> Result<(), IntelError> {
        check_symbol(symbol).map_err(|_| IntelError::BadSymbol(symbol.to_string()))?;
        let mut assets = self.assets_mut();
        if !assets.contains_key(symbol) && assets.len() >= SYMBOLS_MAX {
            return Err(IntelError::TooManySymbols);
        }
        let asset = assets.entry(symbol.to_string()).or_default();
        asset.series.insert(series.interval, Arc::new(series));
        asset.generation += 1;
        Ok(())
    }

    /// Adds a candle after the last one held for `symbol` at `interval` (a candle at the last
    /// one's open time replaces it: an update of the live bar).
    pub fn append(&self, symbol: &str, interval: Interval, candle: Candle) -> Result<(), IntelError> {
        check_symbol(symbol).map_err(|_| IntelError::BadSymbol(symbol.to_string()))?;
        let mut assets = self.assets_mut();
        if !assets.contains_key(symbol) && assets.len() >= SYMBOLS_MAX {
            return Err(IntelError::TooManySymbols);
        }
        let asset = assets.entry(symbol.to_string()).or_default();
        let series = asset.series.entry(interval).or_insert_with(|| Arc::new(Series { interval, candles: Vec::new() }));
        let series = Arc::make_mut(series);
        match series.candles.last().map(|c| c.open_time_ms) {
            Some(last_ms) if candle.open_time_ms < last_ms => {
                return Err(IntelError::OutOfOrder {
                    symbol: symbol.to_string(),
                    open_time_ms: candle.open_time_ms,
                    last_ms,
                })
            }
            Some(last_ms) if candle.open_time_ms == last_ms => {
                *series.candles.last_mut().expect("a last candle") = candle;
                asset.generation += 1;
            }
            _ => series.candles.push(candle),
        }
        Ok(())
    }

    /// Says that price index `index` follows `symbol`'s price (the demo's replay does).
    pub fn set_index(&self, index: u32, info: IndexInfo) {
        self.indices.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(index, info);
    }

    /// The indices known to follow an asset.
    pub fn indices(&self) -> BTreeMap<u32, IndexInfo> {
        self.indices.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The symbols held, sorted.
    pub fn symbols(&self) -> Vec<String> {
        self.assets().keys().cloned().collect()
    }

    pub fn asset(&self, symbol: &str) -> Option<AssetData> {
        let assets = self.assets();
        let asset = assets.get(symbol)?;
        Some(AssetData {
            symbol: symbol.to_string(),
            series: asset.series.values().cloned().collect(),
            generation: asset.generation,
        })
    }

    /// The threshold fit of `series` for the UTC day of `as_of_ms`, computed once per asset,
    /// interval, day and generation.
    pub fn fit(&self, asset: &AssetData, series: &Series, as_of_ms: i64) -> Result<Arc<LiveFit>, ThresholdError> {
        let day = live::day_of(as_of_ms);
        let key = (asset.symbol.clone(), series.interval.ms(), day, asset.generation);
        if let Some(fit) = self.fits.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&key) {
            return Ok(Arc::clone(fit));
        }
        let fit = Arc::new(live::fit_for_day(series, day, &self.config)?);
        let mut fits = self.fits.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if fits.len() >= FITS_MAX {
            fits.clear();
        }
        fits.insert(key, Arc::clone(&fit));
        Ok(fit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candle(open_time_ms: i64, close: f64) -> Candle {
        Candle { open_time_ms, open: close, high: close, low: close, close, volume: 1.0 }
    }

    #[test]
    fn append_keeps_order_and_replaces_the_live_bar() {
        let hub = IntelHub::default();
        let hour = Interval::HOUR;
        hub.append("BTC", hour, candle(0, 1.0)).unwrap();
        hub.append("BTC", hour, candle(3_600_000, 2.0)).unwrap();
        let generation = hub.asset("BTC").unwrap().generation;
        hub.append("BTC", hour, candle(3_600_000, 3.0)).unwrap();
        assert_eq!(hub.asset("BTC").unwrap().generation, generation + 1);
        assert!(matches!(hub.append("BTC", hour, candle(0, 1.0)), Err(IntelError::OutOfOrder { .. })));
        assert!(matches!(hub.append("no/slash", hour, candle(0, 1.0)), Err(IntelError::BadSymbol(_))));
        let asset = hub.asset("BTC").unwrap();
        let series = asset.at(hour).unwrap();
        assert_eq!(series.candles.iter().map(|c| c.close).collect::<Vec<_>>(), vec![1.0, 3.0]);
        assert_eq!(asset.intervals(), vec![Interval::HOUR, Interval::DAY]);
        assert!(asset.daily().unwrap().candles.is_empty(), "no complete day yet");
    }
}
