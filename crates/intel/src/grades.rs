//! Trader Grade (0-100, short-term momentum) and Investor Grade (0-100, long-term quality) per
//! asset per day, a bullish/neutral/bearish signal, and the return of trading that signal
//! against holding: the transparent baseline.
//!
//! Method (published, so anyone can recompute it): each day, from daily candles up to and
//! including that day's close,
//! 1. compute the features in [`FEATURES`] from streaming indicators;
//! 2. rank each feature against its own values on the asset's last 52 weekly snapshots (a
//!    percentile in 0..1, ties counting half; at least 26 snapshots needed), so a grade says "how
//!    strong is this compared with this asset's own past year", whatever the asset's scale;
//! 3. a grade is 100 x the weighted mean of its features' percentiles (weights in [`FEATURES`]).
//!
//! The signal is +1 (bullish) when the Trader Grade is at or above 60, -1 (bearish) at or below
//! 40, else 0. The strategy is long after a bullish signal and flat after a bearish one (a
//! neutral day keeps the position), entering at that day's close, paying `fee_bps` on each
//! change; hold is buy-and-hold from the first graded day. Nothing here is fitted, so every
//! graded day is out of sample.

use crate::candle::{Candle, Series};
use crate::indicators::{Adx, Atr, Bollinger, Drawdown, Ema, Macd, Obv, RollingVolatility, Rsi, Sma};
use crate::indicators::{AdxOut, BollingerOut, DrawdownOut, MacdOut};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeKind {
    Trader,
    Investor,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct FeatureSpec {
    pub name: &'static str,
    pub grade: GradeKind,
    pub weight: f64,
    pub definition: &'static str,
}

/// The features, their grade and weight (each grade's weights sum to 1).
pub const FEATURES: [FeatureSpec; 13] = [
    FeatureSpec {
        name: "momentum_7d",
        grade: GradeKind::Trader,
        weight: 0.20,
        definition: "ln(close / close 7 days ago)",
    },
    FeatureSpec {
        name: "momentum_30d",
        grade: GradeKind::Trader,
        weight: 0.20,
        definition: "ln(close / close 30 days ago)",
    },
    FeatureSpec {
        name: "macd_histogram",
        grade: GradeKind::Trader,
        weight: 0.15,
        definition: "MACD(12,26,9) histogram / close",
    },
    FeatureSpec { name: "rsi_14", grade: GradeKind::Trader, weight: 0.10, definition: "RSI(14)" },
    FeatureSpec { name: "bollinger_b", grade: GradeKind::Trader, weight: 0.10, definition: "%B of Bollinger(20, 2)" },
    FeatureSpec {
        name: "trend_14",
        grade: GradeKind::Trader,
        weight: 0.15,
        definition: "(+DI - -DI) x ADX / 100, all 14-day",
    },
    FeatureSpec {
        name: "obv_trend_20d",
        grade: GradeKind::Trader,
        weight: 0.10,
        definition: "OBV change over 20 days / volume over 20 days",
    },
    FeatureSpec {
        name: "momentum_90d",
        grade: GradeKind::Investor,
        weight: 0.20,
        definition: "ln(close / close 90 days ago)",
    },
    FeatureSpec {
        name: "momentum_180d",
        grade: GradeKind::Investor,
        weight: 0.20,
        definition: "ln(close / close 180 days ago)",
    },
    FeatureSpec { name: "above_sma_200", grade: GradeKind::Investor, weight: 0.20, definition: "close / SMA(200) - 1" },
    FeatureSpec {
        name: "drawdown",
        grade: GradeKind::Investor,
        weight: 0.20,
        definition: "close / highest close so far - 1",
    },
    FeatureSpec {
        name: "low_volatility_90d",
        grade: GradeKind::Investor,
        weight: 0.10,
        definition: "minus the sd of 90 daily log returns",
    },
    FeatureSpec {
        name: "risk_adjusted_180d",
        grade: GradeKind::Investor,
        weight: 0.10,
        definition: "momentum_180d / (volatility_90d x sqrt(180))",
    },
];
pub const FEATURE_COUNT: usize = FEATURES.len();
const TRADER_FEATURES: std::ops::Range<usize> = 0..7;
const INVESTOR_FEATURES: std::ops::Range<usize> = 7..13;

/// Weekly snapshots a feature is ranked against, and the fewest needed.
pub const RANK_WINDOW: usize = 52;
pub const RANK_WINDOW_MIN: usize = 26;
/// Days between snapshots.
pub const SNAPSHOT_DAYS: u64 = 7;
pub const BULLISH_AT: f64 = 60.0;
pub const BEARISH_AT: f64 = 40.0;

/// The band a grade falls in.
pub fn band(grade: f64) -> &'static str {
    match grade {
        g if g >= 80.0 => "strongly bullish",
        g if g >= BULLISH_AT => "bullish",
        g if g > BEARISH_AT => "neutral",
        g if g > 20.0 => "bearish",
        _ => "strongly bearish",
    }
}

