//! Statistics the models and the validation need: normal and Student-t distributions, the
//! binomial tail, rank correlation, scoring rules, and a small Nelder-Mead minimiser.

/// Standard normal CDF.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Regularized incomplete beta I_x(a, b) (continued fraction, Numerical Recipes' `betacf`).
pub fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const ITERATIONS_MAX: usize = 300;
    const EPS: f64 = 1e-15;
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=ITERATIONS_MAX {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// Degrees of freedom above which the Student-t is taken as normal (the CDFs differ by less
/// than 0.0005 there).
pub const STUDENT_T_NORMAL_DF: f64 = 1_000.0;

/// CDF of Student's t with `df` degrees of freedom (any real df > 0).
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    if df >= STUDENT_T_NORMAL_DF {
        return normal_cdf(t);
    }
    let x = df / (df + t * t);
    let tail = 0.5 * incomplete_beta(0.5 * df, 0.5, x);
    if t > 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// CDF at `x` of a Student-t scaled to unit variance (df > 2).
pub fn unit_student_t_cdf(x: f64, df: f64) -> f64 {
    if df >= STUDENT_T_NORMAL_DF {
        return normal_cdf(x);
    }
    student_t_cdf(x * (df / (df - 2.0)).sqrt(), df)
}

/// Log density at `x` of a unit-variance Student-t (df > 2).
pub fn unit_student_t_ln_pdf(x: f64, df: f64) -> f64 {
    let c = libm::lgamma(0.5 * (df + 1.0)) - libm::lgamma(0.5 * df) - 0.5 * (std::f64::consts::PI * (df - 2.0)).ln();
    c - 0.5 * (df + 1.0) * (1.0 + x * x / (df - 2.0)).ln()
}

/// P(X >= k) for X ~ Binomial(n, p): the one-sided p-value of k or more hits.
pub fn binomial_upper_tail(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    incomplete_beta(k as f64, (n - k + 1) as f64, p)
}

/// Ranks (1-based, ties given their average rank).
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && values[order[j]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j + 1) as f64 / 2.0;
        for &k in &order[i..j] {
            out[k] = rank;
        }
        i = j;
    }
    out
}

/// Pearson correlation; `None` if either side is constant or there are fewer than 2 points.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 2 || n != y.len() {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Spearman rank correlation.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&ranks(x), &ranks(y))
}

/// Mean, sample standard deviation and t-statistic of the mean.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct MeanStats {
    pub n: u64,
    pub mean: f64,
    pub sd: f64,
    pub t_stat: f64,
}

