//! Indicators against reference values computed by TA-Lib (the `ta-lib` Python package) on the
//! whole BTC hourly file, by tools/talib_reference.py; volatility and drawdown against numpy.
//! The fixture keeps a trimmed set of rows (the first 400, every 97th after, the last 100).

mod common;

use augury_intel::indicators::*;

struct Reference {
    columns: Vec<String>,
    rows: Vec<(usize, Vec<Option<f64>>)>,
}

fn reference() -> Reference {
    let path = common::fixture("talib-btcusdt-1h.csv");
    let text = std::fs::read_to_string(&path).expect("the TA-Lib fixture is committed");
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<String> = lines.next().expect("a header").split(',').map(str::to_string).collect();
    assert_eq!(&header[..2], ["row", "date"]);
    let rows = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let values = f[2..].iter().map(|v| if v.is_empty() { None } else { Some(v.parse().unwrap()) }).collect();
            (f[0].parse().unwrap(), values)
        })
        .collect();
    Reference { columns: header[2..].to_vec(), rows }
}

#[test]
fn indicators_match_talib_on_btc_hourly() {
    let series = common::btc_hourly();
    let c = &series.candles;
    let close: Vec<f64> = c.iter().map(|c| c.close).collect();
    let high: Vec<f64> = c.iter().map(|c| c.high).collect();
    let low: Vec<f64> = c.iter().map(|c| c.low).collect();
    let volume: Vec<f64> = c.iter().map(|c| c.volume).collect();

    let m = macd(&close, 12, 26, 9);
    let bb = bollinger(&close, 20, 2.0);
    let dmi = adx(&high, &low, &close, 14);
    let ours: Vec<(&str, Vec<f64>)> = vec![
        ("sma_20", sma(&close, 20)),
        ("ema_20", ema(&close, 20)),
        ("rsi_14", rsi(&close, 14)),
        ("roc_10", roc(&close, 10)),
        ("macd", m.macd),
        ("macd_signal", m.signal),
        ("macd_hist", m.histogram),
        ("bb_upper", bb.upper),
        ("bb_middle", bb.middle),
        ("bb_lower", bb.lower),
        ("trange", true_range(&high, &low, &close)),
        ("atr_14", atr(&high, &low, &close, 14)),
        ("obv", obv(&close, &volume)),
        ("adx_14", dmi.adx),
        ("plus_di_14", dmi.plus_di),
        ("minus_di_14", dmi.minus_di),
        ("volatility_30", rolling_volatility(&close, 30)),
        ("drawdown", drawdown(&close).iter().map(|d| d.drawdown).collect()),
    ];
    let reference = reference();
    let mut failures = Vec::new();
    for (name, values) in &ours {
        let col = reference.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no {name} column"));
        // Scale for the tolerance: the column's largest magnitude (OBV crosses zero).
        let scale = reference.rows.iter().filter_map(|(_, v)| v[col]).fold(0f64, |a, v| a.max(v.abs()));
        let mut worst = 0f64;
        for (row, refs) in &reference.rows {
            match (refs[col], values[*row]) {
                (None, v) if v.is_nan() => {}
                (Some(r), v) if !v.is_nan() => {
                    let err = (v - r).abs() / (r.abs().max(1e-3 * scale).max(1e-12));
                    worst = worst.max(err);
                }
                (r, v) => failures.push(format!("{name} row {row}: reference {r:?}, ours {v}")),
            }
        }
        if worst > 1e-9 {
            failures.push(format!("{name}: worst relative error {worst:e}"));
        }
        eprintln!("{name:>14}: worst relative error {worst:.2e}");
    }
    assert!(failures.is_empty(), "{} mismatches, first: {:?}", failures.len(), &failures[..failures.len().min(10)]);
}

#[test]
fn streaming_equals_batch_and_never_looks_ahead() {
    // Values at bar t computed on the first t+1 bars equal those computed on the whole series.
    let series = common::btc_hourly();
    let close: Vec<f64> = series.candles[..3_000].iter().map(|c| c.close).collect();
    let full = macd(&close, 12, 26, 9).histogram;
    for cut in [1usize, 33, 34, 500, 2_999] {
        let part = macd(&close[..cut], 12, 26, 9).histogram;
        for (a, b) in part.iter().zip(&full) {
            assert!(a.to_bits() == b.to_bits(), "MACD at cut {cut} differs");
        }
    }
    let mut r = Rsi::new(14);
    let streamed: Vec<f64> = close.iter().map(|&x| r.update(x).unwrap_or(f64::NAN)).collect();
    let batch = rsi(&close, 14);
    assert!(streamed.iter().zip(&batch).all(|(a, b)| a.to_bits() == b.to_bits()));
}