pub fn signal_of(trader_grade: f64) -> i8 {
    if trader_grade >= BULLISH_AT {
        1
    } else if trader_grade <= BEARISH_AT {
        -1
    } else {
        0
    }
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct GradeConfig {
    /// Fee per position change, in basis points of the position (10 = Binance spot's taker fee).
    pub fee_bps: f64,
}

impl Default for GradeConfig {
    fn default() -> GradeConfig {
        GradeConfig { fee_bps: 10.0 }
    }
}

/// One asset-day.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DailyGrade {
    pub open_time_ms: i64,
    pub close: f64,
    pub trader: Option<f64>,
    pub investor: Option<f64>,
    /// +1, 0, -1 (0 until the Trader Grade exists).
    pub signal: i8,
    /// 1 when the strategy is long after this day's close.
    pub position: u8,
    /// Growth of one unit since the first graded day's close, net of fees, and of holding.
    pub strategy_return: f64,
    pub hold_return: f64,
    /// The features' percentiles (NaN while unavailable), in [`FEATURES`] order.
    #[serde(skip)]
    pub ranks: [f32; FEATURE_COUNT],
}

/// The latest value of every indicator the grades use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct IndicatorSnapshot {
    pub ema_20: Option<f64>,
    pub sma_200: Option<f64>,
    pub rsi_14: Option<f64>,
    pub macd: Option<MacdOut>,
    pub bollinger: Option<BollingerOut>,
    pub atr_14: Option<f64>,
    pub adx_14: Option<AdxOut>,
    pub obv: f64,
    pub volatility_30d: Option<f64>,
    pub volatility_90d: Option<f64>,
    pub drawdown: Option<DrawdownOut>,
}

/// A feature's percentile against its last [`RANK_WINDOW`] snapshots. The snapshots sit in a
/// ring, unsorted: counting the values below is one pass over 52 numbers that the compiler
/// vectorises, quicker than a binary search's dependent loads, and a snapshot costs one store.
/// Values are compared as f32 (four to a vector register); a percentile needs no more.
#[derive(Clone, Debug)]
struct Ranker {
    values: [f32; RANK_WINDOW],
    len: usize,
    next: usize,
}

impl Ranker {
    fn new() -> Ranker {
        // Empty slots hold NaN, which is neither below nor equal to anything, so the count can
        // always run over the whole array (a fixed trip count vectorises with no scalar tail).
        Ranker { values: [f32::NAN; RANK_WINDOW], len: 0, next: 0 }
    }

    #[inline]
    fn percentile(&self, x: f64) -> Option<f64> {
        if self.len < RANK_WINDOW_MIN {
            return None;
        }
        let x = x as f32;
        let (mut below, mut equal) = (0u32, 0u32);
        for &v in &self.values {
            below += u32::from(v < x);
            equal += u32::from(v == x);
        }
        Some((f64::from(below) + 0.5 * f64::from(equal)) / self.len as f64)
    }

