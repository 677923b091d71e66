//! The intelligence endpoints against the intel crate: real candles (Binance BTCUSDT hourly,
//! Bitstamp ETHUSD daily; the demo's data slice) are imported into the venue's candle store, the
//! venue is served, and every figure the API answers must equal what `augury-intel` computes
//! directly from the same candles. Then the refusals: unknown assets, bad parameters.

mod common;

use augury_gateway::GatewayConfig;
use augury_intel::candle::{resample_daily, Candle, Interval, Series, MS_PER_DAY, MS_PER_HOUR};
use augury_intel::grades::{grade_series, GradeConfig};
use augury_intel::live::{fit_for_day, forecaster_at, LiveConfig};
use augury_intel::{csv, indicators, CandleStore};
use common::*;
use serde_json::Value;
use std::path::PathBuf;

fn data(file: &str) -> Series {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crypto/data").join(file);
    csv::parse_str(&std::fs::read_to_string(path).unwrap()).unwrap().series
}

/// A venue whose candle store holds BTCUSDT (1h) and ETHUSD (1d).
async fn venue_with_candles() -> (Server, Series, Series) {
    let btc = data("binance-BTCUSDT-1h-2018-2020.csv");
    let eth = data("bitstamp-ETHUSD-1d-2017-2020.csv");
    let (server, ..) = start(GatewayConfig::default()).await;
    let dir = server.stop().await;
    let store = CandleStore::open(dir.path());
    store.import("BTCUSDT", &btc).unwrap();
    store.import("ETHUSD", &eth).unwrap();
    (serve_dir(dir, GatewayConfig::default()).await, btc, eth)
}

async fn get(client: &reqwest::Client, server: &Server, path: &str) -> (u16, Value) {
    read(client.get(server.url(path)).send().await.unwrap()).await
}

/// The server writes floats in their shortest exact form, but serde_json's default parser (the
/// client's) may round the last bit differently: equal means within one unit in the last place.
fn equal(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= f64::EPSILON * a.abs().max(b.abs())
}

/// The API's number equals the direct computation (NaN, while warming up, is null in JSON).
fn same(api: &Value, direct: f64) -> bool {
    match api.as_f64() {
        Some(x) => equal(x, direct),
        None => api.is_null() && !direct.is_finite(),
    }
}

