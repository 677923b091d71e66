//! Hanson's logarithmic market scoring rule, in `f64`: the only floating point in the engine.
//!
//! With liquidity `b` and `q_s` contracts of state `s` sold, the cost function is
//! `C(q) = b ln sum_s exp(q_s / b)`, evaluated with log-sum-exp (the largest exponent factored
//! out) so it neither overflows nor loses the small terms; the price of state `s` is the softmax
//! `exp(q_s / b) / sum exp(q / b)`, and a trade costs `C(q + delta) - C(q)`, computed here in the
//! stable forms `b ln(1 + p (e^{x/b} - 1))` (buying `x` of a state priced `p`) and
//! `-b ln(1 + p (e^{-x/b} - 1))` (selling), with `ln_1p` and `exp_m1`.
//!
//! The market maker holds `claims` (contracts that pay in each state) instead of `q`: selling a
//! claim raises `q_s` by one exactly as it lowers the holding by one, and prices do not change when
//! every `q_s` moves together, so `q = -claims`. Amounts here are in dollars and contracts;
//! callers round what settles to integer micro-dollars in the market maker's favour.
//!
//! Every function uses `libm`, a pure-Rust port of musl's maths library that evaluates the same
//! operations in the same order on every platform, so quotes (and the integers rounded from them)
//! are identical on every machine that replays the journal.

use libm::{exp, expm1, floor, log, log1p};

/// Exponents `q_s / b` of the cost function.
fn exponents(b: f64, claims: &[u64]) -> impl Iterator<Item = f64> + Clone + '_ {
    claims.iter().map(move |&held| -(held as f64) / b)
}

/// ln sum exp(x), with the largest x factored out.
fn log_sum_exp(xs: impl Iterator<Item = f64> + Clone) -> f64 {
    let max = xs.clone().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + log(xs.map(|x| exp(x - max)).sum::<f64>())
}

/// The cost function C(q) in dollars, for `q = -claims`.
#[cfg(test)]
pub fn cost(b: f64, claims: &[u64]) -> f64 {
    b * log_sum_exp(exponents(b, claims))
}

/// The price of state `s`: the softmax of `q / b`.
#[cfg(test)]
pub fn price(b: f64, claims: &[u64], s: usize) -> f64 {
    let xs = exponents(b, claims);
    exp(-(claims[s] as f64) / b - log_sum_exp(xs))
}

pub fn prices(b: f64, claims: &[u64]) -> Vec<f64> {
    let total = log_sum_exp(exponents(b, claims));
    exponents(b, claims).map(|x| exp(x - total)).collect()
}

/// ln sum exp(q_j / b) over every state but `s`.
fn log_sum_exp_others(b: f64, claims: &[u64], s: usize) -> f64 {
    let others = claims.iter().enumerate().filter(move |&(j, _)| j != s).map(move |(_, &held)| -(held as f64) / b);
    log_sum_exp(others)
}

/// ln p_s and ln(1 - p_s), both from log-sum-exp: neither underflows when a price is tiny.
fn log_prices(b: f64, claims: &[u64], s: usize) -> (f64, f64) {
    let total = log_sum_exp(exponents(b, claims));
    let own = -(claims[s] as f64) / b - total;
    let rest = log_sum_exp_others(b, claims, s) - total;
    (own, rest)
}

/// ln(e^t - 1), for t > 0.
fn log_expm1(t: f64) -> f64 {
    if t > 1.0 {
        t + log1p(-exp(-t))
    } else {
        log(expm1(t))
    }
}

/// ln(1 - e^-t), for t > 0.
fn log_one_minus_exp_neg(t: f64) -> f64 {
    if t > core::f64::consts::LN_2 {
        log1p(-exp(-t))
    } else {
        log(-expm1(-t))
    }
}

/// ln(1 + e^z).
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + log1p(exp(-z))
    } else {
        log1p(exp(z))
    }
}

/// ln(e^a + e^b).
fn log_add_exp(a: f64, b: f64) -> f64 {
    let (high, low) = if a >= b { (a, b) } else { (b, a) };
    if high == f64::NEG_INFINITY {
        return high;
    }
    high + log1p(exp(low - high))
}

