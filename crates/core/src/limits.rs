//! Every limit the domain puts on a command, in one place, each with why it is what it is, and
//! the overflow arguments they make (ARCHITECTURE.md, "Money") checked by the compiler: if a
//! limit is raised past what the integer types can carry, the build fails here.

use crate::units::{Micros, OutcomeIndex, Quantity, MICROS_PER_DOLLAR};

/// The most contracts a single order, split, merge or conversion may carry. Small enough that a
/// quantity times a dollar (the most any quantity can be worth), times every outcome of the
/// largest categorical market, fits in 64 bits with room to spare.
pub const QUANTITY_MAX: Quantity = 1_000_000_000;

/// The most collateral the venue holds in all, across every account, backing, bond and market
/// maker (a trillion dollars). Deposits beyond it are refused. Every balance and every sum of
/// balances is at most this, so no addition of two of them overflows 64 bits.
pub const VENUE_COLLATERAL_MAX_MICROS: Micros = 1_000_000_000_000 * MICROS_PER_DOLLAR;

/// Categorical markets have at most 64 outcomes, so that a set of outcomes (a conversion's) fits
/// in a `u64` mask.
pub const CATEGORICAL_OUTCOMES_MAX: OutcomeIndex = 64;

/// The finest price grid: 10,000 levels (a tick of 100 micro-dollars, a hundredth of a cent).
/// Every book is a dense array over its grid, so the grid must stay small; the engine counts
/// ticks in a `u32`.
pub const TICKS_PER_DOLLAR_MAX: u64 = 10_000;

/// The most index values a rule may average: an hour of one-second values.
pub const RULE_SAMPLES_MAX: u32 = 3_600;

/// The most arbiters a venue may name: votes are kept in a sorted vector per market.
pub const ARBITERS_MAX: u32 = 64;

// The overflow arguments, checked when the crate compiles.
const _: () = {
    // A quantity at a dollar, across every outcome of a categorical market, fits in a u64.
    assert!(
        (QUANTITY_MAX as u128) * (MICROS_PER_DOLLAR as u128) * (CATEGORICAL_OUTCOMES_MAX as u128) <= u64::MAX as u128
    );
    // Two of the venue's largest sums added (a balance and a payout) fit in a u64.
    assert!(2 * (VENUE_COLLATERAL_MAX_MICROS as u128) <= u64::MAX as u128);
    // A fee's numerator (rate in ppm times quantity times price times (1 - price)) fits in the
    // u128 it is computed in.
    assert!(u128::MAX / 1_000_000 / (QUANTITY_MAX as u128) / (MICROS_PER_DOLLAR as u128) >= MICROS_PER_DOLLAR as u128);
    // The tick count fits the engine's `u32` ticks, and a conversion's outcome set a u64 mask.
    assert!(TICKS_PER_DOLLAR_MAX <= u32::MAX as u64);
    assert!(CATEGORICAL_OUTCOMES_MAX as u32 <= u64::BITS);
    // A tick is a whole number of micro-dollars on the finest grid.
    assert!(MICROS_PER_DOLLAR.is_multiple_of(TICKS_PER_DOLLAR_MAX));
};
