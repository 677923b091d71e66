//! The intelligence commands: `augury import candles`, `augury intel validate`,
//! `augury bench intel`. The maths lives in `augury-intel`; this is reading files, progress,
//! timing and printing.

use anyhow::{bail, Context, Result};
use augury_intel::grades::GradeConfig;
use augury_intel::validate::{validate, Asset, ValidateConfig, ValidationReport};
use augury_intel::{csv, CandleStore};
use clap::{Args, Subcommand};
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import OHLCV candles from a CSV file into the venue's candle store
    /// (DATA_DIR/candles/SYMBOL-INTERVAL.csv). Layouts: Binance klines (no header, epoch times)
    /// or date,open,high,low,close,volume with a header. The whole file is checked first: a bad
    /// row is reported with its line number and nothing is imported.
    Candles(ImportCandlesArgs),
}

#[derive(Args)]
pub struct ImportCandlesArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// The symbol to store the candles under (letters, digits, '.', '_', '-').
    #[arg(long)]
    pub symbol: String,
    /// The venue's data directory.
    #[arg(long, default_value = "augury-data")]
    pub data_dir: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum IntelCommand {
    /// Walk-forward validation of the threshold probabilities, grades and signals, with a
    /// look-ahead check (everything recomputed on truncated data must not change). Prints the
    /// report as Markdown (docs/intel-validation.md), or one JSON object with --json. Fails if
    /// the look-ahead check does.
    Validate(ValidateArgs),
}

#[derive(Args)]
pub struct ValidateArgs {
    /// Validate on this OHLCV file (either layout) instead of the shared data.
    #[arg(long)]
    pub candles: Option<PathBuf>,
    /// The shared data folder (holding ohlcv/), used without --candles.
    #[arg(long, default_value = "../shared/data")]
    pub shared_data: PathBuf,
    /// Print one JSON object instead of Markdown.
    #[arg(long)]
    pub json: bool,
    /// Fee per position change for the strategy returns, in basis points.
    #[arg(long, default_value_t = 10.0)]
    pub fee_bps: f64,
}

#[derive(Args)]
pub struct BenchIntelArgs {
    /// Print one JSON object instead of indented JSON.
    #[arg(long)]
    pub json: bool,
    /// Synthetic assets.
    #[arg(long, default_value_t = 6_000)]
    pub assets: usize,
    /// Years of daily candles per asset.
    #[arg(long, default_value_t = 5)]
    pub years: u32,
    /// Seed of the synthetic assets.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Timed runs; the best is reported.
    #[arg(long, default_value_t = 3)]
    pub repetitions: u32,
}

/// Files above this size get a progress bar.
const PROGRESS_BYTES_MIN: u64 = 1 << 20;

