//! On-balance volume.

/// Running volume, added on up closes and taken away on down closes; starts at the first bar's
/// volume (as TA-Lib does).
#[derive(Clone, Debug, Default)]
pub struct Obv {
    prev_close: Option<f64>,
    value: f64,
}

impl Obv {
    pub fn new() -> Obv {
        Obv::default()
    }

    #[inline]
    pub fn update(&mut self, close: f64, volume: f64) -> f64 {
        match self.prev_close {
            None => self.value = volume,
            Some(prev) if close > prev => self.value += volume,
            Some(prev) if close < prev => self.value -= volume,
            Some(_) => {}
        }
        self.prev_close = Some(close);
        self.value
    }
}

pub fn obv(closes: &[f64], volumes: &[f64]) -> Vec<f64> {
    assert_eq!(closes.len(), volumes.len(), "OBV needs as many volumes as closes");
    let mut o = Obv::new();
    closes.iter().zip(volumes).map(|(&c, &v)| o.update(c, v)).collect()
}
