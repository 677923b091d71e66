// Intelligence, public: per asset the price with the indicators one picks, the Trader and
// Investor Grades with their bands, the signal's strategy against holding, the probability that
// the price is at or above a strike after a horizon (and the model behind it), and the model's
// walk-forward validation as pictures. Every figure comes from /v1/intel (computed by the intel
// crate); the charts are SVG drawn here, each with a text alternative.

import { get } from "./api.js";
import { h, replace, svg } from "./dom.js";
import { rangeName } from "./format.js";

// Ranges of the price chart: [name, interval wanted, candles].
const RANGES = [
  ["1m", "1h", 720],
  ["3m", "1d", 91],
  ["1y", "1d", 365],
  ["all", "1d", 5000],
];

// Indicators the user can show: [API name, label, where]: on the price, or in a panel below.
const INDICATORS = [
  ["sma_20", "SMA 20", "price"],
  ["sma_50", "SMA 50", "price"],
  ["ema_20", "EMA 20", "price"],
  ["bollinger_20", "Bollinger 20", "price"],
  ["rsi_14", "RSI 14", "panel"],
  ["macd", "MACD", "panel"],
];

// The grade bands as crates/intel/src/grades.rs defines them (band()).
const BANDS = [
  [80, 100, "strongly bullish"],
  [60, 80, "bullish"],
  [40, 60, "neutral"],
  [20, 40, "bearish"],
  [0, 20, "strongly bearish"],
];

const DAY = 86_400_000;

// ------------------------------------------------------------------ formatting