    fn snapshot(&mut self, x: f64) {
        self.values[self.next] = x as f32;
        self.next = (self.next + 1) % RANK_WINDOW;
        self.len = (self.len + 1).min(RANK_WINDOW);
    }
}

/// Grades one asset day by day (streaming).
#[derive(Clone, Debug)]
pub struct GradeEngine {
    config: GradeConfig,
    days: u64,
    log_closes: crate::indicators::Ring,
    ema_20: Ema,
    sma_200: Sma,
    rsi_14: Rsi,
    macd: Macd,
    bollinger: Bollinger,
    atr_14: Atr,
    adx_14: Adx,
    obv: Obv,
    obv_history: crate::indicators::Ring,
    volume_20: Sma,
    volatility_30: RollingVolatility,
    volatility_90: RollingVolatility,
    drawdown: Drawdown,
    snapshot: IndicatorSnapshot,
    rankers: Vec<Ranker>,
    position: u8,
    strategy: f64,
    hold: f64,
    prev_close: Option<f64>,
    graded: bool,
}

impl GradeEngine {
    pub fn new(config: GradeConfig) -> GradeEngine {
        GradeEngine {
            config,
            days: 0,
            log_closes: crate::indicators::Ring::new(181),
            ema_20: Ema::new(20),
            sma_200: Sma::new(200),
            rsi_14: Rsi::new(14),
            macd: Macd::new(12, 26, 9),
            bollinger: Bollinger::new(20, 2.0),
            atr_14: Atr::new(14),
            adx_14: Adx::new(14),
            obv: Obv::new(),
            obv_history: crate::indicators::Ring::new(21),
            volume_20: Sma::new(20),
            volatility_30: RollingVolatility::new(30),
            volatility_90: RollingVolatility::new(90),
            drawdown: Drawdown::new(),
            snapshot: IndicatorSnapshot::default(),
            rankers: (0..FEATURE_COUNT).map(|_| Ranker::new()).collect(),
            position: 0,
            strategy: 1.0,
            hold: 1.0,
            prev_close: None,
            graded: false,
        }
    }

    pub fn indicators(&self) -> &IndicatorSnapshot {
        &self.snapshot
    }

    /// Takes the next daily candle (after its close) and grades that day.
    pub fn update(&mut self, c: &Candle) -> DailyGrade {
        let features = self.features(c);
        let mut ranks = [f32::NAN; FEATURE_COUNT];
        let mut percentiles = [f64::NAN; FEATURE_COUNT];
        for i in 0..FEATURE_COUNT {
            if let Some(x) = features[i] {
                if let Some(p) = self.rankers[i].percentile(x) {
                    percentiles[i] = p;
                    ranks[i] = p as f32;
                }
            }
        }
        if self.days.is_multiple_of(SNAPSHOT_DAYS) {
            for (ranker, x) in self.rankers.iter_mut().zip(features) {
                if let Some(x) = x {
                    ranker.snapshot(x);
                }
            }
        }
        self.days += 1;
        let trader = weighted(&percentiles, TRADER_FEATURES);
        let investor = weighted(&percentiles, INVESTOR_FEATURES);

        // The day's return accrues to the position held since yesterday's close.
        if let (true, Some(prev)) = (self.graded, self.prev_close) {
            let r = c.close / prev - 1.0;
            self.hold *= 1.0 + r;
            if self.position == 1 {
                self.strategy *= 1.0 + r;
            }
        }
        self.prev_close = Some(c.close);
        let signal = trader.map_or(0, signal_of);
        if trader.is_some() {
            self.graded = true;
            let target = match signal {
                1 => 1,
                -1 => 0,
                _ => self.position,
            };
            if target != self.position {
                self.strategy *= 1.0 - self.config.fee_bps / 10_000.0;
                self.position = target;
            }
        }
        DailyGrade {
            open_time_ms: c.open_time_ms,
            close: c.close,
            trader,
            investor,
            signal,
            position: self.position,
            strategy_return: self.strategy - 1.0,
            hold_return: self.hold - 1.0,
            ranks,
        }
    }

