//! Candles (OHLCV bars) and their intervals, UTC calendar arithmetic, and resampling to days.
//!
//! A candle covers `[open_time_ms, open_time_ms + interval_ms)`. A value computed "at" a candle
//! is known at its close time, so any figure at time t may only use candles whose close time is
//! at or before t.

use serde::{Deserialize, Serialize};

pub const MS_PER_MINUTE: i64 = 60_000;
pub const MS_PER_HOUR: i64 = 3_600_000;
pub const MS_PER_DAY: i64 = 86_400_000;

/// One bar. Prices and volume are analytics figures (f64), never money.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candle {
    pub open_time_ms: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
}

impl Candle {
    /// Why this candle is not a valid bar, if it is not: every price finite and above zero,
    /// volume finite and not negative, and the low and high enclosing the open and close.
    pub fn defect(&self) -> Option<&'static str> {
        let prices = [self.open, self.high, self.low, self.close];
        if prices.iter().any(|p| !p.is_finite()) {
            return Some("a price is not a finite number");
        }
        if prices.iter().any(|&p| p <= 0.0) {
            return Some("a price is zero or negative");
        }
        if !self.volume.is_finite() || self.volume < 0.0 {
            return Some("volume is negative or not a finite number");
        }
        if self.high < self.open.max(self.close) || self.high < self.low {
            return Some("high is below the open, close or low");
        }
        if self.low > self.open.min(self.close) {
            return Some("low is above the open or close");
        }
        None
    }
}

/// A bar length in milliseconds (one minute to one week).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Interval(i64);

impl Interval {
    pub const HOUR: Interval = Interval(MS_PER_HOUR);
    pub const DAY: Interval = Interval(MS_PER_DAY);
    pub const MS_MIN: i64 = 1_000;
    pub const MS_MAX: i64 = 7 * MS_PER_DAY;

    pub fn from_ms(ms: i64) -> Option<Interval> {
        (Self::MS_MIN..=Self::MS_MAX).contains(&ms).then_some(Interval(ms))
    }

    pub fn ms(self) -> i64 {
        self.0
    }

    /// The usual exchange label: `1m`, `15m`, `1h`, `4h`, `1d`, `1w`, else seconds (`90s`).
    pub fn label(self) -> String {
        let ms = self.0;
        if ms % (7 * MS_PER_DAY) == 0 {
            format!("{}w", ms / (7 * MS_PER_DAY))
        } else if ms % MS_PER_DAY == 0 {
            format!("{}d", ms / MS_PER_DAY)
        } else if ms % MS_PER_HOUR == 0 {
            format!("{}h", ms / MS_PER_HOUR)
        } else if ms % MS_PER_MINUTE == 0 {
            format!("{}m", ms / MS_PER_MINUTE)
        } else if ms % 1_000 == 0 {
            format!("{}s", ms / 1_000)
        } else {
            format!("{ms}ms")
        }
    }

    /// Parses a label written by [`Interval::label`].
    pub fn parse_label(label: &str) -> Option<Interval> {
        let (digits, unit) = label.split_at(label.find(|c: char| !c.is_ascii_digit())?);
        let n: i64 = digits.parse().ok()?;
        let unit_ms = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => MS_PER_MINUTE,
            "h" => MS_PER_HOUR,
            "d" => MS_PER_DAY,
            "w" => 7 * MS_PER_DAY,
            _ => return None,
        };
        Interval::from_ms(n.checked_mul(unit_ms)?)
    }
}

/// A symbol's candles at one interval, in strictly increasing open time, normally on the
/// interval's grid (gaps allowed: exchanges have outages; a few real files have rows off the grid).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub interval: Interval,
    pub candles: Vec<Candle>,
}

impl Series {
    pub fn close_time_ms(&self, index: usize) -> i64 {
        self.candles[index].open_time_ms + self.interval.ms()
    }

    /// Candles whose close time is at or before `time_ms`: what is known at that moment.
    pub fn known_at(&self, time_ms: i64) -> &[Candle] {
        let interval_ms = self.interval.ms();
        let n = self.candles.partition_point(|c| c.open_time_ms + interval_ms <= time_ms);
        &self.candles[..n]
    }