/** A price in the asset's quote currency (analytics, a float): $9,000 or $267.07. */
function price(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  const digits = Math.abs(x) >= 1000 ? 0 : 2;
  return `$${x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** A short price for an axis: $9.2k. */
function shortPrice(x) {
  if (Math.abs(x) >= 10_000) return `$${(x / 1000).toFixed(0)}k`;
  if (Math.abs(x) >= 1000) return `$${(x / 1000).toFixed(1)}k`;
  return `$${x.toLocaleString("en-US", { maximumFractionDigits: 2 })}`;
}

/** A fraction as a percentage: 0.4123 → 41%; `digits` decimals. */
function pct(x, digits = 0) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  return `${(x * 100).toFixed(digits)}%`;
}

/** A signed return: +12.3%. */
function signedPct(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  return `${x > 0 ? "+" : x < 0 ? "−" : "±"}${Math.abs(x * 100).toFixed(1)}%`;
}

/** A number with `digits` decimals, or a dash. */
function num(x, digits = 2) {
  return x === null || x === undefined || !Number.isFinite(x) ? "–" : x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A UTC date: 1 Jun 2019. */
function day(ms) {
  return new Date(Number(ms)).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

/** A UTC moment: 1 Jun 2019, 02:00 UTC. */
function moment(ms) {
  return `${day(ms)}, ${new Date(Number(ms)).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" })} UTC`;
}

/** Hours in words: 24 h, 7 days. */
function hours(hs) {
  return hs % 24 === 0 && hs >= 48 ? `${hs / 24} days` : `${hs} h`;
}

// ------------------------------------------------------------------ charts

/** About `n` round steps between lo and hi. */
function ticks(lo, hi, n = 4) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** The width a chart has in its box (the SVG is drawn at that size so its text stays legible). */
function widthOf(box) {
  return Math.max(280, Math.min(1160, Math.floor(box.getBoundingClientRect().width || 640)));
}

/**
 * A chart with a time (or number) axis along the bottom and a value axis at the left.
 * `series`: [{ points: [[x, y|null], ...], cls, kind: "line" | "dots" | "bars" }], or
 * kind "candles" with points [x, open, high, low, close].
 */
function plot({ width, height = 240, series, label, yMin, yMax, yFormat = (v) => num(v), xFormat = day,
  xMin, xMax, yTitle, xTitle, bands = [], rules = [] }) {
  const pad = { l: 58, r: 12, t: 10, b: xTitle ? 42 : 26 };
  const box = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": label, class: "intel-chart" });
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.flatMap((p) => (s.kind === "candles" ? [p[2], p[3]] : [p[1]]))).filter((y) => y !== null && Number.isFinite(y));
  if (xs.length === 0 || ys.length === 0) {
    box.append(svg("text", { x: width / 2, y: height / 2, class: "axis", "text-anchor": "middle" }, "No data yet"));
    return box;
  }
  const x0 = xMin ?? Math.min(...xs);
  const x1 = Math.max(xMax ?? Math.max(...xs), x0 + 1);
  let y0 = yMin ?? Math.min(...ys);
  let y1 = yMax ?? Math.max(...ys);
  if (y1 <= y0) { y0 -= 1; y1 += 1; }
  if (yMin === undefined || yMax === undefined) {
    const margin = (y1 - y0) * 0.05;
    if (yMin === undefined) y0 -= margin;
    if (yMax === undefined) y1 += margin;
  }
  const X = (x) => pad.l + ((x - x0) / (x1 - x0)) * (width - pad.l - pad.r);
  const Y = (y) => pad.t + (1 - (y - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  for (const [lo, hi, cls] of bands) {
    const top = Y(Math.min(hi, y1));
    box.append(svg("rect", { x: pad.l, y: top, width: width - pad.l - pad.r, height: Math.max(0, Y(Math.max(lo, y0)) - top), class: `band ${cls}` }));
  }
  for (const v of ticks(y0, y1)) {
    box.append(svg("line", { x1: pad.l, x2: width - pad.r, y1: Y(v), y2: Y(v), class: "grid" }));
    box.append(svg("text", { x: pad.l - 6, y: Y(v) + 4, class: "axis", "text-anchor": "end" }, yFormat(v)));
  }
  for (const [v, cls] of rules) {
    if (v >= y0 && v <= y1) box.append(svg("line", { x1: pad.l, x2: width - pad.r, y1: Y(v), y2: Y(v), class: `rule ${cls}` }));
  }
  box.append(svg("line", { x1: pad.l, x2: width - pad.r, y1: height - pad.b, y2: height - pad.b, class: "axis-line" }));
  box.append(svg("line", { x1: pad.l, x2: pad.l, y1: pad.t, y2: height - pad.b, class: "axis-line" }));
  const xt = [x0, (x0 + x1) / 2, x1];
  xt.forEach((v, i) => {
    box.append(svg("text", { x: X(v), y: height - pad.b + 16, class: "axis", "text-anchor": ["start", "middle", "end"][i] }, xFormat(v)));
  });
  if (xTitle) box.append(svg("text", { x: (pad.l + width - pad.r) / 2, y: height - 4, class: "axis", "text-anchor": "middle" }, xTitle));
  if (yTitle) box.append(svg("text", { x: 12, y: (pad.t + height - pad.b) / 2, class: "axis", "text-anchor": "middle", transform: `rotate(-90 12 ${(pad.t + height - pad.b) / 2})` }, yTitle));
  for (const s of series) {
    if (s.kind === "dots") {
      for (const [x, y, r] of s.points) {
        if (y !== null && Number.isFinite(y)) box.append(svg("circle", { cx: X(x), cy: Y(y), r: r ?? 4, class: `dot ${s.cls}` }));
      }
    } else if (s.kind === "candles") {
      const w = Math.max(1, ((width - pad.l - pad.r) / Math.max(1, s.points.length)) * 0.7);
      for (const [x, o, hi, lo, c] of s.points) {
        if (![o, hi, lo, c].every(Number.isFinite)) continue;
        const cls = `candle ${c >= o ? "rise" : "fall"}`;
        box.append(svg("line", { x1: X(x), x2: X(x), y1: Y(hi), y2: Y(lo), class: cls }));
        box.append(svg("rect", { x: X(x) - w / 2, y: Y(Math.max(o, c)), width: w, height: Math.max(0.5, Math.abs(Y(o) - Y(c))), class: cls }));
      }
    } else if (s.kind === "bars") {
      const w = Math.max(1, ((width - pad.l - pad.r) / Math.max(1, s.points.length)) * 0.7);
      for (const [x, y] of s.points) {
        if (y === null || !Number.isFinite(y)) continue;
        const top = Y(Math.max(0, y));
        box.append(svg("rect", { x: X(x) - w / 2, y: top, width: w, height: Math.max(0.5, Math.abs(Y(0) - Y(y))), class: `bar ${s.cls} ${y < 0 ? "neg" : "pos"}` }));
      }
    } else {
      let d = "";
      let pen = false;
      for (const [x, y] of s.points) {
        if (y === null || !Number.isFinite(y)) { pen = false; continue; }
        d += `${pen ? "L" : "M"}${X(x).toFixed(1)},${Y(y).toFixed(1)}`;
        pen = true;
      }
      if (d) box.append(svg("path", { d, class: `series ${s.cls}` }));
    }
  }
  return box;
}

/** A legend: a swatch per series, as text. */
function legend(items) {
  return h("ul", { class: "intel-legend" }, items.map(([cls, text]) => h("li", {}, h("span", { class: `swatch ${cls}`, "aria-hidden": "true" }), text)));
}

/** Grouped bars over categories (the Brier skill by horizon). */
function barChart({ width, height = 220, categories, groups, label, yFormat = (v) => pct(v), yTitle, xTitle }) {
  const pad = { l: 58, r: 12, t: 18, b: 42 };
  const box = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": label, class: "intel-chart" });
  const values = groups.flatMap((g) => g.values).filter((v) => v !== null && Number.isFinite(v));
  let y0 = Math.min(0, ...values);
  let y1 = Math.max(0, ...values);
  if (y1 - y0 < 0.05) y1 = y0 + 0.05;
  const margin = (y1 - y0) * 0.12;
  y1 += margin;
  if (y0 < 0) y0 -= margin;
  const Y = (y) => pad.t + (1 - (y - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  for (const v of ticks(y0, y1)) {
    box.append(svg("line", { x1: pad.l, x2: width - pad.r, y1: Y(v), y2: Y(v), class: "grid" }));
    box.append(svg("text", { x: pad.l - 6, y: Y(v) + 4, class: "axis", "text-anchor": "end" }, yFormat(v)));
  }
  box.append(svg("line", { x1: pad.l, x2: width - pad.r, y1: Y(0), y2: Y(0), class: "axis-line" }));
  const slot = (width - pad.l - pad.r) / Math.max(1, categories.length);
  const bar = Math.min(28, (slot * 0.8) / groups.length);
  categories.forEach((category, i) => {
    const centre = pad.l + slot * (i + 0.5);
    box.append(svg("text", { x: centre, y: height - pad.b + 16, class: "axis", "text-anchor": "middle" }, category));
    groups.forEach((g, k) => {
      const v = g.values[i];
      if (v === null || !Number.isFinite(v)) return;
      const x = centre - (bar * groups.length) / 2 + k * bar;
      const top = Y(Math.max(0, v));
      box.append(svg("rect", { x, y: top, width: bar - 2, height: Math.max(0.5, Math.abs(Y(0) - Y(v))), class: `bar ${g.cls}` }));
    });
  });
  if (xTitle) box.append(svg("text", { x: (pad.l + width - pad.r) / 2, y: height - 4, class: "axis", "text-anchor": "middle" }, xTitle));
  if (yTitle) box.append(svg("text", { x: 12, y: (pad.t + height - pad.b) / 2, class: "axis", "text-anchor": "middle", transform: `rotate(-90 12 ${(pad.t + height - pad.b) / 2})` }, yTitle));
  return box;
}

// ------------------------------------------------------------------ the view

/** Renders the Intelligence view; returns a function that stops it. */
export async function view(main, params) {
  const assets = await get("/v1/intel/assets");
  let stopped = false;
  const redraws = new Set();
  const onResize = () => { for (const redraw of redraws) redraw(); };
  let resizeTimer = null;
  const resized = () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(onResize, 200); };
  window.addEventListener("resize", resized);
  const stop = () => { stopped = true; clearTimeout(resizeTimer); window.removeEventListener("resize", resized); };

  if (assets.length === 0) {
    replace(main, h("h1", {}, "Intelligence"), h("p", { class: "lead" }, "No asset candles are held yet: import some with augury import candles."));
    return stop;
  }
  const wanted = params.get("asset");
  let symbol = assets.some((a) => a.symbol === wanted) ? wanted : assets[0].symbol;

  const picker = h("select", { id: "intel-asset", on: { change: () => { symbol = picker.value; history.replaceState(null, "", `#/intel?asset=${encodeURIComponent(symbol)}`); drawAsset(); } } },
    assets.map((a) => h("option", { value: a.symbol, selected: a.symbol === symbol }, a.symbol)));
  const body = h("div", { class: "intel" });
  replace(main,
    h("h1", {}, "Intelligence"),
    h("p", { class: "lead" }, "Prices, indicators, grades, signals and calibrated probabilities for the crypto assets the venue holds candles for. Analytics, not advice: the method and its out-of-sample scores are below."),
    h("div", { class: "filters" }, h("div", { class: "field" }, h("label", { for: "intel-asset" }, "Asset"), picker)),
    body);

  const drawAsset = () => {
    redraws.clear();
    const asset = assets.find((a) => a.symbol === symbol);
    const sections = {
      price: h("section", { class: "panel intel-price", "aria-labelledby": "intel-price-h" }),
      grades: h("section", { class: "panel intel-grades", "aria-labelledby": "intel-grades-h" }),
      signal: h("section", { class: "panel intel-signal", "aria-labelledby": "intel-signal-h" }),
      threshold: h("section", { class: "panel intel-threshold", "aria-labelledby": "intel-threshold-h" }),
      validation: h("section", { class: "panel intel-validation", "aria-labelledby": "intel-validation-h" }),
    };
    replace(body, Object.values(sections));
    const current = symbol;
    const live = () => !stopped && symbol === current;
    priceSection(sections.price, asset, live, redraws);
    gradesSection(sections.grades, sections.signal, asset, live, redraws);
    thresholdSection(sections.threshold, asset, live);
    validationSection(sections.validation, asset, live, redraws);
  };
  drawAsset();
  return stop;
}

/** An error shown where the figure would be. */
function failed(box, error) {
  replace(box, h("p", { role: "alert" }, error.message ?? String(error)));
}

// ------------------------------------------------------------------ 1. price and indicators

function priceSection(section, asset, live, redraws) {
  const symbol = asset.symbol;
  let range = "3m";
  let style = "line";
  const chosen = new Set(["sma_20"]);
  const chartBox = h("div", { class: "intel-chart-box" });
  const panels = h("div", { class: "intel-panels" });
  const status = h("p", { class: "muted small", role: "status" });
  const rangeButtons = h("div", { class: "segmented", role: "group", "aria-label": "Price chart range" },
    RANGES.map(([name]) => h("button", { type: "button", dataset: { range: name }, "aria-pressed": String(name === range), on: { click: () => { range = name; draw(); } } }, name, h("span", { class: "sr" }, ` (${rangeName(name)})`))));
  const styleButtons = h("div", { class: "segmented", role: "group", "aria-label": "Price chart style" },
    [["line", "Line"], ["candles", "Candles"]].map(([name, text]) => h("button", { type: "button", dataset: { style: name }, "aria-pressed": String(name === style),
      on: { click: () => { style = name; for (const b of styleButtons.children) b.setAttribute("aria-pressed", String(b.dataset.style === style)); render(); } } }, text)));
  const boxes = h("fieldset", { class: "intel-indicators" }, h("legend", {}, "Indicators"),
    INDICATORS.map(([name, text]) => h("label", { class: "check" },
      h("input", { type: "checkbox", value: name, checked: chosen.has(name), on: { change: (e) => { if (e.target.checked) chosen.add(name); else chosen.delete(name); draw(); } } }), ` ${text}`)));
  replace(section, h("h2", { id: "intel-price-h" }, `${symbol}: price`), h("div", { class: "intel-controls" }, rangeButtons, styleButtons), boxes, chartBox, panels, status);

  let data = null;
  const render = () => {
    if (!data) return;
    const { candles, rows, interval } = data;
    const width = widthOf(chartBox);
    const closes = candles.map((c) => [c.open_time_ms, c.close]);
    const overlays = [];
    const legendItems = style === "candles"
      ? [["rise", `${symbol} ${interval} candles rising`], ["fall", "falling"]]
      : [["s-price", `${symbol} close (${interval} candles)`]];
    const priceSeries = style === "candles"
      ? { points: candles.map((c) => [c.open_time_ms, c.open, c.high, c.low, c.close]), cls: "s-price", kind: "candles" }
      : { points: closes, cls: "s-price" };
    const column = (name) => rows.map((r) => [r.open_time_ms, r.values[name] ?? null]);
    const add = (name, cls, text) => { overlays.push({ points: column(name), cls }); legendItems.push([cls, text]); };
    if (chosen.has("sma_20")) add("sma_20", "s-2", "SMA 20");
    if (chosen.has("sma_50")) add("sma_50", "s-3", "SMA 50");
    if (chosen.has("ema_20")) add("ema_20", "s-4", "EMA 20");
    if (chosen.has("bollinger_20")) {
      overlays.push({ points: column("bollinger_20_upper"), cls: "s-5" }, { points: column("bollinger_20_lower"), cls: "s-5" });
      legendItems.push(["s-5", "Bollinger 20 (2σ bands)"]);
    }
    const first = candles[0];
    const last = candles[candles.length - 1];
    const change = first && last ? last.close / first.close - 1 : null;
    const shown = INDICATORS.filter(([n]) => chosen.has(n)).map(([, t]) => t);
    const label = first
      ? `${symbol} ${style === "candles" ? "price candles" : "closing price"} from ${day(first.open_time_ms)} to ${day(last.open_time_ms)}: ${price(first.close)} to ${price(last.close)} (${signedPct(change)}), low ${price(Math.min(...candles.map((c) => c.low ?? c.close)))}, high ${price(Math.max(...candles.map((c) => c.high ?? c.close)))}${shown.length ? `; with ${shown.join(", ")}` : ""}.`
      : `${symbol}: no candles`;
    replace(chartBox,
      plot({ width, height: 260, series: [priceSeries, ...overlays], label, yFormat: shortPrice, yTitle: "Price (USD)" }),
      legend(legendItems));
    const panelNodes = [];
    if (chosen.has("rsi_14")) {
      const rsi = column("rsi_14");
      const lastRsi = [...rsi].reverse().find((p) => p[1] !== null)?.[1];
      panelNodes.push(h("h3", {}, "RSI 14"),
        plot({ width, height: 140, series: [{ points: rsi, cls: "s-2" }], yMin: 0, yMax: 100, yFormat: (v) => num(v, 0), yTitle: "RSI",
          rules: [[70, "hot"], [30, "cold"]], label: `RSI 14 of ${symbol}, 0 to 100 with lines at 30 and 70; latest ${num(lastRsi, 1)}.` }));
    }
    if (chosen.has("macd")) {
      const m = column("macd");
      const lastMacd = [...m].reverse().find((p) => p[1] !== null)?.[1];
      const lastSignal = [...column("macd_signal")].reverse().find((p) => p[1] !== null)?.[1];
      panelNodes.push(h("h3", {}, "MACD (12, 26, 9)"),
        plot({ width, height: 160, series: [{ points: column("macd_histogram"), cls: "s-hist", kind: "bars" }, { points: m, cls: "s-2" }, { points: column("macd_signal"), cls: "s-3" }],
          yFormat: (v) => num(v, Math.abs(v) >= 10 ? 0 : 2), yTitle: "MACD", rules: [[0, "zero"]],
          label: `MACD of ${symbol} with its signal line and histogram; latest MACD ${num(lastMacd, 2)}, signal ${num(lastSignal, 2)}.` }),
        legend([["s-2", "MACD"], ["s-3", "Signal (9)"], ["s-hist", "Histogram"]]));
    }
    replace(panels, panelNodes);
    replace(status, last ? `Last close ${price(last.close)} at ${moment(last.open_time_ms + (interval === "1h" ? 3_600_000 : DAY))}; ${candles.length} candles.` : "");
  };
  redraws.add(render);

  const draw = async () => {
    for (const b of rangeButtons.children) b.setAttribute("aria-pressed", String(b.dataset.range === range));
    let [, interval, limit] = RANGES.find(([n]) => n === range);
    if (!asset.intervals.includes(interval)) { interval = "1d"; limit = range === "1m" ? 30 : limit; }
    const names = INDICATORS.filter(([n]) => chosen.has(n)).map(([n]) => n);
    replace(status, "Loading…");
    try {
      const [candles, indicators] = await Promise.all([
        get(`/v1/intel/assets/${encodeURIComponent(symbol)}/candles`, { interval, limit }),
        names.length ? get(`/v1/intel/assets/${encodeURIComponent(symbol)}/indicators`, { names: names.join(","), interval, limit }) : { items: [] },
      ]);
      if (!live()) return;
      data = { candles: candles.items, rows: indicators.items, interval };
      render();
    } catch (error) {
      if (live()) failed(status, error);
    }
  };
  draw();
}

// ------------------------------------------------------------------ 2. grades, 3. signal

function gradesSection(section, signalSection, asset, live, redraws) {
  const symbol = asset.symbol;
  const chartBox = h("div", { class: "intel-chart-box" });
  const words = h("p", { class: "lead intel-grade-words" }, "Loading the grades…");
  replace(section, h("h2", { id: "intel-grades-h" }, "Trader and Investor Grades"),
    h("p", { class: "muted small" }, "0 to 100, each against the asset's own past year: the Trader Grade measures short-term momentum, the Investor Grade long-term quality. Bands: 80 and above strongly bullish, 60 bullish, above 40 neutral, above 20 bearish, else strongly bearish."),
    words, chartBox);
  const signalWords = h("p", { class: "lead intel-signal-words" }, "Loading the signal…");
  const facts = h("dl", { class: "facts intel-signal-facts" });
  const equityBox = h("div", { class: "intel-chart-box" });
  replace(signalSection, h("h2", { id: "intel-signal-h" }, "Signal: strategy against holding"),
    h("p", { class: "muted small" }, "Bullish when the Trader Grade is 60 or more, bearish at 40 or less. The strategy is long after a bullish day, flat after a bearish one, and a neutral day keeps the position; each change pays a fee."),
    signalWords, facts, equityBox);

  let days = null;
  let signals = null;
  const render = () => {
    if (!days) return;
    const width = widthOf(chartBox);
    const latest = days[days.length - 1];
    if (latest) {
      replace(words,
        `On ${latest.date} the Trader Grade of ${symbol} is `, h("strong", {}, num(latest.trader_grade, 0)), ` (${latest.trader_band ?? "not graded"}) and its Investor Grade `,
        h("strong", {}, num(latest.investor_grade, 0)), ` (${latest.investor_band ?? "not graded"}).`);
    } else {
      replace(words, `${symbol} has too little history for grades yet.`);
    }
    const trader = days.map((d) => [d.open_time_ms, d.trader_grade]);
    const investor = days.map((d) => [d.open_time_ms, d.investor_grade]);
    replace(chartBox,
      plot({ width, height: 240, series: [{ points: trader, cls: "s-trader" }, { points: investor, cls: "s-investor" }], yMin: 0, yMax: 100,
        yFormat: (v) => num(v, 0), yTitle: "Grade (0–100)",
        bands: BANDS.map(([lo, hi, name]) => [lo, hi, name.replace(" ", "-")]),
        label: latest
          ? `Trader and Investor Grades of ${symbol} per day from ${days[0].date} to ${latest.date}, on bands from strongly bearish (below 20) to strongly bullish (80 and above); latest Trader Grade ${num(latest.trader_grade, 0)}, Investor Grade ${num(latest.investor_grade, 0)}.`
          : `No grades for ${symbol} yet.` }),
      legend([["s-trader", "Trader Grade"], ["s-investor", "Investor Grade"], ["strongly-bullish", "strongly bullish"], ["bullish", "bullish"], ["neutral", "neutral"], ["bearish", "bearish"], ["strongly-bearish", "strongly bearish"]]));
    if (!signals) return;
    // The equity curves, day by day, the way grades.rs accrues them (from the first Trader Grade).
    const curve = [];
    let strategy = 1;
    let hold = 1;
    let position = 0;
    let prev = null;
    for (const d of days) {
      if (curve.length === 0 && d.trader_grade === null) continue;
      if (prev !== null && d.close !== null) {
        const r = d.close / prev - 1;
        hold *= 1 + r;
        if (position === 1) strategy *= 1 + r;
      }
      prev = d.close;
      if (d.trader_grade !== null) {
        const target = d.signal === 1 ? 1 : d.signal === -1 ? 0 : position;
        if (target !== position) { strategy *= 1 - signals.fee_bps / 10_000; position = target; }
      }
      curve.push([d.open_time_ms, strategy, hold]);
    }
    replace(signalWords,
      `${symbol} is `, h("strong", { class: signals.signal > 0 ? "up" : signals.signal < 0 ? "down" : "" }, signals.label),
      signals.since ? ` since ${signals.since}` : "", signals.as_of ? ` (Trader Grade ${num(signals.trader_grade, 0)} on ${signals.as_of})` : "",
      `. The strategy is ${signals.position ? "long" : "flat"}.`);
    replace(facts,
      h("dt", {}, "Strategy return"), h("dd", { class: "intel-strategy" }, signedPct(signals.strategy_return)),
      h("dt", {}, "Buy and hold"), h("dd", { class: "intel-hold" }, signedPct(signals.hold_return)),
      h("dt", {}, "Difference"), h("dd", {}, signedPct(signals.excess_return)),
      h("dt", {}, "Since"), h("dd", {}, `${signals.first_graded ?? "–"} (${num(signals.graded_days, 0)} graded days)`),
      h("dt", {}, "Signal changes"), h("dd", {}, `${num(signals.changes.length, 0)}, ${num(signals.fee_bps, 1)} bps each`));
    replace(equityBox,
      plot({ width, height: 220, series: [{ points: curve.map(([t, s]) => [t, s]), cls: "s-strategy" }, { points: curve.map(([t, , hd]) => [t, hd]), cls: "s-hold" }],
        yFormat: (v) => `$${v.toFixed(2)}`, yTitle: "Growth of $1", rules: [[1, "zero"]],
        label: curve.length
          ? `Growth of one dollar in ${symbol} from ${day(curve[0][0])} to ${day(curve[curve.length - 1][0])}: the signal's strategy ends at $${strategy.toFixed(2)} (${signedPct(signals.strategy_return)}), buying and holding at $${hold.toFixed(2)} (${signedPct(signals.hold_return)}).`
          : `No strategy history for ${symbol} yet.` }),
      legend([["s-strategy", "Strategy (signal)"], ["s-hold", "Buy and hold"]]));
  };
  redraws.add(render);

  const path = `/v1/intel/assets/${encodeURIComponent(symbol)}`;
  get(`${path}/grades`, { limit: 5000 }).then((g) => {
    if (!live()) return;
    days = g.items;
    render();
    return get(`${path}/signals`, { limit: 5000 }).then((s) => { if (live()) { signals = s; render(); } });
  }).catch((error) => { if (live()) { failed(words, error); failed(signalWords, error); } });
}

// ------------------------------------------------------------------ 4. threshold probability

function thresholdSection(section, asset, live) {
  const symbol = asset.symbol;
  const series = asset.series.find((s) => s.interval === "1h") ?? asset.series[0];
  const daily = series?.interval === "1d";
  const strike = h("input", { id: "intel-strike", type: "number", min: 0, step: "any", inputmode: "decimal", value: series?.last_close ? String(Math.round(series.last_close * 100) / 100) : "" });
  const horizon = h("input", { id: "intel-horizon", type: "number", min: daily ? 24 : 1, max: 720, step: daily ? 24 : 1, value: 24, inputmode: "numeric" });
  const result = h("p", { class: "big intel-probability", role: "status", "aria-live": "polite" }, "…");
  const model = h("div", { class: "model intel-model" });
  replace(section, h("h2", { id: "intel-threshold-h" }, "Threshold probability"),
    h("p", { class: "muted small" }, "The calibrated probability that the price is at or above a strike after a horizon, from the candles closed so far."),
    h("div", { class: "filters" },
      h("div", { class: "field" }, h("label", { for: "intel-strike" }, "Strike (USD)"), strike),
      h("div", { class: "field" }, h("label", { for: "intel-horizon" }, `Horizon (hours, ${daily ? 24 : 1} to 720)`), horizon)),
    result, model);

  let timer = null;
  let asked = 0;
  const ask = async () => {
    const k = Number(strike.value);
    const hs = Number(horizon.value);
    const n = ++asked;
    if (!(k > 0) || !Number.isInteger(hs)) {
      replace(result, "Enter a strike above zero and a whole number of hours.");
      return;
    }
    try {
      const t = await get(`/v1/intel/assets/${encodeURIComponent(symbol)}/threshold`, { strike: k, horizon_hours: hs });
      if (!live() || n !== asked) return;
      replace(result, `P(${symbol} ≥ ${price(t.strike)} in ${hours(t.horizon_hours)}) = ${pct(t.probability, t.probability < 0.01 || t.probability > 0.99 ? 1 : 0)}`);
      const m = t.model;
      const v = m.volatility;
      const bars = t.horizon_hours / (m.interval === "1h" ? 1 : 24);
      const cal = m.calibration.reduce((best, c) => (best === null || Math.abs(c.bars - bars) < Math.abs(best.bars - bars) ? c : best), null);
      const innovation = v.df ? `Student-t innovations (ν = ${num(v.df, 2)})` : "normal innovations";
      const kind = v.model === "garch" ? `GARCH(1,1) with ${innovation}, α = ${num(v.alpha, 3)}, β = ${num(v.beta, 3)}` : v.model === "ewma" ? `EWMA volatility (λ = ${num(v.lambda, 3)}) with ${innovation}` : "constant volatility";
      replace(model,
        h("p", {}, `From the last close ${price(t.spot)} at ${moment(t.as_of_ms)}, to ${moment(t.expires_at_ms)}.`),
        h("p", {}, `Model: ${kind}, fitted for ${m.fit_day} on ${num(m.train_bars, 0)} ${m.interval} candles from ${day(m.train_from_ms)} to ${day(m.train_to_ms)}; the next candle's expected volatility is ${pct(m.next_bar_volatility, 2)}.`),
        cal ? h("p", {}, `Calibrated for ${num(cal.bars, 0)} candle${cal.bars === 1 ? "" : "s"} ahead: scale ${num(cal.scale, 2)}, ν ${num(cal.df, 2)}, from ${num(cal.samples, 0)} past forecasts.`) : null,
        h("p", { class: "small muted" }, "Its out-of-sample validation is below."));
    } catch (error) {
      if (live() && n === asked) { replace(result, error.message); replace(model); }
    }
  };
  const soon = () => { clearTimeout(timer); timer = setTimeout(ask, 250); };
  strike.addEventListener("input", soon);
  horizon.addEventListener("input", soon);
  ask();
}

// ------------------------------------------------------------------ 5. validation

function validationSection(section, asset, live, redraws) {
  const symbol = asset.symbol;
  const status = h("p", { class: "muted", role: "status" }, "Computing the walk-forward validation (the first request of a day takes a while)…");
  const pictures = h("div", { class: "intel-validation-pictures" });
  const summary = h("div", {});
  replace(section, h("h2", { id: "intel-validation-h" }, "Validation of the threshold model"),
    h("p", { class: "muted small" }, "From ", h("code", {}, "augury intel validate"), ": each held-out year is forecast by models fitted on the years before it only, at strikes around the spot and horizons from an hour to 30 days; the forecasts are then compared with what happened."),
    status, summary, pictures);
  let report = null;
  const render = () => {
    if (!report) return;
    const width = widthOf(pictures);
    const half = width >= 760 ? Math.floor((width - 16) / 2) : width;
    const bins = report.reliability.filter((b) => b.questions > 0);
    const reliability = plot({ width: half, height: 280, xMin: 0, xMax: 1, yMin: 0, yMax: 1, xFormat: (v) => pct(v), yFormat: (v) => pct(v),
      xTitle: "Predicted probability", yTitle: "Observed frequency",
      series: [{ points: [[0, 0], [1, 1]], cls: "s-ref" }, { points: bins.map((b) => [b.mean_forecast, b.observed]), cls: "s-2" },
        { points: bins.map((b) => [b.mean_forecast, b.observed, 3 + Math.min(6, Math.sqrt(b.questions) / 12)]), cls: "s-2", kind: "dots" }],
      label: `Reliability diagram of the ${report.models[0]} model on ${symbol}: predicted probability against observed frequency in ${bins.length} bins; ${bins.map((b) => `${pct(b.mean_forecast)} predicted, ${pct(b.observed)} observed (${b.questions} questions)`).join("; ")}. On the diagonal is perfectly calibrated.` });
    const horizons = report.per_horizon.map((p) => p.horizon);
    const skill = barChart({ width: half, height: 280, categories: horizons, xTitle: "Horizon", yTitle: "Brier skill",
      groups: [{ cls: "s-2", values: report.per_horizon.map((p) => p.skill_vs_base_rate) }, { cls: "s-3", values: report.per_horizon.map((p) => p.skill_vs_constant_vol) }],
      label: `Brier skill of the ${report.models[0]} model on ${symbol} by horizon (above 0 beats the reference): ${report.per_horizon.map((p) => `${p.horizon}: ${signedPct(p.skill_vs_base_rate)} against the base rate, ${signedPct(p.skill_vs_constant_vol)} against constant volatility`).join("; ")}.` });
    replace(pictures,
      h("figure", { class: "intel-figure" }, reliability, h("figcaption", {}, "Reliability: dots on the diagonal are calibrated (size: questions in the bin)."), legend([["s-ref", "perfect calibration"], ["s-2", "GARCH-t forecasts"]])),
      h("figure", { class: "intel-figure" }, skill, h("figcaption", {}, "Brier skill by horizon: 1 − Brier(model) / Brier(reference)."), legend([["s-2", "against the base rate"], ["s-3", "against constant volatility"]])));
  };
  redraws.add(render);
  get(`/v1/intel/assets/${encodeURIComponent(symbol)}/validation`).then((v) => {
    if (!live()) return;
    report = v;
    const o = v.overall;
    replace(status, `Validated on ${num(v.candles, 0)} ${v.interval} candles from ${v.data_from} to ${v.data_to} UTC (computed in ${num(v.compute_ms / 1000, 1)} s, kept for the day).`);
    replace(summary,
      h("p", { class: "lead intel-skill" }, `Brier skill ${signedPct(o.skill_vs_base_rate)} against the base rate and ${signedPct(o.skill_vs_constant_vol)} against constant volatility, over ${num(o.questions, 0)} questions in ${v.test_years.join(", ")}.`),
      h("dl", { class: "facts" },
        h("dt", {}, "Brier score"), h("dd", {}, `${num(o.brier[0], 4)} (base rate ${num(o.brier[3], 4)}, constant volatility ${num(o.brier[2], 4)})`),
        h("dt", {}, "Log loss"), h("dd", {}, `${num(o.log_loss[0], 4)} (base rate ${num(o.log_loss[3], 4)})`),
        h("dt", {}, "Look-ahead check"), h("dd", {}, v.look_ahead_passed ? `passed (${num(v.look_ahead_values_compared, 0)} values unchanged on truncated data)` : `FAILED: ${num(v.look_ahead_mismatches, 0)} values changed`),
        h("dt", {}, "Same on the command line"), h("dd", {}, h("code", {}, v.command))));
    render();
  }).catch((error) => { if (live()) failed(status, error); });
}
