// A market's page: the question and how it is decided, the probability over time, the order
// book and the trades (live over the WebSocket), the figures, and for the demo's crypto markets
// the model's probability beside the price.

import { get } from "./api.js";
import { h, replace } from "./dom.js";
import { closes, probabilityChart } from "./chart.js";
import { cents, count, dollars, outcomeLabel, percent, points, probability, rangeName, time } from "./format.js";
import { MarketFeed } from "./live.js";
import { tradePanel } from "./trade.js";
import { ammQuote, resolutionPanel } from "./resolution.js";

const RANGES = [
  ["1d", 86_400_000, "15m"],
  ["1w", 7 * 86_400_000, "1h"],
  ["1m", 30 * 86_400_000, "4h"],
  ["all", null, "1d"],
];
const DEPTH = 10;

/** Renders market `id` into `main`; returns a function that stops its live feed. */
export async function marketView(main, id) {
  const market = await get(`/v1/markets/${id}`);
  let outcome = 0;

  const chartBox = h("div", { class: "chart-box" });
  const rangeButtons = h("div", { class: "segmented", role: "group", "aria-label": "Chart range" });
  const bookBox = h("div", { class: "book", "aria-live": "off" });
  // Focusable, so a keyboard can scroll it.
  const tradesList = h("ol", { class: "trades", "aria-label": "Recent trades", tabindex: 0 });
  const liveStatus = h("span", { class: "pill", role: "status" }, "connecting");
  const headline = h("div", { class: "quote" });
  const model = h("p", { class: "model", hidden: true });

  let range = "1w";
  // What the chart shows: the market's price (candle closes, then each trade as it arrives) and,
  // for markets that resolve from an asset's price, the model's probability at each close.
  let pricePoints = [];
  let modelPoints = [];
  let rangeStart = -Infinity;
  let chartLabel = "";
  const drawChartNow = () => {
    const lines = [{ points: pricePoints, kind: "line" }];
    if (outcome === 0 && modelPoints.length) {
      lines.push({ points: modelPoints.filter(([t]) => t >= rangeStart), kind: "model-line" });
    }
    replace(chartBox, probabilityChart(lines, chartLabel),
      lines.length > 1 ? h("p", { class: "legend small" }, h("span", { class: "key" }, "Market price"), h("span", { class: "key model-key" }, "Model's probability")) : null);
  };
  const drawChart = async () => {
    const [, span, interval] = RANGES.find(([name]) => name === range);
    // Ranges are measured back from the market's latest candle: the venue's own time, which in
    // the demo's replay is not today's.
    const latest = await get(`/v1/markets/${id}/candles`, { outcome, interval: "1d" });
    const end = latest.length ? latest[latest.length - 1].start_ms + 86_400_000 : Date.now();
    rangeStart = span ? Math.max(0, end - span) : -Infinity;
    const candles = await get(`/v1/markets/${id}/candles`, { outcome, interval, start_ms: span ? rangeStart : undefined });
    pricePoints = closes(candles);
    chartLabel = `${outcomeLabel(market, outcome)}: chance over ${range === "all" ? "the market's life" : `the last ${range}`}${modelPoints.length && outcome === 0 ? ", with the model's probability" : ""}`;
    drawChartNow();
    for (const button of rangeButtons.children) button.setAttribute("aria-pressed", String(button.dataset.range === range));
  };
  // A trade extends the price line at once; the redraw waits for the next frame.
  let chartPending = false;
  const extendChart = (t) => {
    if (t.outcome !== outcome) return;
    const last = pricePoints[pricePoints.length - 1];
    if (last && t.time_ms < last[0]) return;
    pricePoints = [...pricePoints, [t.time_ms, t.yes_price_micros]];
    if (chartPending) return;
    chartPending = true;
    requestAnimationFrame(() => { chartPending = false; drawChartNow(); });
  };
  for (const [name] of RANGES) {
    rangeButtons.append(h("button", { type: "button", dataset: { range: name }, "aria-pressed": String(name === range), on: { click: () => { range = name; drawChart(); } } }, name, h("span", { class: "sr" }, ` (${rangeName(name)})`)));
  }

  // The book: levels per side, kept from the snapshot and the deltas.
  const book = { bids: new Map(), asks: new Map() };
  const drawBook = () => {
    const bids = [...book.bids.entries()].sort((a, b) => b[0] - a[0]).slice(0, DEPTH);
    const asks = [...book.asks.entries()].sort((a, b) => a[0] - b[0]).slice(0, DEPTH);
    const spread = bids.length && asks.length ? asks[0][0] - bids[0][0] : null;
    const most = Math.max(1, ...bids.map((l) => l[1]), ...asks.map((l) => l[1]));
    const row = (side, [price, quantity]) =>
      h("tr", { class: side },
        h("td", {}, cents(side === "ask" ? 1_000_000 - price : price)),
        h("td", { class: "num" }, count(quantity)),
        h("td", { class: "depth" }, h("meter", { min: 0, max: most, value: quantity, "aria-label": `${count(quantity)} contracts` })));
    replace(bookBox,
      h("table", { class: "levels" },
        h("caption", {}, "Buy YES (bids)"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "YES price"), h("th", { scope: "col" }, "Contracts"), h("th", { scope: "col" }, h("span", { class: "sr" }, "Depth")))),
        h("tbody", {}, bids.length ? bids.map((l) => row("bid", l)) : h("tr", {}, h("td", { colspan: 3, class: "muted" }, "No bids")))),
      h("p", { class: "spread" }, spread === null ? "No spread: one side is empty" : `Spread ${cents(spread)}`),
      h("table", { class: "levels" },
        h("caption", {}, "Buy NO (asks, shown as NO prices)"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "NO price"), h("th", { scope: "col" }, "Contracts"), h("th", { scope: "col" }, h("span", { class: "sr" }, "Depth")))),
        h("tbody", {}, asks.length ? asks.map((l) => row("ask", l)) : h("tr", {}, h("td", { colspan: 3, class: "muted" }, "No asks")))));
  };
  // Redraws wait for the next frame: however many updates arrive between two frames, the book is
  // drawn once, from the latest state, so a busy book never queues work behind the screen.
  let drawPending = false;
  const drawSoon = () => {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(() => {
      drawPending = false;
      drawBook();
      trading.showPreview();
    });
  };
  const applyBook = (message) => {
    if (message.type === "snapshot") {
      book.bids.clear();
      book.asks.clear();
      const levels = message.outcomes.find((o) => o.outcome === outcome) ?? { bids: [], asks: [] };
      for (const l of levels.bids) book.bids.set(l.yes_price_micros, l.quantity);
      for (const l of levels.asks) book.asks.set(l.yes_price_micros, l.quantity);
    } else {
      for (const c of message.changes.filter((c) => c.outcome === outcome)) {
        const side = c.side === "bid" ? book.bids : book.asks;
        if (c.quantity === 0) side.delete(c.yes_price_micros);
        else side.set(c.yes_price_micros, c.quantity);
      }
    }
    drawSoon();
  };

  // A trade reads from the taker's side, at the price that side paid.
  const best = () => {
    const bids = [...book.bids.keys()];
    const asks = [...book.asks.keys()];
    return [bids.length ? Math.max(...bids) : null, asks.length ? Math.min(...asks) : null];
  };
  const trading = tradePanel(market, () => outcome, best);
  // The visitor's orders and position follow the market, at most once a second.
  let pending = null;
  const refreshSoon = () => {
    pending ??= setTimeout(() => { pending = null; trading.refresh().catch(() => {}); }, 1_000);
  };

  const tradeRow = (t) => {
    const price = t.taker_side === "yes" ? t.yes_price_micros : 1_000_000 - t.yes_price_micros;
    return h("li", {}, h("span", { class: t.taker_side === "yes" ? "up" : "down" }, `${t.taker_action} ${t.taker_side.toUpperCase()}`),
      ` ${count(t.quantity)} @ ${cents(price)}`, h("time", { class: "muted" }, ` ${time(t.time_ms)}`));
  };
  const addTrade = (t) => {
    if (t.outcome !== outcome) return;
    tradesList.prepend(tradeRow(t));
    while (tradesList.children.length > 30) tradesList.lastChild.remove();
  };

  const drawHeadline = (m) => {
    replace(headline,
      h("span", { class: "big" }, percent(probability(m, outcome))),
      h("span", { class: "muted" }, `chance of ${outcomeLabel(m, outcome)}`),
      points(m.stats?.outcomes?.[outcome]?.price_change_24h_micros) ? h("span", { class: "change" }, points(m.stats.outcomes[outcome].price_change_24h_micros), " in 24 h") : null);
  };

  const outcomePicker = market.outcomes > 1
    ? h("label", { class: "field", for: "outcome" }, h("span", {}, "Outcome"),
      h("select", { id: "outcome", on: { change: (e) => { outcome = Number(e.target.value); restart(); } } },
        Array.from({ length: market.outcomes }, (_, i) => h("option", { value: i }, `${outcomeLabel(market, i)} · ${percent(probability(market, i))}`))))
    : null;

  const stats = market.stats ?? {};
  const resolution = resolutionPanel(market);
  replace(main,
    h("p", { class: "eyebrow" }, h("a", { href: `#/?category=${market.category}` }, market.category.replace("_", " ")),
      market.series ? [" · series ", market.series] : null, market.event ? [" · ", h("a", { href: `#/event/${encodeURIComponent(market.event)}` }, `event ${market.event}`)] : null),
    h("h1", {}, market.title),
    market.subtitle ? h("p", { class: "lead" }, market.subtitle) : null,
    h("p", { class: "muted" }, h("span", { class: `pill ${market.status}` }, market.status),
      market.resolution ? ` Resolved: ${JSON.stringify(market.resolution).replace(/[{}"]/g, "")}` : "",
      market.close_time_ms ? ` Closes ${time(market.close_time_ms)}` : "",
      market.expected_expiration_ms ? ` · answer expected ${time(market.expected_expiration_ms)}` : ""),
    h("div", { class: "grid" },
      h("section", { class: "panel wide", "aria-labelledby": "price-heading" },
        h("h2", { id: "price-heading" }, "Probability"), outcomePicker, headline, model, rangeButtons, chartBox),
      h("section", { class: "panel", "aria-labelledby": "book-heading" },
        h("h2", { id: "book-heading" }, "Order book ", liveStatus), bookBox),
      h("section", { class: "panel", "aria-labelledby": "trade-heading" },
        h("h2", { id: "trade-heading" }, "Trade"), trading.element),
      h("section", { class: "panel", "aria-labelledby": "trades-heading" },
        h("h2", { id: "trades-heading" }, "Recent trades"), tradesList),
      h("section", { class: "panel", "aria-labelledby": "stats-heading" },
        h("h2", { id: "stats-heading" }, "Figures"),
        h("dl", { class: "facts" },
          h("dt", {}, "Volume"), h("dd", {}, `${count(stats.volume)} contracts (${dollars(stats.notional_micros)})`),
          h("dt", {}, "24 h volume"), h("dd", {}, `${count(stats.volume_24h)} contracts`),
          h("dt", {}, "Open interest"), h("dd", {}, `${count(stats.open_interest)} contracts`),
          h("dt", {}, "Traders"), h("dd", {}, count(stats.traders)),
          h("dt", {}, "Liquidity near the mid"), h("dd", {}, dollars(stats.liquidity_micros)),
          h("dt", {}, "Tick"), h("dd", {}, cents(market.tick_micros)))),
      h("section", { class: "panel", "aria-labelledby": "resolution-heading" },
        h("h2", { id: "resolution-heading" }, "Resolution"), resolution.element),
      h("section", { class: "panel wide", "aria-labelledby": "rules-heading" },
        h("h2", { id: "rules-heading" }, "How it is decided"),
        market.rules_primary ? h("p", { class: "rules" }, market.rules_primary) : h("p", { class: "muted" }, "No rules were written for this market."),
        market.rules_secondary ? h("p", { class: "rules muted" }, market.rules_secondary) : null,
        market.resolution_source ? h("p", {}, h("strong", {}, "Source: "), market.resolution_source) : null,
        market.description ? h("p", { class: "muted" }, market.description) : null)));

  // The model's probability and how it moved since listing, for markets the intelligence
  // endpoints describe (the demo's crypto listings); followed while the market is open.
  let modelTimer = null;
  const drawModel = async () => {
    const path = await get(`/v1/intel/markets/${market.market}/model`);
    modelPoints = path.points.map((p) => [p.time_ms, Math.round(p.probability * 1_000_000)]);
    if (!modelPoints.length) return;
    const first = path.points[0];
    const now = path.points[path.points.length - 1];
    const moved = Math.round((now.probability - first.probability) * 1_000_000);
    replace(model,
      h("strong", {}, `Model: ${(now.probability * 100).toFixed(1)}%`), ` that ${path.title} (as of ${time(now.time_ms)}), beside the market's ${percent(probability(market))}. `,
      path.points.length > 1 ? [`Since listing it moved ${points(moved)}, from ${(first.probability * 100).toFixed(1)}% at ${time(first.time_ms)}.`] : null);
    model.hidden = false;
    drawChartNow();
  };
  get("/v1/intel/markets", { limit: 5000, all: true }).then(async (rows) => {
    const row = rows.find((r) => r.market === market.market);
    if (!row) return;
    await drawModel();
    if (row.status === "open") modelTimer = setInterval(() => drawModel().catch(() => {}), 10_000);
  }).catch(() => {});

  let feed = null;
  const restart = async () => {
    feed?.close();
    drawHeadline(market);
    await drawChart();
    const recent = await get(`/v1/markets/${id}/trades`, { limit: 30 });
    replace(tradesList, recent.items.filter((t) => t.outcome === outcome).map(tradeRow));
    if (!tradesList.children.length) tradesList.append(h("li", { class: "muted" }, "No trades yet"));
    feed = new MarketFeed(market.market, {
      status: (text) => { liveStatus.textContent = text; },
      book: (message) => { applyBook(message); refreshSoon(); },
      trade: (t) => { tradesList.querySelector(".muted:only-child")?.remove(); addTrade(t); extendChart(t); refreshSoon(); },
      ticker: (message) => {
        const m = message.type === "snapshot" ? message.outcomes.find((o) => o.outcome === outcome) : message.outcome === outcome ? message : null;
        if (m?.last_yes_price_micros != null) replace(headline.firstChild, percent(m.last_yes_price_micros));
      },
    });
  };
  await restart();
  await trading.refresh().catch(() => {});
  await resolution.refresh().catch(() => {});
  ammQuote(market).then((quote) => quote && model.after(quote)).catch(() => {});
  return () => {
    clearTimeout(pending);
    clearInterval(modelTimer);
    feed?.close();
  };
}
