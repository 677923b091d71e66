//! The replay's settings, with the defaults `augury serve --demo` uses (each is a command-line
//! flag there: see `augury serve --help`).

use crate::quote::RiskLimits;
use augury_core::{AccountId, Micros, MICROS_PER_DOLLAR};
use augury_intel::candle::{days_from_civil, MS_PER_DAY};

/// The market maker's account (engine accounts below 1,000 are the operator's; API keys open
/// accounts from 1,000 on).
pub const MARKET_MAKER: AccountId = AccountId(50);
/// The noise takers' accounts.
pub const TAKERS: [AccountId; 4] = [AccountId(60), AccountId(61), AccountId(62), AccountId(63)];

#[derive(Clone, Debug)]
pub struct ReplayConfig {
    /// The first replayed moment (00:00 UTC of a day; ms since the epoch).
    pub start_ms: i64,
    /// Stop after this many replayed days (None: when the data ends).
    pub days: Option<u32>,
    /// Real milliseconds per replayed hour (0: as fast as the venue goes).
    pub hour_real_ms: u64,
    /// Strikes each side of the spot for each asset and day (at most 9).
    pub strikes_per_side: u32,
    /// Spacing of the strikes, in basis points of the spot, rounded to 1, 2, 2.5 or 5 times a
    /// power of ten.
    pub strike_step_bps: u32,
    /// The markets' tick (a divisor of a dollar).
    pub tick_micros: Micros,
    /// Taker fee of the markets, `rate x C x P x (1 - P)` in parts per million (makers pay none).
    pub taker_fee_ppm: u32,
    /// Collateral deposited for the market maker on first start.
    pub market_maker_funding_micros: Micros,
    pub limits: RiskLimits,
    /// Chance, per open market and replayed hour, that a noise taker trades (percent, 0 for none).
    pub taker_percent: u64,
    /// Collateral deposited for each noise taker on first start.
    pub taker_funding_micros: Micros,
    /// Seed of the noise takers.
    pub seed: u64,
}

impl Default for ReplayConfig {
    fn default() -> ReplayConfig {
        ReplayConfig {
            start_ms: days_from_civil(2019, 6, 1) * MS_PER_DAY,
            days: None,
            hour_real_ms: 5_000,
            strikes_per_side: 2,
            strike_step_bps: 200,
            tick_micros: 10_000,
            taker_fee_ppm: 70_000,
            market_maker_funding_micros: 100_000 * MICROS_PER_DOLLAR,
            limits: RiskLimits::default(),
            taker_percent: 25,
            taker_funding_micros: 10_000 * MICROS_PER_DOLLAR,
            seed: 1,
        }
    }
}

impl ReplayConfig {
    /// Why these settings cannot run, if they cannot.
    pub fn problem(&self) -> Option<String> {
        if self.start_ms.rem_euclid(MS_PER_DAY) != 0 {
            return Some("the replay starts at 00:00 UTC of a day".into());
        }
        if self.strikes_per_side > 9 {
            return Some("at most 9 strikes each side".into());
        }
        if self.strike_step_bps == 0 || self.strike_step_bps > 5_000 {
            return Some("the strike step is 1 to 5,000 basis points".into());
        }
        if self.tick_micros == 0 || !MICROS_PER_DOLLAR.is_multiple_of(self.tick_micros) || self.tick_micros < 100 {
            return Some("the tick divides a dollar and is at least 100 micro-dollars".into());
        }
        if MICROS_PER_DOLLAR / self.tick_micros < 3 {
            return Some("the tick leaves no room for two-sided quotes".into());
        }
        if self.taker_percent > 100 {
            return Some("the taker chance is a percentage".into());
        }
        self.limits.problem()
    }
}