pub fn mean_stats(values: &[f64]) -> MeanStats {
    let n = values.len();
    if n == 0 {
        return MeanStats::default();
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let sd =
        if n > 1 { (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64).sqrt() } else { 0.0 };
    let t_stat = if sd > 0.0 { mean / (sd / (n as f64).sqrt()) } else { 0.0 };
    MeanStats { n: n as u64, mean, sd, t_stat }
}

/// Probabilities are clipped to [LOG_LOSS_CLIP, 1 - LOG_LOSS_CLIP] before the logarithm.
pub const LOG_LOSS_CLIP: f64 = 1e-6;

pub fn brier(p: f64, outcome: bool) -> f64 {
    let o = if outcome { 1.0 } else { 0.0 };
    (p - o) * (p - o)
}

pub fn log_loss(p: f64, outcome: bool) -> f64 {
    let p = p.clamp(LOG_LOSS_CLIP, 1.0 - LOG_LOSS_CLIP);
    if outcome {
        -p.ln()
    } else {
        -(1.0 - p).ln()
    }
}

/// Minimises `f` from `start` with the Nelder-Mead simplex (initial steps `step`), stopping when
/// the simplex's values agree within `tolerance` or after `evaluations_max` evaluations.
pub fn nelder_mead(
    f: &mut dyn FnMut(&[f64]) -> f64,
    start: &[f64],
    step: f64,
    tolerance: f64,
    evaluations_max: usize,
) -> (Vec<f64>, f64) {
    let n = start.len();
    let mut simplex: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..n {
        let mut p = start.to_vec();
        p[i] += step;
        simplex.push(p);
    }
    let mut values: Vec<f64> = simplex.iter().map(|p| f(p)).collect();
    let mut evaluations = n + 1;
    while evaluations < evaluations_max {
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        values = order.iter().map(|&i| values[i]).collect();
        if (values[n] - values[0]).abs() <= tolerance * (1.0 + values[0].abs()) {
            break;
        }
        let centroid: Vec<f64> = (0..n).map(|j| simplex[..n].iter().map(|p| p[j]).sum::<f64>() / n as f64).collect();
        let along = |t: f64| -> Vec<f64> { (0..n).map(|j| centroid[j] + t * (simplex[n][j] - centroid[j])).collect() };
        let reflected = along(-1.0);
        let fr = f(&reflected);
        evaluations += 1;
        if fr < values[0] {
            let expanded = along(-2.0);
            let fe = f(&expanded);
            evaluations += 1;
            if fe < fr {
                simplex[n] = expanded;
                values[n] = fe;
            } else {
                simplex[n] = reflected;
                values[n] = fr;
            }
        } else if fr < values[n - 1] {
            simplex[n] = reflected;
            values[n] = fr;
        } else {
            let contracted = if fr < values[n] { along(-0.5) } else { along(0.5) };
            let fc = f(&contracted);
            evaluations += 1;
            if fc < values[n].min(fr) {
                simplex[n] = contracted;
                values[n] = fc;
            } else {
                for i in 1..=n {
                    simplex[i] = (0..n).map(|j| simplex[0][j] + 0.5 * (simplex[i][j] - simplex[0][j])).collect();
                    values[i] = f(&simplex[i]);
                }
                evaluations += n;
            }
        }
    }
    let best = (0..=n).min_by(|&a, &b| values[a].total_cmp(&values[b])).unwrap_or(0);
    (simplex[best].clone(), values[best])
}

/// Minimises a function of one variable on [lo, hi] by golden-section search.
pub fn golden_section(f: &mut dyn FnMut(f64) -> f64, mut lo: f64, mut hi: f64, iterations: usize) -> f64 {
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let mut a = hi - ratio * (hi - lo);
    let mut b = lo + ratio * (hi - lo);
    let (mut fa, mut fb) = (f(a), f(b));
    for _ in 0..iterations {
        if fa < fb {
            hi = b;
            b = a;
            fb = fa;
            a = hi - ratio * (hi - lo);
            fa = f(a);
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + ratio * (hi - lo);
            fb = f(b);
        }
    }
    (lo + hi) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions() {
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-12);
        // t(5) 97.5% quantile is 2.570582.
        assert!((student_t_cdf(2.570_581_835_636_314, 5.0) - 0.975).abs() < 1e-9);
        assert!((student_t_cdf(-1.0, 1.0) - 0.25).abs() < 1e-12); // Cauchy
        assert!((student_t_cdf(0.0, 3.3) - 0.5).abs() < 1e-12);
        // P(X >= 7) for Binomial(10, 0.5) = 176 / 1024.
        assert!((binomial_upper_tail(7, 10, 0.5) - 176.0 / 1024.0).abs() < 1e-12);
    }

    #[test]
    fn rank_correlation() {
        assert_eq!(ranks(&[3.0, 1.0, 2.0, 2.0]), vec![4.0, 1.0, 2.5, 2.5]);
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 15.0]).unwrap() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn minimisers() {
        let (x, _) =
            nelder_mead(&mut |p| (p[0] - 1.0).powi(2) + 10.0 * (p[1] + 2.0).powi(2), &[0.0, 0.0], 0.5, 1e-14, 2_000);
        assert!((x[0] - 1.0).abs() < 1e-4 && (x[1] + 2.0).abs() < 1e-4, "{x:?}");
        let m = golden_section(&mut |x| (x - 0.3).powi(2), 0.0, 1.0, 60);
        assert!((m - 0.3).abs() < 1e-6);
    }
}