    /// Number of missing candles between the first and the last.
    pub fn gaps(&self) -> u64 {
        let step = self.interval.ms();
        self.candles.windows(2).map(|w| ((w[1].open_time_ms - w[0].open_time_ms) / step - 1).max(0) as u64).sum()
    }
}

/// Aggregates candles into UTC days. A day appears only once its last candle of the day is
/// present (for the final, possibly unfinished day, only if that candle is present), so a daily
/// value never uses a day that had not closed. Days with gaps are built from the candles there are.
pub fn resample_daily(series: &Series) -> Series {
    let step = series.interval.ms();
    if step >= MS_PER_DAY {
        return series.clone();
    }
    let mut days: Vec<Candle> = Vec::with_capacity(series.candles.len() / (MS_PER_DAY / step) as usize + 1);
    for c in &series.candles {
        let day = c.open_time_ms.div_euclid(MS_PER_DAY) * MS_PER_DAY;
        match days.last_mut() {
            Some(d) if d.open_time_ms == day => {
                d.high = d.high.max(c.high);
                d.low = d.low.min(c.low);
                d.close = c.close;
                d.volume += c.volume;
            }
            _ => days.push(Candle { open_time_ms: day, ..*c }),
        }
    }
    // The last day is complete only if its last candle closes at midnight.
    if let Some(last) = series.candles.last() {
        if (last.open_time_ms + step).rem_euclid(MS_PER_DAY) != 0 {
            days.pop();
        }
    }
    Series { interval: Interval::DAY, candles: days }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The UTC calendar year of a time.
pub fn year_of(time_ms: i64) -> i64 {
    civil_from_days(time_ms.div_euclid(MS_PER_DAY)).0
}

/// Milliseconds at 00:00 UTC on 1 January of `year`.
pub fn year_start_ms(year: i64) -> i64 {
    days_from_civil(year, 1, 1) * MS_PER_DAY
}

/// `YYYY-MM-DD HH:MM` (UTC), or `YYYY-MM-DD` at midnight.
pub fn format_time(time_ms: i64) -> String {
    let (y, m, d) = civil_from_days(time_ms.div_euclid(MS_PER_DAY));
    let in_day = time_ms.rem_euclid(MS_PER_DAY);
    if in_day == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", in_day / MS_PER_HOUR, in_day % MS_PER_HOUR / MS_PER_MINUTE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 17_395, 19_723, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(2017, 8, 17), 17_395);
        assert_eq!(format_time(days_from_civil(2024, 1, 1) * MS_PER_DAY + 23 * MS_PER_HOUR), "2024-01-01 23:00");
    }

    #[test]
    fn labels_round_trip() {
        for ms in [1_000, MS_PER_MINUTE, 15 * MS_PER_MINUTE, MS_PER_HOUR, 4 * MS_PER_HOUR, MS_PER_DAY, 7 * MS_PER_DAY] {
            let interval = Interval::from_ms(ms).unwrap();
            assert_eq!(Interval::parse_label(&interval.label()), Some(interval));
        }
        assert_eq!(Interval::parse_label("1h"), Some(Interval::HOUR));
        assert_eq!(Interval::parse_label("h"), None);
        assert_eq!(Interval::parse_label("8w"), None);
    }

    #[test]
    fn daily_resample_drops_an_unfinished_day() {
        let hour = |h: i64, close: f64| Candle {
            open_time_ms: h * MS_PER_HOUR,
            open: close,
            high: close + 1.0,
            low: close - 1.0,
            close,
            volume: 1.0,
        };
        let candles: Vec<Candle> = (0..30).map(|h| hour(h, 100.0 + h as f64)).collect();
        let daily = resample_daily(&Series { interval: Interval::HOUR, candles });
        assert_eq!(daily.candles.len(), 1);
        let d = daily.candles[0];
        assert_eq!((d.open, d.close, d.high, d.low, d.volume), (100.0, 123.0, 124.0, 99.0, 24.0));
    }
}
