//! Threshold probabilities at a moment, as the venue serves and quotes them: the validated model
//! (GARCH(1,1)-t, calibrated per horizon, see [`crate::threshold`]) fitted once per UTC day on the
//! candles closed by that day's start, then filtered forward candle by candle to the moment asked
//! about. The API (`/v1/intel/assets/{symbol}/threshold`) and the demo's market maker both call
//! these functions, so the probability a client reads is the one the market maker quotes around.
//!
//! No look-ahead: a fit at day `D` uses only candles whose close time is at or before `D`
//! 00:00 UTC, and a forecast at `t` only candles closed by `t`.

use crate::candle::{Candle, Series, MS_PER_DAY, MS_PER_HOUR};
use crate::threshold::{ModelKind, ThresholdError, ThresholdForecaster, ThresholdModel, HORIZON_MS_MAX};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct LiveConfig {
    pub kind: ModelKind,
    /// Days of candles before the fit's day the model is fitted on.
    pub train_days: i64,
    /// At most this many candles of training window (bounds the fit's time on fine bars).
    pub train_bars_max: usize,
    /// Horizons the calibration is fitted at (those at least one bar long and a whole number of
    /// bars are used).
    pub anchors_ms: Vec<i64>,
}

impl Default for LiveConfig {
    fn default() -> LiveConfig {
        LiveConfig {
            kind: ModelKind::GarchT,
            train_days: 365,
            train_bars_max: 20_000,
            anchors_ms: vec![MS_PER_HOUR, 4 * MS_PER_HOUR, MS_PER_DAY, 7 * MS_PER_DAY, 30 * MS_PER_DAY],
        }
    }
}

/// A model fitted for one UTC day, and the window it was fitted on.
#[derive(Clone, Debug, Serialize)]
pub struct LiveFit {
    pub model: ThresholdModel,
    pub bar_ms: i64,
    /// The day the fit serves (00:00 UTC): the window's candles all closed by then.
    pub fit_day_ms: i64,
    /// Open time of the window's first candle and close time of its last.
    pub train_from_ms: i64,
    pub train_to_ms: i64,
    pub train_bars: u64,
    /// Index in the series of the window's first candle (the filter starts there).
    #[serde(skip)]
    pub from: usize,
}

/// The UTC day (00:00) a moment falls in.
pub fn day_of(time_ms: i64) -> i64 {
    time_ms.div_euclid(MS_PER_DAY) * MS_PER_DAY
}

/// Bars between calibration questions: about 7 hours below a day (prime to 24, so the questions
/// cycle through the hours of the day), else every bar (as the validation does).
fn stride_of(bar_ms: i64) -> usize {
    if bar_ms < MS_PER_DAY {
        ((7 * MS_PER_HOUR) / bar_ms).max(1) as usize
    } else {
        1
    }
}

/// Fits the model for day `fit_day_ms` (00:00 UTC) on the `train_days` before it.
pub fn fit_for_day(series: &Series, fit_day_ms: i64, config: &LiveConfig) -> Result<LiveFit, ThresholdError> {
    let bar_ms = series.interval.ms();
    let candles = &series.candles;
    let to = candles.partition_point(|c| c.open_time_ms + bar_ms <= fit_day_ms);
    let from = candles
        .partition_point(|c| c.open_time_ms < fit_day_ms - config.train_days * MS_PER_DAY)
        .max(to.saturating_sub(config.train_bars_max));
    let window = &candles[from..to];
    let anchors: Vec<usize> = config
        .anchors_ms
        .iter()
        .filter(|&&h| h >= bar_ms && h % bar_ms == 0 && h <= HORIZON_MS_MAX)
        .map(|&h| (h / bar_ms) as usize)
        .collect();
    let model = ThresholdModel::fit(config.kind, window, bar_ms, &anchors, stride_of(bar_ms))?;
    Ok(LiveFit {
        model,
        bar_ms,
        fit_day_ms,
        train_from_ms: window.first().map_or(0, |c| c.open_time_ms),
        train_to_ms: window.last().map_or(0, |c| c.open_time_ms + bar_ms),
        train_bars: window.len() as u64,
        from,
    })
}

/// The fit's forecaster brought up to date with every candle of `series` closed by `as_of_ms`
/// (from the window's first candle on, as the validation filters).
pub fn forecaster_at(series: &Series, fit: &LiveFit, as_of_ms: i64) -> ThresholdForecaster {
    let mut forecaster = ThresholdForecaster::new(fit.model.clone(), fit.bar_ms);
    for c in &series.candles[fit.from.min(series.candles.len())..] {
        if c.open_time_ms + fit.bar_ms > as_of_ms {
            break;
        }
        forecaster.update(c);
    }
    forecaster
}

/// The last candle of `series` closed by `as_of_ms`.
pub fn last_closed(series: &Series, as_of_ms: i64) -> Option<&Candle> {
    series.known_at(as_of_ms).last()
}

/// Most points [`path_at_or_above`] answers; a longer path is thinned evenly (its last point kept).
pub const PATH_POINTS_MAX: usize = 1_000;

