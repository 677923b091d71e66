//! Logistic regression in pure Rust (L2-regularised, fitted by Newton's method): the learned
//! model the validation tries against the transparent baseline.

/// Fitted weights: `p = sigmoid(bias + weights . x)`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Logistic {
    pub bias: f64,
    pub weights: Vec<f64>,
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Logistic {
    /// Fits on rows `x` (all the same length) and labels `y`, with ridge penalty `l2` on the
    /// weights (not the bias). Newton steps on the penalised log-likelihood, at most 25.
    pub fn fit(x: &[Vec<f64>], y: &[bool], l2: f64) -> Logistic {
        assert_eq!(x.len(), y.len(), "one label per row");
        let d = x.first().map_or(0, Vec::len);
        let k = d + 1;
        let mut beta = vec![0.0; k];
        for _ in 0..25 {
            let mut grad = vec![0.0; k];
            let mut hess = vec![0.0; k * k];
            for (row, &label) in x.iter().zip(y) {
                let z = beta[0] + row.iter().zip(&beta[1..]).map(|(a, b)| a * b).sum::<f64>();
                let p = sigmoid(z);
                let err = p - if label { 1.0 } else { 0.0 };
                let w = p * (1.0 - p);
                let xi = |i: usize| if i == 0 { 1.0 } else { row[i - 1] };
                for i in 0..k {
                    grad[i] += err * xi(i);
                    for j in 0..=i {
                        hess[i * k + j] += w * xi(i) * xi(j);
                    }
                }
            }
            for i in 1..k {
                grad[i] += l2 * beta[i];
                hess[i * k + i] += l2;
            }
            for i in 0..k {
                hess[i * k + i] += 1e-9;
                for j in 0..i {
                    hess[j * k + i] = hess[i * k + j];
                }
            }
            let Some(step) = solve(&mut hess, &mut grad, k) else { break };
            let mut largest: f64 = 0.0;
            for i in 0..k {
                beta[i] -= step[i];
                largest = largest.max(step[i].abs());
            }
            if largest < 1e-10 {
                break;
            }
        }
        Logistic { bias: beta[0], weights: beta[1..].to_vec() }
    }

    pub fn predict(&self, row: &[f64]) -> f64 {
        sigmoid(self.bias + row.iter().zip(&self.weights).map(|(a, b)| a * b).sum::<f64>())
    }
}

/// Solves `a x = b` (a is k x k, row-major) by Gaussian elimination with partial pivoting.
fn solve(a: &mut [f64], b: &mut [f64], k: usize) -> Option<Vec<f64>> {
    for col in 0..k {
        let pivot = (col..k).max_by(|&i, &j| a[i * k + col].abs().total_cmp(&a[j * k + col].abs()))?;
        if a[pivot * k + col].abs() < 1e-300 {
            return None;
        }
        if pivot != col {
            for j in 0..k {
                a.swap(col * k + j, pivot * k + j);
            }
            b.swap(col, pivot);
        }
        for row in col + 1..k {
            let f = a[row * k + col] / a[col * k + col];
            for j in col..k {
                a[row * k + j] -= f * a[col * k + j];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; k];
    for row in (0..k).rev() {
        let s: f64 = (row + 1..k).map(|j| a[row * k + j] * x[j]).sum();
        x[row] = (b[row] - s) / a[row * k + row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_separating_direction() {
        let mut rng = crate::synth::SplitMix64::new(7);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for _ in 0..2_000 {
            let a = rng.next_normal();
            let b = rng.next_normal();
            let p = sigmoid(0.5 + 2.0 * a - 1.0 * b);
            x.push(vec![a, b]);
            y.push(rng.next_f64() < p);
        }
        let m = Logistic::fit(&x, &y, 1e-6);
        assert!(
            (m.weights[0] - 2.0).abs() < 0.3 && (m.weights[1] + 1.0).abs() < 0.3 && (m.bias - 0.5).abs() < 0.3,
            "{m:?}"
        );
    }
}
