// The signed-in visitor's portfolio: cash (available, held by resting buys, bonds, market-maker
// funding), positions valued at the mid (settled markets: at their payout) with what they cost
// from the account's own fills and the profit and loss, open orders (cancel), fills and
// settlements, a Redeem button for settled markets still held, and each table as a CSV file
// built here in the browser. Every request is signed (auth.js); money stays integer micro-dollars
// until it is shown.

import { get } from "./api.js";
import { session, signed } from "./auth.js";
import { h, replace } from "./dom.js";
import { cents, count, dollars, outcomeLabel, time } from "./format.js";

const PAGE = 50;
const DOLLAR = 1_000_000;

/** Every item of a paged, signed list (1,000 at a time). */
async function everything(path, query = {}) {
  const items = [];
  let cursor;
  for (let pages = 0; pages < 1_000; pages++) {
    const page = await signed("GET", path, { query: { ...query, cursor, limit: 1000 } });
    items.push(...page.items);
    if (page.next_cursor === undefined || page.next_cursor === null || !page.items.length) break;
    cursor = page.next_cursor;
  }
  return items;
}

/** Exact decimal dollars from micro-dollars, for CSV files: -1234567 → "-1.234567". */
export function exactDollars(micros) {
  if (micros === null || micros === undefined) return "";
  const value = BigInt(micros);
  const sign = value < 0n ? "-" : "";
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 1_000_000n}.${String(abs % 1_000_000n).padStart(6, "0")}`;
}

/** A signed amount as text that does not rely on colour: "+$1.20", "−$0.40", "$0.00". */
function signedDollars(micros) {
  if (micros === null || micros === undefined) return "–";
  const n = Math.round(Number(micros));
  return n > 0 ? `+${dollars(n)}` : n < 0 ? `−${dollars(-n)}` : dollars(0);
}
const whole = (n) => Number(n).toLocaleString("en-US");
const tone = (micros) => (micros > 0 ? "up" : micros < 0 ? "down" : null);

/** One CSV field: quoted when it holds a comma, quote or line break; text that a spreadsheet
 * would run as a formula (=, +, -, @ first) is prefixed with an apostrophe. */
export function csvField(value, text = false) {
  let s = value === null || value === undefined ? "" : String(value);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A CSV file from a header (names; a name ending in `*` is free text) and rows. */
export function csv(columns, rows) {
  const names = columns.map((c) => c.replace(/\*$/, ""));
  const text = columns.map((c) => c.endsWith("*"));
  return [names.map((n) => csvField(n)).join(","), ...rows.map((r) => r.map((v, i) => csvField(v, text[i])).join(","))].join("\r\n") + "\r\n";
}

/** Makes the browser download `text` as `name`. */
function download(name, text) {
  // A byte-order mark first, so that spreadsheets read the UTF-8 titles as UTF-8.
  const url = URL.createObjectURL(new Blob(["\uFEFF", text], { type: "text/csv;charset=utf-8" }));
  const link = h("a", { href: url, download: name, class: "sr" }, name);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const utc = (ms) => (ms ? new Date(Number(ms)).toISOString() : "");

/** Renders the portfolio into `main`. */
export async function view(main) {
  const s = await session().catch(() => null);
  if (!s) {
    replace(main,
      h("h1", {}, "Portfolio"),
      h("section", { class: "panel pf-empty", "aria-labelledby": "pf-signed-out" },
        h("h2", { id: "pf-signed-out" }, "You are not signed in"),
        h("p", {}, "Your cash, positions, orders and fills show here once you have an account. Use ",
          h("strong", {}, "Open a demo account"), " in the header (top right) to get play money and trade, then come back."),
        h("p", {}, h("a", { href: "#/" }, "Browse the markets"))));
    return;
  }

  const markets = new Map();
  const market = (id) => {
    if (!markets.has(id)) markets.set(id, get(`/v1/markets/${id}`).catch(() => null));
    return markets.get(id);
  };
  const resolutions = new Map();
  const resolution = (id) => {
    if (!resolutions.has(id)) resolutions.set(id, get(`/v1/markets/${id}/resolution`).catch(() => null));
    return resolutions.get(id);
  };
  const titleOf = (m, id) => m?.title ?? `Market ${id}`;
  const marketLink = (m, id) => h("a", { href: `#/market/${id}` }, titleOf(m, id));

  const status = h("p", { class: "message pf-status", role: "status" });
  const summary = h("div", { class: "pf-summary" });
  const cash = h("div");
  const positionsBox = h("div");
  const claimBox = h("div");
  const ordersBox = h("div");
  const fillsBox = h("div");
  const settlementsBox = h("div");
  const refreshButton = h("button", { type: "button", on: { click: () => load(true) } }, "Refresh");

  const section = (id, title, box, ...extra) =>
    h("section", { class: "panel pf-section", "aria-labelledby": id },
      h("div", { class: "pf-head" }, h("h2", { id }, title), ...extra), box);
  const exportButton = (what, run) => h("button", { type: "button", class: "pf-export", on: { click: async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try { await run(); status.textContent = `Downloaded ${what} as CSV.`; } catch (e) { status.textContent = `Could not export ${what}: ${e.message}`; } finally { button.disabled = false; }
  } } }, `Export ${what} (CSV)`);
  /** A table in a box that scrolls sideways if it must (focusable, so a keyboard can scroll it).
   * On a phone its rows become cards (CSS), each cell labelled by its column (`data-label`); the
   * roles are spelled out so that a screen reader still reads a table when CSS changes display. */
  const table = (id, caption, head, rows, empty, foot = null) => {
    const labels = head.map(([label]) => (typeof label === "string" ? label : ""));
    for (const row of rows) [...row.children].forEach((cell, i) => { if (labels[i]) cell.dataset.label = labels[i]; });
    const t = h("table", { class: "pf", role: "table" },
      h("caption", { id: `${id}-caption` }, caption),
      h("thead", {}, h("tr", {}, head.map(([label, cls]) => h("th", { scope: "col", class: cls }, label)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: head.length, class: "muted" }, empty))),
      foot);
    for (const e of t.querySelectorAll("thead, tbody, tfoot")) e.setAttribute("role", "rowgroup");
    for (const e of t.querySelectorAll("tr")) e.setAttribute("role", "row");
    for (const e of t.querySelectorAll("th[scope=col]")) e.setAttribute("role", "columnheader");
    for (const e of t.querySelectorAll("th[scope=row]")) e.setAttribute("role", "rowheader");
    for (const e of t.querySelectorAll("td")) e.setAttribute("role", "cell");
    return h("div", { class: "pf-table", role: "region", "aria-labelledby": `${id}-caption`, tabindex: 0 }, t);
  };

  replace(main,
    h("div", { class: "pf-title" },
      h("div", {}, h("h1", {}, "Portfolio"), h("p", { class: "muted pf-account" }, `Account ${s.account} · play money`)),
      refreshButton),
    status,
    summary,
    claimBox,
    h("div", { class: "pf-grid" },
      section("pf-positions-heading", "Positions", positionsBox, exportButton("positions", () => exportPositions())),
      section("pf-cash-heading", "Cash", cash),
      section("pf-orders-heading", "Open orders", ordersBox),
      section("pf-fills-heading", "Fills", fillsBox, exportButton("fills", () => exportFills())),
      section("pf-settlements-heading", "Settlements", settlementsBox, exportButton("settlements", () => exportSettlements()))));

  // ---- positions: value, cost, profit and loss -------------------------------------------
  let positionRows = [];

  /** Each position with its market, what one YES and one NO are worth now, its cost and P&L. */
  async function valuePositions(positions) {
    const fillsByMarket = new Map();
    const fillsOf = (id) => {
      if (!fillsByMarket.has(id)) fillsByMarket.set(id, everything("/v1/portfolio/fills", { market: id }));
      return fillsByMarket.get(id);
    };
    return Promise.all(positions.map(async (p) => {
      const m = await market(p.market);
      const yes = p.yes + p.yes_reserved;
      const no = p.no + p.no_reserved;
      let yesMark = null;
      let noMark = null;
      let basis = "mid";
      let exit = null;
      const settled = m?.status === "settled";
      if (settled) {
        const payout = (await resolution(p.market))?.settlement?.payouts?.[p.outcome];
        if (payout) { yesMark = payout.yes_micros; noMark = payout.no_micros; basis = "payout"; }
      } else if (m) {
        const best = m.best?.find((b) => b.outcome === p.outcome) ?? {};
        const bid = best.yes_bid_micros;
        const ask = best.yes_ask_micros;
        const mid = bid != null && ask != null ? (bid + ask) / 2 : bid ?? ask ?? m.stats?.outcomes?.[p.outcome]?.last_price_micros ?? null;
        if (bid == null || ask == null) basis = mid == null ? "none" : bid == null && ask == null ? "last" : "one side";
        if (mid != null) { yesMark = mid; noMark = DOLLAR - mid; }
        // What selling everything now would bring at the best prices (before fees): YES at the
        // bid, NO at a dollar less the ask; unknown when that side of the book is empty.
        if ((!yes || bid != null) && (!no || ask != null)) exit = yes * (bid ?? 0) + no * (DOLLAR - (ask ?? 0));
      }
      let cost = 0;
      let bought = 0;
      for (const f of (await fillsOf(p.market)).filter((f) => f.outcome === p.outcome)) {
        cost += (f.action === "buy" ? f.notional_micros : -f.notional_micros) + f.fee_micros;
        if (f.action === "buy") bought += f.quantity;
      }
      const value = yesMark == null ? null : Math.round(yes * yesMark + no * noMark);
      return { ...p, m, held: { yes, no }, yesMark, noMark, basis, settled, value, exit, cost, pnl: value == null ? null : value - cost, bought };
    }));
  }

  function drawPositions() {
    const rows = positionRows.map((r) => {
      const held = [r.held.yes ? `${whole(r.held.yes)} YES` : null, r.held.no ? `${whole(r.held.no)} NO` : null].filter(Boolean);
      const offered = r.yes_reserved + r.no_reserved;
      const contracts = r.held.yes + r.held.no;
      const mark = r.yesMark == null ? "no price"
        : r.held.yes && !r.held.no ? cents(r.yesMark) : !r.held.yes && r.held.no ? cents(r.noMark) : `${cents(r.yesMark)} / ${cents(r.noMark)}`;
      return h("tr", { dataset: { market: r.market, outcome: r.outcome } },
        h("th", { scope: "row", class: "pf-market" }, marketLink(r.m, r.market),
          r.settled ? h("span", { class: "pill settled" }, "settled") : r.m && r.m.status !== "open" ? h("span", { class: "pill" }, r.m.status) : null),
        h("td", {}, r.m ? outcomeLabel(r.m, r.outcome) : `Outcome ${r.outcome + 1}`),
        h("td", { class: "num pf-held" }, held.join(" · "), offered ? h("span", { class: "muted small pf-note" }, `${whole(offered)} offered`) : null),
        h("td", { class: "num" }, contracts ? cents(Math.round(r.cost / contracts)) : "–"),
        h("td", { class: "num" }, mark, h("span", { class: "muted small pf-note" }, r.basis === "payout" ? "payout" : r.basis === "mid" ? "mid" : r.basis === "none" ? "" : r.basis)),
        h("td", { class: "num" }, h("span", { class: "pf-value" }, r.value == null ? "–" : dollars(r.value)),
          r.exit != null ? h("span", { class: "muted small pf-note" }, `sell now ${dollars(r.exit)}`) : null),
        h("td", { class: "num" }, dollars(r.cost)),
        h("td", { class: `num pf-pnl ${tone(r.pnl) ?? ""}` }, signedDollars(r.pnl),
          r.pnl != null && r.cost > 0 ? h("span", { class: "small pf-note" }, `${r.pnl >= 0 ? "+" : "−"}${Math.abs((r.pnl / r.cost) * 100).toFixed(1)}%`) : null),
        h("td", {}, r.settled ? redeemButton(r) : h("a", { href: `#/market/${r.market}`, class: "pf-trade" }, "Trade", h("span", { class: "sr" }, ` ${titleOf(r.m, r.market)}`))));
    });
    const valued = positionRows.filter((r) => r.value != null);
    const totalValue = valued.reduce((a, r) => a + r.value, 0);
    const totalCost = positionRows.reduce((a, r) => a + r.cost, 0);
    const totalPnl = valued.reduce((a, r) => a + r.pnl, 0);
    const foot = positionRows.length
      ? h("tfoot", {}, h("tr", {},
        h("th", { scope: "row", colspan: 5 }, "Total"),
        h("td", { class: "num", dataset: { label: "Value" } }, dollars(totalValue)),
        h("td", { class: "num", dataset: { label: "Cost" } }, dollars(totalCost)),
        h("td", { class: `num ${tone(totalPnl) ?? ""}`, dataset: { label: "Profit and loss" } }, signedDollars(totalPnl)),
        h("td", {})))
      : null;
    replace(positionsBox,
      h("p", { class: "muted small pf-explain" }, "Valued at the mid of the best bid and ask (settled markets: at their payout); “sell now” is what the best bids pay, before fees. Cost is what your fills paid, fees in."),
      table("pf-positions", "Your contracts per market and outcome",
        [["Market"], ["Outcome"], ["Held", "num"], ["Avg cost", "num"], ["Mark", "num"], ["Value", "num"], ["Cost", "num"], ["Profit and loss", "num"], [h("span", { class: "sr" }, "Action")]],
        rows, "No positions yet: buy YES or NO on a market's page.", foot));
    return { totalValue, totalCost, totalPnl };
  }

  function redeemButton(r) {
    return h("button", { type: "button", class: "primary pf-redeem", "aria-label": `Redeem ${titleOf(r.m, r.market)}`, on: { click: async (event) => {
      const button = event.currentTarget;
      button.disabled = true;
      try {
        const paid = await signed("POST", "/v1/portfolio/redeem", { body: { market: r.market } });
        await load(false);
        status.textContent = `Redeemed ${count(paid.contracts)} contract${paid.contracts === 1 ? "" : "s"} of “${titleOf(r.m, r.market)}” for ${dollars(paid.payout_micros)}.`;
      } catch (e) {
        status.textContent = `Redeem refused: ${e.message}`;
        button.disabled = false;
      }
    } } }, "Redeem");
  }

  function drawClaims() {
    // Settled markets still held: what redeeming pays, one button each.
    const byMarket = new Map();
    for (const r of positionRows.filter((r) => r.settled)) {
      const entry = byMarket.get(r.market) ?? { r, value: 0 };
      entry.value += r.value ?? 0;
      byMarket.set(r.market, entry);
    }
    if (!byMarket.size) { replace(claimBox); return; }
    replace(claimBox, h("section", { class: "panel pf-claims", "aria-labelledby": "pf-claims-heading" },
      h("h2", { id: "pf-claims-heading" }, "Ready to redeem"),
      h("p", { class: "muted small" }, "These markets have settled. Redeeming turns your contracts into cash at the payout."),
      h("ul", { class: "rows" }, [...byMarket.values()].map(({ r, value }) =>
        h("li", {}, h("span", { class: "pf-grow" }, marketLink(r.m, r.market), ` · pays ${dollars(value)}`), redeemButton(r))))));
  }

  // ---- cash -------------------------------------------------------------------------------
  function drawCash(b, totals) {
    const total = b.available_micros + b.reserved_micros + b.bonds_micros + b.amm_funding_micros;
    replace(cash, h("dl", { class: "facts pf-cash" },
      h("dt", {}, "Available"), h("dd", { class: "pf-available" }, dollars(b.available_micros)),
      h("dt", {}, "Reserved by resting buys"), h("dd", {}, dollars(b.reserved_micros)),
      h("dt", {}, "Posted bonds"), h("dd", {}, dollars(b.bonds_micros)),
      h("dt", {}, "Market-maker funding"), h("dd", {}, dollars(b.amm_funding_micros)),
      h("dt", { class: "pf-total" }, "Total cash"), h("dd", { class: "pf-total" }, dollars(total))));
    const card = (label, value, note, cls = "") => h("div", { class: `pf-card ${cls}` }, h("span", { class: "pf-label" }, label), h("span", { class: "pf-figure" }, value), note ? h("span", { class: "muted small" }, note) : null);
    replace(summary,
      card("Account value", dollars(total + totals.totalValue), "cash and positions", "pf-main"),
      card("Available cash", dollars(b.available_micros), "free to trade"),
      card("Positions", dollars(totals.totalValue), `${positionRows.length} open`),
      h("div", { class: `pf-card` }, h("span", { class: "pf-label" }, "Profit and loss"),
        h("span", { class: `pf-figure ${tone(totals.totalPnl) ?? ""}` }, signedDollars(totals.totalPnl)), h("span", { class: "muted small" }, "on positions held")));
  }

  // ---- open orders ------------------------------------------------------------------------
  function drawOrders(orders, titles) {
    const rows = orders.map((o) => h("tr", { dataset: { order: o.order_id } },
      h("th", { scope: "row", class: "pf-market" }, marketLink(titles.get(o.market), o.market)),
      h("td", {}, titles.get(o.market) ? outcomeLabel(titles.get(o.market), o.outcome) : `Outcome ${o.outcome + 1}`),
      h("td", { class: "pf-nowrap" }, h("span", { class: o.action === "buy" ? "up" : "down" }, `${o.action === "buy" ? "Buy" : "Sell"} ${o.side.toUpperCase()}`)),
      h("td", { class: "num" }, o.price_micros == null ? "market" : cents(o.price_micros)),
      h("td", { class: "num" }, `${count(o.filled_quantity)} / ${count(o.quantity)}`),
      h("td", { class: "num" }, o.price_micros == null ? "–" : dollars(o.remaining_quantity * o.price_micros)),
      h("td", { class: "small" }, o.time_in_force.toUpperCase(), h("span", { class: "muted pf-note" }, time(o.created_ms))),
      h("td", {}, h("button", { type: "button", "aria-label": `Cancel order ${o.order_id}`, on: { click: async (event) => {
        const button = event.currentTarget;
        button.disabled = true;
        try {
          await signed("DELETE", `/v1/portfolio/orders/${o.order_id}`);
          await load(false);
          status.textContent = `Order ${o.order_id} cancelled.`;
        } catch (e) {
          status.textContent = `Cancel refused: ${e.message}`;
          button.disabled = false;
        }
      } } }, "Cancel"))));
    replace(ordersBox, table("pf-orders", "Orders resting in the book", [["Market"], ["Outcome"], ["Order"], ["Price", "num"], ["Filled", "num"], ["Remaining notional", "num"], ["Type · placed"], [h("span", { class: "sr" }, "Action")]],
      rows, "No open orders."));
  }

  // ---- fills and settlements, a page at a time ----------------------------------------------
  const fills = [];
  let fillsCursor;
  const settlements = [];
  let settlementsCursor;

  async function drawFills() {
    const titles = new Map(await Promise.all([...new Set(fills.map((f) => f.market))].map(async (id) => [id, await market(id)])));
    const rows = fills.map((f) => h("tr", { dataset: { trade: f.trade_id } },
      h("td", { class: "small pf-nowrap" }, time(f.time_ms)),
      h("th", { scope: "row", class: "pf-market" }, marketLink(titles.get(f.market), f.market)),
      h("td", {}, titles.get(f.market) ? outcomeLabel(titles.get(f.market), f.outcome) : `Outcome ${f.outcome + 1}`),
      h("td", { class: "pf-nowrap" }, h("span", { class: f.action === "buy" ? "up" : "down" }, `${f.action === "buy" ? "Bought" : "Sold"} ${f.side.toUpperCase()}`)),
      h("td", { class: "num" }, count(f.quantity)),
      h("td", { class: "num" }, cents(f.price_micros)),
      h("td", { class: "num" }, dollars(f.notional_micros)),
      h("td", { class: "num" }, dollars(f.fee_micros)),
      h("td", { class: "small" }, f.is_taker ? "taker" : "maker", f.liquidity === "amm" ? " · AMM" : "")));
    const more = fillsCursor != null
      ? h("button", { type: "button", class: "more", on: { click: async (event) => {
        event.currentTarget.disabled = true;
        await nextFills();
        await drawFills();
        fillsBox.querySelector(".more, .pf-table")?.focus();
      } } }, "Show more fills")
      : null;
    replace(fillsBox, table("pf-fills", "Your fills, newest first", [["Time"], ["Market"], ["Outcome"], ["Trade"], ["Contracts", "num"], ["Price", "num"], ["Notional", "num"], ["Fee", "num"], ["Role"]],
      rows, "No fills yet."), more);
  }
  async function nextFills() {
    const page = await signed("GET", "/v1/portfolio/fills", { query: { limit: PAGE, cursor: fillsCursor } });
    fills.push(...page.items);
    fillsCursor = page.items.length ? page.next_cursor ?? null : null;
  }

  async function drawSettlements() {
    const titles = new Map(await Promise.all([...new Set(settlements.map((x) => x.market))].map(async (id) => [id, await market(id)])));
    const rows = settlements.map((x) => h("tr", {},
      h("td", { class: "small pf-nowrap" }, time(x.time_ms)),
      h("th", { scope: "row", class: "pf-market" }, marketLink(titles.get(x.market), x.market)),
      h("td", { class: "num" }, count(x.contracts)),
      h("td", { class: "num" }, dollars(x.payout_micros))));
    const more = settlementsCursor != null
      ? h("button", { type: "button", class: "more", on: { click: async (event) => {
        event.currentTarget.disabled = true;
        await nextSettlements();
        await drawSettlements();
        settlementsBox.querySelector(".more, .pf-table")?.focus();
      } } }, "Show more settlements")
      : null;
    replace(settlementsBox, table("pf-settlements", "Payouts from settled markets you redeemed, newest first", [["Time"], ["Market"], ["Contracts", "num"], ["Paid", "num"]],
      rows, "No settlements yet: when a market you hold settles, redeem it here."), more);
  }
  async function nextSettlements() {
    const page = await signed("GET", "/v1/portfolio/settlements", { query: { limit: PAGE, cursor: settlementsCursor } });
    settlements.push(...page.items);
    settlementsCursor = page.items.length ? page.next_cursor ?? null : null;
  }

  // ---- CSV exports ------------------------------------------------------------------------
  const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  async function exportPositions() {
    const rows = positionRows.map((r) => [r.market, titleOf(r.m, r.market), r.m?.status ?? "", r.outcome, r.m ? outcomeLabel(r.m, r.outcome) : "",
      r.held.yes, r.held.no, r.yes_reserved, r.no_reserved, r.basis,
      r.yesMark == null ? "" : Math.round(r.yesMark), r.noMark == null ? "" : Math.round(r.noMark),
      r.value ?? "", r.exit ?? "", r.cost, r.pnl ?? "", exactDollars(r.value), exactDollars(r.cost), exactDollars(r.pnl)]);
    download(`augury-${s.account}-positions-${stamp()}.csv`, csv(
      ["market", "title*", "status", "outcome", "outcome_label*", "yes_total", "no_total", "yes_reserved", "no_reserved", "mark_basis",
        "yes_mark_micros", "no_mark_micros", "value_micros", "sell_now_micros", "cost_micros", "pnl_micros", "value_usd", "cost_usd", "pnl_usd"], rows));
  }
  async function exportFills() {
    const all = await everything("/v1/portfolio/fills");
    const titles = new Map(await Promise.all([...new Set(all.map((f) => f.market))].map(async (id) => [id, await market(id)])));
    const rows = all.map((f) => [f.trade_id, f.order_id, f.time_ms, utc(f.time_ms), f.market, titleOf(titles.get(f.market), f.market), f.outcome,
      titles.get(f.market) ? outcomeLabel(titles.get(f.market), f.outcome) : "", f.side, f.action, f.quantity,
      f.price_micros, f.notional_micros, f.fee_micros, exactDollars(f.price_micros), exactDollars(f.notional_micros), exactDollars(f.fee_micros),
      f.is_taker ? "taker" : "maker", f.liquidity]);
    download(`augury-${s.account}-fills-${stamp()}.csv`, csv(
      ["trade_id", "order_id", "time_ms", "time_utc", "market", "title*", "outcome", "outcome_label*", "side", "action", "quantity",
        "price_micros", "notional_micros", "fee_micros", "price_usd", "notional_usd", "fee_usd", "role", "liquidity"], rows));
  }
  async function exportSettlements() {
    const all = await everything("/v1/portfolio/settlements");
    const titles = new Map(await Promise.all([...new Set(all.map((x) => x.market))].map(async (id) => [id, await market(id)])));
    const rows = all.map((x) => [x.time_ms, utc(x.time_ms), x.market, titleOf(titles.get(x.market), x.market), x.contracts, x.payout_micros, exactDollars(x.payout_micros)]);
    download(`augury-${s.account}-settlements-${stamp()}.csv`, csv(
      ["time_ms", "time_utc", "market", "title*", "contracts", "payout_micros", "payout_usd"], rows));
  }

  // ---- loading ----------------------------------------------------------------------------
  let loading = false;
  async function load(announce) {
    if (loading) return;
    loading = true;
    refreshButton.disabled = true;
    if (announce) status.textContent = "Refreshing…";
    try {
      // Fresh prices and resolutions on every load; titles are kept.
      for (const [id, old] of markets) markets.set(id, get(`/v1/markets/${id}`).catch(() => old));
      resolutions.clear();
      const [balance, positions, orders] = await Promise.all([
        signed("GET", "/v1/portfolio/balance"),
        signed("GET", "/v1/portfolio/positions"),
        everything("/v1/portfolio/orders", { status: "open" }),
      ]);
      positionRows = (await valuePositions(positions))
        .sort((a, b) => Number(a.settled) - Number(b.settled) || (b.value ?? 0) - (a.value ?? 0) || a.market - b.market || a.outcome - b.outcome);
      const totals = drawPositions();
      drawClaims();
      drawCash(balance, totals);
      const titles = new Map(await Promise.all([...new Set(orders.map((o) => o.market))].map(async (id) => [id, await market(id)])));
      drawOrders(orders, titles);
      fills.length = 0;
      fillsCursor = undefined;
      settlements.length = 0;
      settlementsCursor = undefined;
      await Promise.all([nextFills(), nextSettlements()]);
      await Promise.all([drawFills(), drawSettlements()]);
      if (announce) status.textContent = "Up to date.";
    } catch (e) {
      status.textContent = `Could not load the portfolio: ${e.message}`;
    } finally {
      loading = false;
      refreshButton.disabled = false;
    }
  }
  await load(false);
}
