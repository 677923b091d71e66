//! Range and trend strength: true range, ATR, ADX (with +DI and -DI).

use super::is_zero;

#[inline]
fn true_range_of(high: f64, low: f64, prev_close: f64) -> f64 {
    let mut out = high - low;
    let a = (high - prev_close).abs();
    if a > out {
        out = a;
    }
    let b = (low - prev_close).abs();
    if b > out {
        out = b;
    }
    out
}

/// The largest of high - low, |high - previous close| and |low - previous close|; from bar 1.
#[derive(Clone, Debug, Default)]
pub struct TrueRange {
    prev_close: Option<f64>,
}

impl TrueRange {
    pub fn new() -> TrueRange {
        TrueRange::default()
    }

    #[inline]
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Option<f64> {
        let prev = self.prev_close.replace(close)?;
        Some(true_range_of(high, low, prev))
    }
}

/// Wilder's average true range: the mean of the first `period` true ranges, then
/// `(atr * (period - 1) + tr) / period`. First value at bar `period`.
#[derive(Clone, Debug)]
pub struct Atr {
    period: usize,
    tr: TrueRange,
    count: usize,
    value: f64,
}

impl Atr {
    pub fn new(period: usize) -> Atr {
        assert!(period >= 2, "ATR period must be at least 2");
        Atr { period, tr: TrueRange::new(), count: 0, value: 0.0 }
    }

    #[inline]
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Option<f64> {
        let tr = self.tr.update(high, low, close)?;
        let n = self.period as f64;
        if self.count < self.period {
            self.value += tr;
            self.count += 1;
            if self.count < self.period {
                return None;
            }
            self.value /= n;
            return Some(self.value);
        }
        self.value *= n - 1.0;
        self.value += tr;
        self.value /= n;
        Some(self.value)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct AdxOut {
    pub adx: f64,
    pub plus_di: f64,
    pub minus_di: f64,
}

/// Wilder's average directional index with TA-Lib's seeding: directional movement and true
/// range summed over the first `period - 1` changes, then smoothed; DX averaged over the next
/// `period` bars, then smoothed. First value at bar `2 * period - 1`.
#[derive(Clone, Debug)]
pub struct Adx {
    period: usize,
    prev: Option<(f64, f64, f64)>,
    bars: usize,
    plus_dm: f64,
    minus_dm: f64,
    tr: f64,
    sum_dx: f64,
    adx: f64,
    plus_di: f64,
    minus_di: f64,
}

impl Adx {
    pub fn new(period: usize) -> Adx {
        assert!(period >= 2, "ADX period must be at least 2");
        Adx {
            period,
            prev: None,
            bars: 0,
            plus_dm: 0.0,
            minus_dm: 0.0,
            tr: 0.0,
            sum_dx: 0.0,
            adx: 0.0,
            plus_di: 0.0,
            minus_di: 0.0,
        }
    }

    #[inline]
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Option<AdxOut> {
        let (prev_high, prev_low, prev_close) = self.prev.replace((high, low, close))?;
        self.bars += 1;
        let n = self.period as f64;
        let diff_plus = high - prev_high;
        let diff_minus = prev_low - low;
        let tr = true_range_of(high, low, prev_close);
        if self.bars < self.period {
            self.add_movement(diff_plus, diff_minus);
            self.tr += tr;
            return None;
        }
        self.minus_dm -= self.minus_dm / n;
        self.plus_dm -= self.plus_dm / n;
        self.add_movement(diff_plus, diff_minus);
        self.tr = self.tr - self.tr / n + tr;
        let dx = self.directional_index();
        let first = 2 * self.period - 1;
        if self.bars < first {
            self.sum_dx += dx.unwrap_or(0.0);
            return None;
        }
        if self.bars == first {
            self.sum_dx += dx.unwrap_or(0.0);
            self.adx = self.sum_dx / n;
        } else if let Some(dx) = dx {
            self.adx = (self.adx * (n - 1.0) + dx) / n;
        }
        Some(AdxOut { adx: self.adx, plus_di: self.plus_di, minus_di: self.minus_di })
    }

    /// (+DI, -DI) as of the last bar, from bar `period` on (TA-Lib's PLUS_DI and MINUS_DI),
    /// before the ADX itself is ready.
    pub fn directional_indicators(&self) -> Option<(f64, f64)> {
        (self.bars >= self.period).then_some((self.plus_di, self.minus_di))
    }

    #[inline]
    fn add_movement(&mut self, diff_plus: f64, diff_minus: f64) {
        if diff_minus > 0.0 && diff_plus < diff_minus {
            self.minus_dm += diff_minus;
        } else if diff_plus > 0.0 && diff_plus > diff_minus {
            self.plus_dm += diff_plus;
        }
    }

    /// DX for this bar, updating +DI and -DI; `None` where TA-Lib skips it (no range).
    #[inline]
    fn directional_index(&mut self) -> Option<f64> {
        if is_zero(self.tr) {
            // TA-Lib's PLUS_DI and MINUS_DI answer 0 when there was no range at all.
            self.minus_di = 0.0;
            self.plus_di = 0.0;
            return None;
        }
        self.minus_di = 100.0 * (self.minus_dm / self.tr);
        self.plus_di = 100.0 * (self.plus_dm / self.tr);
        let sum = self.minus_di + self.plus_di;
        (!is_zero(sum)).then(|| 100.0 * ((self.minus_di - self.plus_di).abs() / sum))
    }
}

pub fn true_range(highs: &[f64], lows: &[f64], closes: &[f64]) -> Vec<f64> {
    let mut t = TrueRange::new();
    (0..closes.len()).map(|i| t.update(highs[i], lows[i], closes[i]).unwrap_or(f64::NAN)).collect()
}

pub fn atr(highs: &[f64], lows: &[f64], closes: &[f64], period: usize) -> Vec<f64> {
    let mut a = Atr::new(period);
    (0..closes.len()).map(|i| a.update(highs[i], lows[i], closes[i]).unwrap_or(f64::NAN)).collect()
}

#[derive(Clone, Debug, Default)]
pub struct AdxSeries {
    pub adx: Vec<f64>,
    pub plus_di: Vec<f64>,
    pub minus_di: Vec<f64>,
}

pub fn adx(highs: &[f64], lows: &[f64], closes: &[f64], period: usize) -> AdxSeries {
    let mut a = Adx::new(period);
    let mut out = AdxSeries::default();
    for i in 0..closes.len() {
        let adx = a.update(highs[i], lows[i], closes[i]).map_or(f64::NAN, |o| o.adx);
        let (plus_di, minus_di) = a.directional_indicators().unwrap_or((f64::NAN, f64::NAN));
        out.adx.push(adx);
        out.plus_di.push(plus_di);
        out.minus_di.push(minus_di);
    }
    out
}