/// What buying `x` contracts of state `s` costs: C(q + x e_s) - C(q), in dollars. That is
/// `b ln(1 + p (e^{x/b} - 1))`, evaluated as `b softplus(ln p + ln(e^{x/b} - 1))` so that neither
/// a tiny price nor a large `x / b` loses it.
pub fn cost_up(b: f64, claims: &[u64], s: usize, x: u64) -> f64 {
    let (log_p, _) = log_prices(b, claims, s);
    let t = x as f64 / b;
    (b * softplus(log_p + log_expm1(t))).clamp(0.0, x as f64)
}

/// What selling `x` contracts of state `s` brings: C(q) - C(q - x e_s) = `-b ln(1 - w)` with
/// `w = p (1 - e^{-x/b})`; when `w` is close to 1, `1 - w = (1 - p) + p e^{-x/b}` is summed in log
/// space instead.
pub fn revenue_down(b: f64, claims: &[u64], s: usize, x: u64) -> f64 {
    let (log_p, log_rest) = log_prices(b, claims, s);
    let t = x as f64 / b;
    let log_w = log_p + log_one_minus_exp_neg(t);
    let dollars =
        if log_w < -core::f64::consts::LN_2 { -b * log1p(-exp(log_w)) } else { -b * log_add_exp(log_rest, log_p - t) };
    dollars.clamp(0.0, x as f64)
}

fn logit(p: f64) -> f64 {
    log(p / (1.0 - p))
}

/// How many contracts of state `s` can be bought one by one with each costing at most `limit`
/// dollars: the `k`-th costs `b ln(1 + p_{k-1} (e^{1/b} - 1))`, where `p_{k-1}` is the price after
/// `k - 1`, so the count follows from the price at which that reaches `limit`. `u64::MAX` when
/// every contract is cheaper.
pub fn units_up(b: f64, claims: &[u64], s: usize, limit: f64) -> u64 {
    if limit <= 0.0 {
        return 0;
    }
    let critical = expm1(limit / b) / expm1(1.0 / b);
    if critical.is_nan() || critical >= 1.0 {
        return u64::MAX;
    }
    // p_j <= critical  <=>  q_s / b + j / b - L <= logit(critical), L over the other states.
    let q_s = -(claims[s] as f64) / b;
    let room = b * (logit(critical) + log_sum_exp_others(b, claims, s) - q_s);
    count_from(room)
}

/// How many contracts of state `s` can be sold one by one with each bringing at least `limit`
/// dollars. `u64::MAX` when every contract brings more.
pub fn units_down(b: f64, claims: &[u64], s: usize, limit: f64) -> u64 {
    if limit >= 1.0 {
        return 0;
    }
    let critical = expm1(-limit / b) / expm1(-1.0 / b);
    if critical.is_nan() || critical <= 0.0 {
        return u64::MAX;
    }
    if critical >= 1.0 {
        return 0;
    }
    // p_{-j} >= critical  <=>  q_s / b - j / b - L >= logit(critical).
    let q_s = -(claims[s] as f64) / b;
    let room = b * (q_s - log_sum_exp_others(b, claims, s) - logit(critical));
    count_from(room)
}

/// Units 0..=floor(room) qualify. (NaN and negatives are 0 and the top is capped just below, so
/// the cast is exact for what reaches it.)
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn count_from(room: f64) -> u64 {
    if room.is_nan() || room < 0.0 {
        return 0;
    }
    let units = floor(room) + 1.0;
    if units >= u64::MAX as f64 {
        u64::MAX
    } else {
        units as u64
    }
}

/// The market maker's worst loss, b ln n, in dollars.
pub fn max_loss(b: f64, states: usize) -> f64 {
    b * log(states as f64)
}

/// Dollars to micro-dollars, rounded up, with a margin of one part in 10^12 against the last
/// bits of floating-point error: what a taker pays the market maker. (`as` from `f64` saturates
/// and maps NaN to 0; the callers bound the amount far below `u64::MAX`.)
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn micros_up(dollars: f64) -> u64 {
    let micros = dollars * 1e6;
    libm::ceil(micros + micros.abs() * 1e-12) as u64
}