    /// Updates every indicator with the candle and returns the features (None while warming up).
    #[inline]
    fn features(&mut self, c: &Candle) -> [Option<f64>; FEATURE_COUNT] {
        let close = c.close;
        // One logarithm a day: momentum and volatility are differences of log closes.
        let log_close = close.ln();
        let log_return = self.log_closes.get_back(0).map(|prev| log_close - prev);
        self.log_closes.push(log_close);
        let s = &mut self.snapshot;
        s.ema_20 = self.ema_20.update(close);
        s.sma_200 = self.sma_200.update(close);
        s.rsi_14 = self.rsi_14.update(close);
        s.macd = self.macd.update(close);
        s.bollinger = self.bollinger.update(close);
        s.atr_14 = self.atr_14.update(c.high, c.low, close);
        s.adx_14 = self.adx_14.update(c.high, c.low, close);
        s.obv = self.obv.update(close, c.volume);
        if let Some(r) = log_return {
            s.volatility_30d = self.volatility_30.update_log_return(r);
            s.volatility_90d = self.volatility_90.update_log_return(r);
        }
        s.drawdown = Some(self.drawdown.update(close));
        let volume_20 = self.volume_20.update(c.volume);
        self.obv_history.push(s.obv);

        let momentum = |days: usize| self.log_closes.get_back(days).map(|then| log_close - then);
        let momentum_180 = momentum(180);
        let obv_trend = match (self.obv_history.oldest(), volume_20) {
            (Some(then), Some(mean_volume)) if mean_volume > 0.0 => Some((s.obv - then) / (mean_volume * 20.0)),
            (Some(_), Some(_)) => Some(0.0),
            _ => None,
        };
        [
            momentum(7),
            momentum(30),
            s.macd.map(|m| m.histogram / close),
            s.rsi_14,
            s.bollinger.map(|b| b.percent_b(close)),
            s.adx_14.map(|a| (a.plus_di - a.minus_di) * a.adx / 100.0),
            obv_trend,
            momentum(90),
            momentum_180,
            s.sma_200.map(|m| close / m - 1.0),
            s.drawdown.map(|d| d.drawdown),
            s.volatility_90d.map(|v| -v),
            match (momentum_180, s.volatility_90d) {
                (Some(m), Some(v)) if v > 0.0 => Some(m / (v * 180f64.sqrt())),
                _ => None,
            },
        ]
    }
}

#[inline]
fn weighted(percentiles: &[f64; FEATURE_COUNT], range: std::ops::Range<usize>) -> Option<f64> {
    let mut total = 0.0;
    for i in range {
        let p = percentiles[i];
        if p.is_nan() {
            return None;
        }
        total += FEATURES[i].weight * p;
    }
    Some(100.0 * total)
}

/// Grades every day of a daily series.
pub fn grade_series(daily: &Series, config: GradeConfig) -> Vec<DailyGrade> {
    let mut engine = GradeEngine::new(config);
    daily.candles.iter().map(|c| engine.update(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one() {
        for kind in [GradeKind::Trader, GradeKind::Investor] {
            let total: f64 = FEATURES.iter().filter(|f| f.grade == kind).map(|f| f.weight).sum();
            assert!((total - 1.0).abs() < 1e-12, "{kind:?} weights sum to {total}");
        }
        assert!(FEATURES[TRADER_FEATURES].iter().all(|f| f.grade == GradeKind::Trader));
        assert!(FEATURES[INVESTOR_FEATURES].iter().all(|f| f.grade == GradeKind::Investor));
    }

    #[test]
    fn ranker_percentiles() {
        let mut r = Ranker::new();
        for i in 0..60 {
            r.snapshot(i as f64);
        }
        // Holds 8..=59.
        assert_eq!(r.len, RANK_WINDOW);
        assert_eq!(r.percentile(7.0), Some(0.0));
        assert_eq!(r.percentile(100.0), Some(1.0));
        assert_eq!(r.percentile(8.0), Some(0.5 / 52.0));
    }
}