fn read_candles(path: &Path, show_progress: bool) -> Result<csv::Parsed> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = (show_progress && len >= PROGRESS_BYTES_MIN).then(|| {
        let bar = indicatif::ProgressBar::new(len);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(format!("reading {}", path.display()));
        bar
    });
    let parsed = csv::parse_reader(BufReader::new(file), &mut |bytes| {
        if let Some(bar) = &bar {
            bar.set_position(bytes);
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    parsed.with_context(|| format!("{}: nothing was imported", path.display()))
}

pub fn import(command: ImportCommand) -> Result<()> {
    let ImportCommand::Candles(args) = command;
    augury_intel::store::check_symbol(&args.symbol)?;
    let parsed = read_candles(&args.file, true)?;
    let store = CandleStore::open(&args.data_dir);
    let summary = store.import(&args.symbol, &parsed.series)?;
    let series = &parsed.series;
    let first = series.candles.first().map(|c| c.open_time_ms).unwrap_or(0);
    let last = series.candles.last().map(|c| c.open_time_ms).unwrap_or(0);
    let out = serde_json::json!({
        "symbol": args.symbol,
        "interval": series.interval.label(),
        "layout": parsed.layout,
        "rows": parsed.rows,
        "from": augury_intel::candle::format_time(first),
        "to": augury_intel::candle::format_time(last),
        "missing_candles": series.gaps(),
        "off_grid_rows": parsed.off_grid,
        "added": summary.added,
        "replaced": summary.replaced,
        "stored": summary.total,
        "path": summary.path,
    });
    if args.json {
        println!("{out}");
    } else {
        println!(
            "imported {} {} candles for {} ({} to {}; {} new, {} replaced, {} missing, {} off the grid) into {}",
            parsed.rows,
            series.interval.label(),
            args.symbol,
            out["from"].as_str().unwrap_or(""),
            out["to"].as_str().unwrap_or(""),
            summary.added,
            summary.replaced,
            series.gaps(),
            parsed.off_grid,
            summary.path.display()
        );
    }
    Ok(())
}

fn load_asset(path: &Path, name: &str, in_cross_section: bool) -> Result<Asset> {
    let parsed = read_candles(path, false)?;
    Ok(Asset { name: name.to_string(), series: parsed.series, in_cross_section })
}

/// The shared data set: Binance BTCUSDT hourly (threshold model, and grades on its days) and the
/// Bitstamp BTC, ETH and LTC daily files (grades, and the cross-section for rank IC).
fn shared_assets(dir: &Path) -> Result<(Asset, Vec<Asset>)> {
    let ohlcv = dir.join("ohlcv");
    if !ohlcv.is_dir() {
        bail!("{} has no ohlcv folder: pass --shared-data DIR, or --candles FILE for your own data", dir.display());
    }
    let btc = load_asset(&ohlcv.join("binance-BTCUSDT-1h-2017-2024.csv"), "Binance BTCUSDT", false)?;
    let mut grades = vec![btc.clone()];
    for symbol in ["BTC", "ETH", "LTC"] {
        let path = ohlcv.join(format!("bitstamp-{symbol}USD-1d-2014-2020.csv"));
        grades.push(load_asset(&path, &format!("Bitstamp {symbol}USD"), true)?);
    }
    Ok((btc, grades))
}

pub fn intel(command: IntelCommand) -> Result<()> {
    let IntelCommand::Validate(args) = command;
    let config = ValidateConfig { fee_bps: args.fee_bps, ..ValidateConfig::default() };
    let (report, title, command): (ValidationReport, String, String) = match &args.candles {
        Some(path) => {
            let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("candles").to_string();
            let asset = load_asset(path, &name, false)?;
            let report = validate(&asset, std::slice::from_ref(&asset), &config);
            (report, name, format!("augury intel validate --candles {}", path.display()))
        }
        None => {
            let (btc, grades) = shared_assets(&args.shared_data)?;
            let report = validate(&btc, &grades, &config);
            let title = "the shared data (Binance BTCUSDT hourly; Bitstamp BTC, ETH, LTC daily)".to_string();
            let command = "cargo run --release -p augury -- intel validate --shared-data ../shared/data > docs/intel-validation.md";
            (report, title, command.to_string())
        }
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", augury_intel::report::markdown(&report, &title, &command));
    }
    if report.threshold_questions == 0 {
        eprintln!(
            "note: no threshold question was scored: the data needs a calendar year starting at least {} days after its first candle",
            config.threshold.min_train_days
        );
    }
    if !report.look_ahead.passed {
        bail!(
            "look-ahead check failed: {} of {} values changed when recomputed on truncated data{}",
            report.look_ahead.mismatches,
            report.look_ahead.values_compared,
            report.look_ahead.first_mismatch.map(|m| format!(" (first: {m})")).unwrap_or_default()
        );
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct BenchIntelReport {
    assets: usize,
    years: u32,
    days_per_asset: usize,
    candles: u64,
    threads: usize,
    seconds: f64,
    assets_per_sec: f64,
    candles_per_sec: f64,
    runs_seconds: Vec<f64>,
    generate_seconds: f64,
    graded_days: u64,
    checksum: f64,
    work: &'static str,
}

pub fn bench(args: BenchIntelArgs) -> Result<()> {
    if args.assets == 0 || args.assets > augury_intel::bench::ASSETS_MAX {
        bail!("--assets must be 1 to {}", augury_intel::bench::ASSETS_MAX);
    }
    if args.years == 0 || args.years > augury_intel::bench::YEARS_MAX {
        bail!("--years must be 1 to {}", augury_intel::bench::YEARS_MAX);
    }
    let threads =
        if args.threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { args.threads };
    let started = Instant::now();
    let assets = augury_intel::bench::generate(args.seed, args.assets, args.years, threads);
    let generate_seconds = started.elapsed().as_secs_f64();
    let mut runs = Vec::new();
    let mut totals = augury_intel::bench::GradeTotals::default();
    for _ in 0..args.repetitions.max(1) {
        let started = Instant::now();
        totals = augury_intel::bench::grade_assets(&assets, GradeConfig::default(), threads);
        runs.push(started.elapsed().as_secs_f64());
    }
    let seconds = runs.iter().copied().fold(f64::INFINITY, f64::min);
    let report = BenchIntelReport {
        assets: args.assets,
        years: args.years,
        days_per_asset: augury_intel::bench::days_of(args.years),
        candles: totals.candles,
        threads,
        seconds,
        assets_per_sec: args.assets as f64 / seconds,
        candles_per_sec: totals.candles as f64 / seconds,
        runs_seconds: runs,
        generate_seconds,
        graded_days: totals.graded_days,
        checksum: totals.grade_sum,
        work: "per asset-day: SMA200, EMA20, RSI14, MACD(12,26,9), Bollinger(20,2), ATR14, ADX14/DI, OBV, 30/90-day volatility, drawdown, ROC 7/30/90/180, 13 feature ranks, Trader and Investor Grades, signal and strategy returns",
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(())
}
