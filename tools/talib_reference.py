#!/usr/bin/env python3
"""Reference indicator values for augury-intel's tests, computed by TA-Lib.

Reads the Binance BTCUSDT hourly candles from ../shared/data (relative to the workspace root),
computes the indicators with the `ta-lib` Python package (the C library's Python wrapper; its
PyPI wheels bundle the C library) and, where TA-Lib has no function, with numpy, and writes:

  crates/intel/tests/fixtures/talib-btcusdt-1h.csv
      reference values on a trimmed set of rows (the first 400, every 97th after, the last 100),
      indexed by row number in the full file, so cargo test needs no Python;
  crates/intel/tests/fixtures/binance-BTCUSDT-1h-2017-2024.ohlcv.csv
      a copy of the file's first six columns (date,open,high,low,close,volume), the fallback the
      tests read when ../shared/data is absent.

Regenerate (from the workspace root):
  python3 -m venv /tmp/talib-venv && /tmp/talib-venv/bin/pip install ta-lib numpy
  /tmp/talib-venv/bin/python tools/talib_reference.py
"""
import csv
import math
import os
import sys

import numpy as np
import talib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "..", "shared", "data", "ohlcv", "binance-BTCUSDT-1h-2017-2024.csv")
FIXTURES = os.path.join(ROOT, "crates", "intel", "tests", "fixtures")
ATTRIBUTION = (
    "# Binance spot BTCUSDT hourly candles, 2017-08-17 04:00 to 2024-01-01 23:00 UTC; "
    "from gapless-crypto-data 5.0.3 sdist (PyPI), "
    "tests/fixtures/test_data_large/binance_spot_BTCUSDT-1h_20140101-20240101_v2.10.0_gapped.csv.bak; "
    "MIT (Eon Labs); data from Binance's public klines"
)


def main():
    with open(SOURCE, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    assert header[:6] == ["date", "open", "high", "low", "close", "volume"], header
    dates = [r[0] for r in rows]
    o, h, l, c, v = (np.array([float(r[i]) for r in rows]) for i in range(1, 6))

    macd, macd_signal, macd_hist = talib.MACD(c, fastperiod=12, slowperiod=26, signalperiod=9)
    bb_upper, bb_middle, bb_lower = talib.BBANDS(c, timeperiod=20, nbdevup=2.0, nbdevdn=2.0, matype=0)
    columns = {
        "sma_20": talib.SMA(c, timeperiod=20),
        "ema_20": talib.EMA(c, timeperiod=20),
        "rsi_14": talib.RSI(c, timeperiod=14),
        "roc_10": talib.ROC(c, timeperiod=10),
        "macd": macd,
        "macd_signal": macd_signal,
        "macd_hist": macd_hist,
        "bb_upper": bb_upper,
        "bb_middle": bb_middle,
        "bb_lower": bb_lower,
        "trange": talib.TRANGE(h, l, c),
        "atr_14": talib.ATR(h, l, c, timeperiod=14),
        "obv": talib.OBV(c, v),
        "adx_14": talib.ADX(h, l, c, timeperiod=14),
        "plus_di_14": talib.PLUS_DI(h, l, c, timeperiod=14),
        "minus_di_14": talib.MINUS_DI(h, l, c, timeperiod=14),
    }
    # Not in TA-Lib: numpy definitions, stated here and in the Rust docs.
    log_returns = np.full(len(c), np.nan)
    log_returns[1:] = np.log(c[1:] / c[:-1])
    vol = np.full(len(c), np.nan)
    for i in range(30, len(c)):
        vol[i] = np.std(log_returns[i - 29 : i + 1], ddof=1)  # sample sd of the last 30 log returns
    columns["volatility_30"] = vol
    columns["drawdown"] = c / np.maximum.accumulate(c) - 1.0

    n = len(c)
    keep = sorted(set(range(400)) | set(range(400, n, 97)) | set(range(n - 100, n)))
    os.makedirs(FIXTURES, exist_ok=True)
    out_path = os.path.join(FIXTURES, "talib-btcusdt-1h.csv")
    with open(out_path, "w", newline="") as f:
        f.write(ATTRIBUTION + "\n")
        f.write("# reference values: TA-Lib %s (python ta-lib %s); volatility_30 and drawdown by numpy %s\n"
                % (talib.__ta_version__.decode() if isinstance(talib.__ta_version__, bytes) else talib.__ta_version__,
                   talib.__version__, np.__version__))
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["row", "date"] + list(columns))
        for i in keep:
            w.writerow([i, dates[i]] + ["" if math.isnan(col[i]) else repr(float(col[i])) for col in columns.values()])
    copy_path = os.path.join(FIXTURES, "binance-BTCUSDT-1h-2017-2024.ohlcv.csv")
    with open(copy_path, "w", newline="") as f:
        f.write(ATTRIBUTION + "\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header[:6])
        for r in rows:
            w.writerow(r[:6])
    print("wrote %s (%d rows) and %s (%d rows)" % (out_path, len(keep), copy_path, n), file=sys.stderr)


if __name__ == "__main__":
    main()