/// How the model's probability that the price is at or above `strike` at `expires_ms` stood at
/// each candle close from `from_ms` to `to_ms`: `(close time, probability)`. Each point uses the
/// fit of its UTC day (`fit(day)`, so a caller can cache fits) and the candles closed by then,
/// exactly as a forecast asked at that moment would; points stop one bar before expiry, the
/// shortest horizon the model answers. A day whose fit fails (too little history) has no points.
pub fn path_at_or_above<E>(
    series: &Series,
    strike: f64,
    expires_ms: i64,
    from_ms: i64,
    to_ms: i64,
    mut fit: impl FnMut(i64) -> Result<std::sync::Arc<LiveFit>, E>,
) -> Vec<(i64, f64)> {
    let bar_ms = series.interval.ms();
    let last_ms = to_ms.min(expires_ms - bar_ms);
    let candles = &series.candles;
    let first = candles.partition_point(|c| c.open_time_ms + bar_ms < from_ms);
    let mut points = Vec::new();
    // The forecaster of the day being walked, if that day's fit succeeded.
    let mut day: Option<(i64, Option<ThresholdForecaster>)> = None;
    for candle in &candles[first..] {
        let close_ms = candle.open_time_ms + bar_ms;
        if close_ms > last_ms {
            break;
        }
        let today = day_of(close_ms);
        match &mut day {
            Some((d, forecaster)) if *d == today => {
                if let Some(f) = forecaster {
                    f.update(candle);
                }
            }
            _ => {
                let forecaster = fit(today).ok().map(|fit| forecaster_at(series, &fit, close_ms));
                day = Some((today, forecaster));
            }
        }
        let Some((_, Some(forecaster))) = &day else { continue };
        if let Ok(p) = forecaster.probability_at_or_above(strike, expires_ms - close_ms) {
            if p.is_finite() {
                points.push((close_ms, p));
            }
        }
    }
    thin(points, PATH_POINTS_MAX)
}

/// At most `max` of `points`, evenly spaced, the last always kept.
fn thin<T: Copy>(points: Vec<T>, max: usize) -> Vec<T> {
    if points.len() <= max || max < 2 {
        return points;
    }
    let n = points.len();
    (0..max).map(|i| points[i * (n - 1) / (max - 1)]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::candle::Interval;

    fn walk(n: usize) -> Series {
        // A deterministic wiggle with changing amplitude: enough for a fit.
        let mut price = 100.0;
        let candles = (0..n)
            .map(|i| {
                let r = ((i as f64 * 0.7).sin() + (i as f64 * 0.13).cos()) * 0.004 * (1.0 + (i % 50) as f64 / 50.0);
                let open = price;
                price *= r.exp();
                Candle {
                    open_time_ms: i as i64 * MS_PER_HOUR,
                    open,
                    high: open.max(price) * 1.001,
                    low: open.min(price) * 0.999,
                    close: price,
                    volume: 1.0,
                }
            })
            .collect();
        Series { interval: Interval::HOUR, candles }
    }

    #[test]
    fn a_fit_uses_only_candles_closed_by_its_day() {
        let series = walk(24 * 40);
        let config = LiveConfig { train_days: 20, ..LiveConfig::default() };
        let day = 30 * MS_PER_DAY;
        let fit = fit_for_day(&series, day, &config).unwrap();
        assert_eq!(fit.train_to_ms, day);
        assert_eq!(fit.train_from_ms, 10 * MS_PER_DAY);
        assert_eq!(fit.train_bars, 20 * 24);
        // Truncating the data after the day changes nothing.
        let truncated = Series { interval: series.interval, candles: series.known_at(day).to_vec() };
        let again = fit_for_day(&truncated, day, &config).unwrap();
        assert_eq!(fit.model, again.model);
        let p = forecaster_at(&series, &fit, day + 5 * MS_PER_HOUR).probability_at_or_above(100.0, MS_PER_DAY).unwrap();
        let q = forecaster_at(&truncated, &again, day).probability_at_or_above(100.0, MS_PER_DAY).unwrap();
        assert!((0.0..=1.0).contains(&p) && (0.0..=1.0).contains(&q));
        assert_eq!(last_closed(&series, day).unwrap().open_time_ms, day - MS_PER_HOUR);
    }

    #[test]
    fn too_little_data_is_an_error() {
        let series = walk(50);
        assert!(matches!(
            fit_for_day(&series, 3 * MS_PER_DAY, &LiveConfig::default()),
            Err(ThresholdError::TooFewReturns(..))
        ));
    }

    #[test]
    fn a_path_matches_a_forecast_asked_at_each_close() {
        let series = walk(24 * 40);
        let config = LiveConfig { train_days: 20, ..LiveConfig::default() };
        let from = 30 * MS_PER_DAY + 20 * MS_PER_HOUR;
        let expires = 32 * MS_PER_DAY;
        let fit = |day| fit_for_day(&series, day, &config).map(std::sync::Arc::new);
        let path = path_at_or_above(&series, 100.0, expires, from, i64::MAX, fit);
        // Closes from 20:00 on day 30 to 23:00 on day 31: one bar before expiry.
        assert_eq!(path.len(), 28);
        assert_eq!(path[0].0, from);
        assert_eq!(path.last().unwrap().0, expires - MS_PER_HOUR);
        for &(at, p) in &path {
            let fit = fit_for_day(&series, day_of(at), &config).unwrap();
            let asked = forecaster_at(&series, &fit, at).probability_at_or_above(100.0, expires - at).unwrap();
            assert_eq!(p, asked, "at {at}");
        }
        // The data after `to_ms` plays no part.
        let to = 31 * MS_PER_DAY + 3 * MS_PER_HOUR;
        let early = path_at_or_above(&series, 100.0, expires, from, to, fit);
        assert_eq!(early, path[..8]);
    }

    #[test]
    fn a_long_path_is_thinned_evenly_and_keeps_its_last_point() {
        let points: Vec<usize> = (0..2_500).collect();
        let thinned = thin(points, PATH_POINTS_MAX);
        assert_eq!(thinned.len(), PATH_POINTS_MAX);
        assert_eq!((thinned[0], *thinned.last().unwrap()), (0, 2_499));
        assert!(thinned.windows(2).all(|w| w[1] > w[0]));
        assert_eq!(thin(vec![1, 2, 3], 10), [1, 2, 3]);
    }
}