/// Dollars to micro-dollars, rounded down with the same margin: what the market maker pays.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn micros_down(dollars: f64) -> u64 {
    let micros = dollars * 1e6;
    floor(micros - micros.abs() * 1e-12).max(0.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The textbook binary LMSR, straight from its definition.
    fn binary_closed_form_price(b: f64, q_yes: f64, q_no: f64) -> f64 {
        1.0 / (1.0 + (-(q_yes - q_no) / b).exp())
    }

    /// b ln(e^{q_yes/b} + e^{q_no/b}), shifted by the larger q (an identity) so the exponentials
    /// stay out of the subnormal range.
    fn binary_closed_form_cost(b: f64, q_yes: f64, q_no: f64) -> f64 {
        let m = q_yes.max(q_no);
        m + b * (((q_yes - m) / b).exp() + ((q_no - m) / b).exp()).ln()
    }

    #[test]
    fn uniform_start_and_max_loss() {
        let claims = [0u64, 0, 0, 0];
        for p in prices(100.0, &claims) {
            assert!((p - 0.25).abs() < 1e-15);
        }
        assert!((cost(100.0, &claims) - 100.0 * 4f64.ln()).abs() < 1e-9);
        assert!((max_loss(100.0, 4) - 100.0 * 4f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn extreme_holdings_do_not_overflow() {
        // q/b of -1e6: the naive sum of exponentials would underflow to zero.
        let claims = [0u64, 1_000_000_000];
        let b = 1_000.0;
        let p = prices(b, &claims);
        assert!((p[0] - 1.0).abs() < 1e-12 && p[1] >= 0.0 && p[1] < 1e-12);
        assert!(cost(b, &claims).is_finite());
        let c = cost_up(b, &claims, 0, 10);
        assert!(c > 9.99 && c <= 10.0, "{c}");
        assert!(cost_up(b, &[0, 0], 0, 1_000_000).is_finite());
    }

    #[test]
    fn units_match_unit_costs() {
        let b = 50.0;
        for claims in [[0u64, 0], [30, 0], [0, 70]] {
            for limit in [0.05, 0.3, 0.5, 0.51, 0.9] {
                let n = units_up(b, &claims, 0, limit);
                let unit = |k: u64| cost_up(b, &claims, 0, k + 1) - cost_up(b, &claims, 0, k);
                if n > 0 {
                    assert!(unit(n - 1) <= limit + 1e-9, "unit {n} costs {} > {limit}", unit(n - 1));
                }
                assert!(unit(n) > limit - 1e-9, "unit {} costs {} <= {limit}", n + 1, unit(n));

                let m = units_down(b, &claims, 0, limit);
                let back = |k: u64| revenue_down(b, &claims, 0, k + 1) - revenue_down(b, &claims, 0, k);
                if m > 0 {
                    assert!(back(m - 1) >= limit - 1e-9);
                }
                assert!(back(m) < limit + 1e-9);
            }
        }
    }

    proptest! {
        #[test]
        fn prices_sum_to_one(b in 1.0f64..1e6, claims in prop::collection::vec(0u64..10_000_000, 2..64)) {
            let total: f64 = prices(b, &claims).iter().sum();
            prop_assert!((total - 1.0).abs() < 1e-12, "prices sum to {}", total);
        }

        #[test]
        fn binary_matches_the_closed_form(b in 1.0f64..1e5, yes in 0u64..1_000_000, no in 0u64..1_000_000, x in 1u64..10_000) {
            let claims = [yes, no];
            // q = -claims.
            let (q_yes, q_no) = (-(yes as f64), -(no as f64));
            let closed = binary_closed_form_price(b, q_yes, q_no);
            prop_assume!(closed.is_finite() && closed > 1e-300);
            let p = price(b, &claims, 0);
            prop_assert!((p - closed).abs() <= 1e-12 * closed.max(1e-300) + 1e-15, "{} vs {}", p, closed);
            let before = binary_closed_form_cost(b, q_yes, q_no);
            let after = binary_closed_form_cost(b, q_yes + x as f64, q_no);
            prop_assume!(before.is_finite() && after.is_finite());
            let cost = cost_up(b, &claims, 0, x);
            prop_assert!((cost - (after - before)).abs() <= 1e-9 * (after - before).abs().max(1.0), "{} vs {}", cost, after - before);
        }

        #[test]
        fn buying_then_selling_back_never_profits(b in 1.0f64..1e5, yes in 0u64..100_000, no in 0u64..100_000, x in 1u64..100_000) {
            let claims = [yes, no];
            let paid = micros_up(cost_up(b, &claims, 0, x));
            // After buying, the market maker holds x fewer YES claims (or x more NO: the same prices).
            let after = [yes, no + x];
            let back = micros_down(revenue_down(b, &after, 0, x));
            prop_assert!(back <= paid, "bought for {} and sold back for {}", paid, back);
        }
    }
}
