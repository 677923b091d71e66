//! Seeded synthetic assets for the benchmark (and for tests that need many assets): daily
//! candles from a random walk whose volatility wanders, so every indicator sees real work.
//! They carry no signal, so grades computed on them should score no better than chance.

use crate::candle::{days_from_civil, Candle, Interval, Series, MS_PER_DAY};

/// SplitMix64 (Steele, Lea and Flood): small, fast, and the same on every machine.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller, one of the pair).
    #[inline]
    pub fn next_normal(&mut self) -> f64 {
        let (u, v) = (self.next_f64(), self.next_f64());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// The first day of every synthetic series (2019-01-01).
pub fn synthetic_start_ms() -> i64 {
    days_from_civil(2019, 1, 1) * MS_PER_DAY
}

/// One synthetic asset: `days` daily candles from seed `(seed, asset)`.
pub fn synthetic_asset(seed: u64, asset: u64, days: usize) -> Series {
    let mut rng = SplitMix64::new(seed ^ asset.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let base_vol = 0.02 + 0.04 * rng.next_f64();
    let drift = 0.0005 * rng.next_normal();
    let mut log_vol: f64 = 0.0;
    let mut price = 1.0 + 999.0 * rng.next_f64();
    let start = synthetic_start_ms();
    let mut candles = Vec::with_capacity(days);
    for d in 0..days {
        log_vol = 0.97 * log_vol + 0.15 * rng.next_normal();
        let vol = base_vol * log_vol.exp();
        let open = price;
        let close = open * (drift + vol * rng.next_normal()).exp();
        let high = open.max(close) * (0.5 * vol * rng.next_normal().abs()).exp();
        let low = open.min(close) * (-0.5 * vol * rng.next_normal().abs()).exp();
        let volume = 1_000.0 * (0.5 * rng.next_normal()).exp() * (1.0 + 10.0 * vol);
        candles.push(Candle { open_time_ms: start + d as i64 * MS_PER_DAY, open, high, low, close, volume });
        price = close;
    }
    Series { interval: Interval::DAY, candles }
}