fn same_option(api: &Value, direct: Option<f64>) -> bool {
    same(api, direct.unwrap_or(f64::NAN))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intel_endpoints_answer_what_the_intel_crate_computes() {
    let (server, btc, eth) = venue_with_candles().await;
    let client = reqwest::Client::new();

    // The assets.
    let (status, assets) = get(&client, &server, "/v1/intel/assets").await;
    assert_eq!(status, 200, "{assets}");
    let symbols: Vec<&str> = assets.as_array().unwrap().iter().map(|a| a["symbol"].as_str().unwrap()).collect();
    assert_eq!(symbols, ["BTCUSDT", "ETHUSD"]);
    assert_eq!(assets[0]["intervals"], serde_json::json!(["1h", "1d"]));
    assert_eq!(assets[0]["grades_from"], "1h");
    assert_eq!(assets[0]["series"][0]["candles"], btc.candles.len() as u64);
    let last = btc.candles.last().unwrap();
    assert_eq!(assets[0]["series"][0]["last_close_ms"], last.open_time_ms + MS_PER_HOUR);
    assert_eq!(assets[1]["grades_from"], "1d");

    // Grades: the daily grades of the hourly candles resampled to days.
    let days = grade_series(&resample_daily(&btc), GradeConfig::default());
    let (status, grades) = get(&client, &server, "/v1/intel/assets/BTCUSDT/grades?limit=30").await;
    assert_eq!(status, 200, "{grades}");
    let items = grades["items"].as_array().unwrap();
    assert_eq!(items.len(), 30);
    for (item, day) in items.iter().zip(&days[days.len() - 30..]) {
        assert_eq!(item["open_time_ms"], day.open_time_ms);
        assert!(same_option(&item["trader_grade"], day.trader), "{item}");
        assert!(same_option(&item["investor_grade"], day.investor), "{item}");
        assert_eq!(item["signal"], day.signal);
        let grade = day.trader.unwrap();
        assert!((0.0..=100.0).contains(&grade));
    }
    assert_eq!(items.last().unwrap()["date"], "2020-01-17");
    // A range: the days opening in [start, end).
    let start = days[days.len() - 10].open_time_ms;
    let end = days[days.len() - 5].open_time_ms;
    let (_, ranged) =
        get(&client, &server, &format!("/v1/intel/assets/BTCUSDT/grades?start_ms={start}&end_ms={end}")).await;
    let opens: Vec<i64> =
        ranged["items"].as_array().unwrap().iter().map(|i| i["open_time_ms"].as_i64().unwrap()).collect();
    assert_eq!(opens, (0..5).map(|k| start + k * MS_PER_DAY).collect::<Vec<_>>());

    // Signals: the latest graded day's signal and the strategy against holding.
    let last_day = days.last().unwrap();
    let (status, signals) = get(&client, &server, "/v1/intel/assets/BTCUSDT/signals").await;
    assert_eq!(status, 200, "{signals}");
    assert_eq!(signals["signal"], last_day.signal);
    assert!(same(&signals["strategy_return"], last_day.strategy_return), "{signals}");
    assert!(same(&signals["hold_return"], last_day.hold_return), "{signals}");
    assert_eq!(signals["position"], last_day.position);
    let graded = days.iter().filter(|d| d.trader.is_some()).count();
    assert_eq!(signals["graded_days"], graded as u64);
    let changes = signals["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    assert_eq!(changes.last().unwrap()["signal"], last_day.signal);
    assert!(changes.windows(2).all(|w| w[0]["signal"] != w[1]["signal"]));

    // Indicators on the hourly candles.
    let (status, rows) =
        get(&client, &server, "/v1/intel/assets/BTCUSDT/indicators?names=rsi_14,macd,bollinger_20,adx_14&limit=50")
            .await;
    assert_eq!(status, 200, "{rows}");
    let closes: Vec<f64> = btc.candles.iter().map(|c| c.close).collect();
    let highs: Vec<f64> = btc.candles.iter().map(|c| c.high).collect();
    let lows: Vec<f64> = btc.candles.iter().map(|c| c.low).collect();
    let rsi = indicators::rsi(&closes, 14);
    let macd = indicators::macd(&closes, 12, 26, 9);
    let bands = indicators::bollinger(&closes, 20, 2.0);
    let adx = indicators::adx(&highs, &lows, &closes, 14);
    let items = rows["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    let first = btc.candles.len() - 50;
    for (k, item) in items.iter().enumerate() {
        let i = first + k;
        let values = &item["values"];
        assert_eq!(item["open_time_ms"], btc.candles[i].open_time_ms);
        assert!(same(&values["rsi_14"], rsi[i]), "{item}");
        assert!(same(&values["macd"], macd.macd[i]) && same(&values["macd_histogram"], macd.histogram[i]));
        assert!(
            same(&values["bollinger_20_upper"], bands.upper[i]) && same(&values["bollinger_20_lower"], bands.lower[i])
        );
        assert!(same(&values["adx_14"], adx.adx[i]) && same(&values["minus_di_14"], adx.minus_di[i]), "{item}");
    }
    // Daily indicators of an asset held hourly are on resampled days.
    let (status, daily) =
        get(&client, &server, "/v1/intel/assets/BTCUSDT/indicators?names=sma_20&interval=1d&limit=1").await;
    assert_eq!(status, 200, "{daily}");
    let day_closes: Vec<f64> = resample_daily(&btc).candles.iter().map(|c| c.close).collect();
    assert!(same(&daily["items"][0]["values"]["sma_20"], *indicators::sma(&day_closes, 20).last().unwrap()));

    // Threshold probabilities: the day's fit on the year before, filtered to the last close.
    let as_of = last.open_time_ms + MS_PER_HOUR;
    let fit = fit_for_day(&btc, as_of.div_euclid(MS_PER_DAY) * MS_PER_DAY, &LiveConfig::default()).unwrap();
    let forecaster = forecaster_at(&btc, &fit, as_of);
    for (strike, hours) in [(9_000.0, 24), (8_500.0, 1), (10_000.0, 168)] {
        let path = format!("/v1/intel/assets/BTCUSDT/threshold?strike={strike}&horizon_hours={hours}");
        let (status, answer) = get(&client, &server, &path).await;
        assert_eq!(status, 200, "{answer}");
        let direct = forecaster.probability_at_or_above(strike, hours * MS_PER_HOUR).unwrap();
        assert!(same(&answer["probability"], direct), "{answer} {direct}");
        assert_eq!(answer["as_of_ms"], as_of);
        assert_eq!(answer["expires_at_ms"], as_of + hours * MS_PER_HOUR);
        assert!(same(&answer["spot"], last.close));
        assert_eq!(answer["model"]["kind"], "garch_t");
        assert_eq!(answer["model"]["train_bars"], fit.train_bars);
    }
    // Probabilities fall as the strike rises.
    let mut previous = 1.0;
    for strike in [7_000, 8_000, 8_900, 9_500, 11_000] {
        let (_, answer) =
            get(&client, &server, &format!("/v1/intel/assets/BTCUSDT/threshold?strike={strike}&horizon_hours=24"))
                .await;
        let p = answer["probability"].as_f64().unwrap();
        assert!(p <= previous && (0.0..=1.0).contains(&p), "{answer}");
        previous = p;
    }
    // ETH, held daily: a day is the shortest horizon.
    let (status, eth_answer) =
        get(&client, &server, "/v1/intel/assets/ETHUSD/threshold?strike=170&horizon_hours=24").await;
    assert_eq!(status, 200, "{eth_answer}");
    assert_eq!(eth_answer["model"]["interval"], "1d");
    let eth_last = eth.candles.last().unwrap();
    assert_eq!(eth_answer["as_of_ms"], eth_last.open_time_ms + MS_PER_DAY);
    server.stop().await;
}

#[tokio::test]
async fn intel_refusals_are_clear() {
    let (server, ..) = venue_with_candles().await;
    let client = reqwest::Client::new();
    let cases: [(&str, u16, &str); 16] = [
        ("/v1/intel/assets/DOGE/grades", 404, "unknown_asset"),
        ("/v1/intel/assets/DOGE/threshold?strike=1&horizon_hours=24", 404, "unknown_asset"),
        ("/v1/intel/assets/BTCUSDT/grades?limit=0", 400, "invalid_query"),
        ("/v1/intel/assets/BTCUSDT/grades?start_ms=5&end_ms=5", 400, "invalid_query"),
        ("/v1/intel/assets/BTCUSDT/grades?colour=red", 400, "invalid_query"),
        ("/v1/intel/assets/BTCUSDT/indicators", 400, "invalid_query"),
        ("/v1/intel/assets/BTCUSDT/indicators?names=", 400, "invalid_query"),
        ("/v1/intel/assets/BTCUSDT/indicators?names=rsi_1", 400, "invalid_query"),
        ("/v1/intel/assets/BTCUSDT/indicators?names=magic_14", 400, "invalid_query"),
        ("/v1/intel/assets/BTCUSDT/indicators?names=rsi_14&interval=4h", 404, "unknown_interval"),
        ("/v1/intel/assets/BTCUSDT/indicators?names=rsi_14&interval=soon", 400, "invalid_query"),
        ("/v1/intel/assets/BTCUSDT/threshold?strike=-5&horizon_hours=24", 400, "invalid_query"),
        ("/v1/intel/assets/BTCUSDT/threshold?strike=NaN&horizon_hours=24", 400, "invalid_query"),
        ("/v1/intel/assets/BTCUSDT/threshold?strike=9000&horizon_hours=0", 400, "invalid_query"),
        ("/v1/intel/assets/BTCUSDT/threshold?strike=9000&horizon_hours=721", 400, "invalid_query"),
        ("/v1/intel/assets/ETHUSD/threshold?strike=170&horizon_hours=4", 400, "invalid_query"),
    ];
    for (path, status, code) in cases {
        let (got, body) = get(&client, &server, path).await;
        assert_eq!((got, error_code(&body)), (status, code), "{path}: {body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    server.stop().await;
}

#[tokio::test]
async fn a_candle_appended_while_running_is_served_at_once() {
    let (server, ..) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let (_, assets) = get(&client, &server, "/v1/intel/assets").await;
    assert_eq!(assets, serde_json::json!([]));
    let hub = &server.gateway.state.intel;
    for h in 0..3 {
        let close = 100.0 + h as f64;
        let candle = Candle { open_time_ms: h * MS_PER_HOUR, open: close, high: close, low: close, close, volume: 1.0 };
        hub.append("TEST", Interval::HOUR, candle).unwrap();
    }
    let (status, candles) = get(&client, &server, "/v1/intel/assets/TEST/candles").await;
    assert_eq!(status, 200, "{candles}");
    assert_eq!(candles["items"].as_array().unwrap().len(), 3);
    assert_eq!(candles["items"][2]["close"], 102.0);
    // Too little history to fit a model: a clear 422, not a failure.
    let (status, body) = get(&client, &server, "/v1/intel/assets/TEST/threshold?strike=100&horizon_hours=1").await;
    assert_eq!((status, error_code(&body)), (422, "insufficient_data"), "{body}");
    let (status, body) = get(&client, &server, "/v1/intel/assets/TEST/grades").await;
    assert_eq!((status, body["items"].as_array().map(Vec::len)), (200, Some(0)), "{body}");
    server.stop().await;
}

/// `GET /v1/intel/assets/{symbol}/validation` answers what `augury intel validate --candles`
/// computes (the intel crate's `validate`) on the asset's candles closed by the start of the UTC
/// day of its latest close, and a second request is served from the cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_answers_what_the_intel_crate_computes() {
    use augury_intel::live::day_of;
    use augury_intel::validate::{validate, Asset, ValidateConfig, PRIMARY};
    let (server, _btc, eth) = venue_with_candles().await;
    let client = reqwest::Client::new();

    let as_of_ms = day_of(eth.close_time_ms(eth.candles.len() - 1));
    let known = Series { interval: eth.interval, candles: eth.known_at(as_of_ms).to_vec() };
    let asset = Asset { name: "ETHUSD".into(), series: known, in_cross_section: false };
    let started = std::time::Instant::now();
    let direct = validate(&asset, std::slice::from_ref(&asset), &ValidateConfig::default());
    eprintln!("ETHUSD validation computed directly in {:?}", started.elapsed());
    let t = &direct.threshold;

    let started = std::time::Instant::now();
    let (status, v) = get(&client, &server, "/v1/intel/assets/ETHUSD/validation").await;
    eprintln!("ETHUSD validation served in {:?}", started.elapsed());
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["symbol"], "ETHUSD");
    assert_eq!(v["interval"], "1d");
    assert_eq!(v["as_of_ms"], as_of_ms);
    assert_eq!(v["candles"], asset.series.candles.len() as u64);
    assert_eq!(v["models"], serde_json::json!(["garch_t", "ewma_t", "constant_vol", "base_rate"]));
    assert_eq!(v["test_years"], serde_json::json!(direct.threshold_test_years));
    assert!(direct.threshold_questions > 0);
    assert_eq!(v["overall"]["questions"], direct.threshold_questions);
    assert!(same(&v["overall"]["brier"][0], direct.threshold_brier));
    assert!(same(&v["overall"]["brier"][3], direct.threshold_brier_base_rate));
    assert!(same(&v["overall"]["brier"][2], direct.threshold_brier_constant_vol));
    assert!(same(&v["overall"]["log_loss"][0], direct.threshold_log_loss));
    assert!(same(&v["overall"]["skill_vs_base_rate"], direct.threshold_brier_skill));
    assert!(same(&v["overall"]["skill_vs_constant_vol"], direct.threshold_brier_skill_vs_constant_vol));
    let horizons = v["per_horizon"].as_array().unwrap();
    assert_eq!(horizons.len(), t.per_horizon.len());
    for (api, (label, scores)) in horizons.iter().zip(&t.per_horizon) {
        assert_eq!(api["horizon"], label.as_str());
        assert_eq!(api["questions"], scores.questions);
        for m in 0..4 {
            assert!(same(&api["brier"][m], scores.brier[m]), "{label} brier {m}: {api}");
        }
        assert!(same(&api["skill_vs_base_rate"], scores.skill(PRIMARY, 3)), "{label}: {api}");
    }
    let bins = v["reliability"].as_array().unwrap();
    assert_eq!(bins.len(), t.reliability.len());
    for (api, bin) in bins.iter().zip(&t.reliability) {
        assert_eq!(api["questions"], bin.questions);
        assert!(same(&api["from"], bin.from) && same(&api["to"], bin.to));
        assert!(same(&api["mean_forecast"], bin.mean_forecast), "{api}");
        assert!(same(&api["observed"], bin.observed), "{api}");
    }
    assert_eq!(v["look_ahead_passed"], direct.look_ahead.passed);
    assert_eq!(v["look_ahead_values_compared"], direct.look_ahead.values_compared);

    // Cached: the same answer at once, time included.
    let started = std::time::Instant::now();
    let (status, again) = get(&client, &server, "/v1/intel/assets/ETHUSD/validation").await;
    assert_eq!(status, 200);
    assert_eq!(again, v);
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "not cached: {:?}", started.elapsed());

    // Refusals: an unknown asset, a query, too little history.
    let (status, body) = get(&client, &server, "/v1/intel/assets/DOGE/validation").await;
    assert_eq!((status, error_code(&body)), (404, "unknown_asset"), "{body}");
    let (status, body) = get(&client, &server, "/v1/intel/assets/ETHUSD/validation?fast=1").await;
    assert_eq!((status, error_code(&body)), (400, "invalid_query"), "{body}");
    let hub = &server.gateway.state.intel;
    for d in 0..40 {
        let close = 100.0 + d as f64;
        let candle = Candle { open_time_ms: d * MS_PER_DAY, open: close, high: close, low: close, close, volume: 1.0 };
        hub.append("YOUNG", Interval::DAY, candle).unwrap();
    }
    let (status, body) = get(&client, &server, "/v1/intel/assets/YOUNG/validation").await;
    assert_eq!((status, error_code(&body)), (422, "insufficient_data"), "{body}");
    server.stop().await;
}
