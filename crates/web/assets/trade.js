// Trading on a market's page: the order ticket (with what the order costs, its fee, what it pays
// if it wins and the return, all before it is sent), the visitor's open orders in this market
// (cancel, amend) and position (value at the mid, cost, profit and loss). Every request is signed
// in the browser (auth.js).

import { h, replace } from "./dom.js";
import { session, signed } from "./auth.js";
import { cents, dollars, outcomeLabel, percent } from "./format.js";

const DOLLAR = 1_000_000n;

/** A fee rule's fee for `quantity` contracts at `price` (own side, micros), exactly as the venue
 * computes it (crates/core/src/fee.rs): rounded up to the rule's unit, in BigInt. */
export function fee(rule, quantity, price) {
  if (!rule || rule === "zero") return 0n;
  const [kind, p] = Object.entries(rule)[0];
  const q = BigInt(quantity);
  const pr = BigInt(price);
  const rounding = BigInt(p.rounding_micros);
  const [numerator, denominator] = kind === "quadratic"
    ? [BigInt(p.rate_ppm) * q * pr * (DOLLAR - pr), 1_000_000n * DOLLAR]
    : [BigInt(p.rate_ppm) * q * pr, 1_000_000n];
  const unit = denominator * rounding;
  return ((numerator + unit - 1n) / unit) * rounding;
}

/** A refused order in words: what happened and what to do (the venue's own message after). */
export function refusal(error) {
  const said = error.message ? ` (${error.message})` : "";
  switch (error.code) {
    case "insufficient_funds": return `Refused: not enough cash available for this order. Lower the amount or the price, or free cash by cancelling open orders${said}.`;
    case "insufficient_shares": return `Refused: you hold fewer contracts than this sells. Sell at most what your position shows${said}.`;
    case "market_not_open": case "wrong_market_status": return `Refused: this market is not open for trading now${said}.`;
    case "post_only_would_cross": return `Refused: a post-only order must rest, and this one would trade at once. Choose a price that does not cross the book${said}.`;
    case "price_off_tick": case "price_out_of_range": return `Refused: the price is not one this market trades at${said}.`;
    case "too_many_open_orders": return `Refused: you have as many open orders as an account may. Cancel some first${said}.`;
    case "rate_limited": return `Refused: too many requests just now. Wait a moment and send again${said}.`;
    case "signed_out": return error.message;
    default: return `Refused: ${error.message || `the venue answered ${error.status}`}`;
  }
}

/** The ticket, open orders and position panel for `market`; `best(outcome)` gives the book's best
 * YES bid and ask now. Returns { element, refresh }. */
export function tradePanel(market, getOutcome, best) {
  const message = h("p", { class: "message", role: "status" });
  const preview = h("dl", { class: "facts preview" });
  const orders = h("ul", { class: "rows", "aria-label": "Your open orders here" });
  const position = h("div", { class: "position" });
  const field = (label, control) => h("label", { class: "field" }, h("span", {}, label), control);
  const select = (name, options) => h("select", { name }, options.map(([v, t]) => h("option", { value: v }, t)));
  const side = select("side", [["yes", "YES"], ["no", "NO"]]);
  const action = select("action", [["buy", "Buy"], ["sell", "Sell"]]);
  const type = select("type", [["limit", "Limit"], ["market", "Market"]]);
  const unit = select("unit", [["contracts", "Contracts"], ["dollars", "Dollars to spend"]]);
  const price = h("input", { name: "price", type: "number", min: 1, max: 99, step: "any", inputmode: "decimal", value: 50 });
  const amount = h("input", { name: "amount", type: "number", min: 1, step: "any", inputmode: "decimal", value: 10 });
  const submit = h("button", { type: "submit", class: "primary" }, "Place order");
  const form = h("form", { class: "ticket", "aria-label": "Order ticket" },
    h("div", { class: "row" }, field("Side", side), field("Action", action), field("Type", type)),
    h("div", { class: "row" }, field("Limit price (¢)", price), field("Amount", amount), field("In", unit)),
    preview, submit, message);

  const tick = market.tick_micros;
  /** The order the ticket describes, or a reason it cannot be sent. */
  const order = () => {
    const isMarket = type.value === "market";
    let priceMicros;
    if (isMarket) {
      const [bid, ask] = best(getOutcome());
      // What a market order would pay at best: the other side's best price.
      priceMicros = side.value === "yes" ? (action.value === "buy" ? ask : bid) : (action.value === "buy" ? (bid == null ? null : 1_000_000 - bid) : (ask == null ? null : 1_000_000 - ask));
      if (priceMicros == null) return { problem: "Nobody is offering the other side now: a market order would not fill. Use a limit order." };
    } else {
      priceMicros = Math.round(Number(price.value) * 10_000);
      if (!(priceMicros > 0 && priceMicros < 1_000_000)) return { problem: "The limit price is between 0¢ and 100¢." };
      if (priceMicros % tick !== 0) return { problem: `Prices move in steps of ${cents(tick)}.` };
    }
    const rule = market.fees.taker;
    let quantity;
    if (unit.value === "dollars") {
      const budget = BigInt(Math.floor(Number(amount.value) * 1_000_000));
      const perContract = BigInt(priceMicros) + fee(rule, 1, priceMicros);
      quantity = Number(budget / perContract);
    } else {
      quantity = Math.floor(Number(amount.value));
    }
    if (!(quantity >= 1)) return { problem: "The amount buys no whole contract." };
    const body = { market: market.market, outcome: getOutcome(), side: side.value, action: action.value, quantity };
    if (isMarket) {
      body.type = "market";
      if (action.value === "buy") body.cost_cap_micros = unit.value === "dollars" ? Math.floor(Number(amount.value) * 1_000_000) : Number(BigInt(quantity) * (BigInt(priceMicros) + fee(rule, 1, priceMicros))) + quantity * tick * 5;
    } else {
      body.price_micros = priceMicros;
    }
    const worstFee = [market.fees.maker, market.fees.taker].map((r) => fee(r, quantity, priceMicros)).reduce((a, b) => (a > b ? a : b));
    return { body, priceMicros, quantity, fee: worstFee };
  };
  const showPreview = () => {
    const o = order();
    if (o.problem) {
      replace(preview, h("dt", {}, "Can't send"), h("dd", {}, o.problem));
      submit.disabled = true;
      return;
    }
    submit.disabled = false;
    const notional = BigInt(o.quantity) * BigInt(o.priceMicros);
    if (o.body.action === "buy") {
      const payout = BigInt(o.quantity) * DOLLAR;
      const spent = notional + o.fee;
      const gain = payout - spent;
      replace(preview,
        h("dt", {}, "Cost"), h("dd", {}, `${dollars(notional)} (${o.quantity} × ${cents(o.priceMicros)})`),
        h("dt", {}, "Fee, at most"), h("dd", {}, dollars(o.fee)),
        h("dt", {}, "Pays if it wins"), h("dd", {}, dollars(payout)),
        h("dt", {}, "Return"), h("dd", {}, `${dollars(gain)} (${spent > 0n ? ((Number(gain) / Number(spent)) * 100).toFixed(0) : "–"}%)`));
    } else {
      replace(preview,
        h("dt", {}, "Proceeds"), h("dd", {}, `${dollars(notional)} (${o.quantity} × ${cents(o.priceMicros)})`),
        h("dt", {}, "Fee, at most"), h("dd", {}, dollars(o.fee)),
        h("dt", {}, "You receive at least"), h("dd", {}, dollars(notional - o.fee)));
    }
  };
  for (const control of [side, action, type, unit, price, amount]) control.addEventListener("input", showPreview);
  type.addEventListener("input", () => { price.disabled = type.value === "market"; });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const o = order();
    if (o.problem) return;
    submit.disabled = true;
    message.textContent = "Sending…";
    try {
      const placed = await signed("POST", "/v1/portfolio/orders", { body: { ...o.body, client_order_id: `web-${crypto.randomUUID()}` } });
      const filled = placed.fills.reduce((n, f) => n + f.quantity, 0);
      message.textContent = placed.order.status === "open"
        ? `Order ${placed.order.order_id} rests in the book${filled ? ` after filling ${filled}` : ""}.`
        : filled ? `Filled ${filled} of ${placed.order.quantity}.` : `Not filled: ${placed.order.cancel_reason ?? placed.order.status}.`;
      await refresh();
    } catch (error) {
      message.textContent = refusal(error);
    } finally {
      submit.disabled = false;
    }
  });

  const refresh = async () => {
    const s = await session();
    if (!s) {
      replace(orders, h("li", { class: "muted" }, "Open a demo account (top right) to trade."));
      replace(position);
      return;
    }
    const [open, positions, fills] = await Promise.all([
      signed("GET", "/v1/portfolio/orders", { query: { status: "open", market: market.market } }),
      signed("GET", "/v1/portfolio/positions", { query: { market: market.market } }),
      signed("GET", "/v1/portfolio/fills", { query: { market: market.market, limit: 1000 } }),
    ]);
    // Rows of orders that did not change are kept as they are, so a refresh never wipes a price
    // the visitor is typing into an amend box.
    const kept = new Map([...orders.querySelectorAll("li[data-order]")].map((li) => [li.dataset.order, li]));
    const rows = open.items.map((o) => {
      const row = kept.get(String(o.order_id));
      return row && row.dataset.state === orderState(o) ? row : orderRow(o);
    });
    replace(orders, rows.length ? rows : h("li", { class: "muted" }, "No open orders here."));
    drawPosition(positions, fills.items);
  };

  const orderState = (o) => `${o.price_micros}/${o.remaining_quantity}`;
  const orderRow = (o) => {
    const newPrice = h("input", { type: "number", min: 1, max: 99, step: "any", value: o.price_micros / 10_000, "aria-label": `New price for order ${o.order_id} (¢)`, class: "small-input" });
    // "Amend order 12": a screen reader's list of buttons says which order each one acts on.
    const act = (label, run) => h("button", { type: "button", on: { click: async () => { try { await run(); await refresh(); } catch (e) { message.textContent = refusal(e); } } } },
      label, h("span", { class: "sr" }, ` order ${o.order_id}`));
    return h("li", { dataset: { order: o.order_id, state: orderState(o) } },
      h("span", {}, `${o.action} ${o.side.toUpperCase()} ${o.remaining_quantity} @ ${cents(o.price_micros)}`),
      newPrice,
      act("Amend", () => signed("PATCH", `/v1/portfolio/orders/${o.order_id}`, { body: { price_micros: Math.round(Number(newPrice.value) * 10_000) } })),
      act("Cancel", () => signed("DELETE", `/v1/portfolio/orders/${o.order_id}`)));
  };

  const drawPosition = (positions, fills) => {
    const outcome = getOutcome();
    const row = positions.find((p) => p.outcome === outcome) ?? { yes: 0, no: 0, yes_reserved: 0, no_reserved: 0 };
    const yes = row.yes + row.yes_reserved;
    const no = row.no + row.no_reserved;
    const [bid, ask] = best(outcome);
    const mid = bid != null && ask != null ? (bid + ask) / 2 : bid ?? ask;
    let cost = 0;
    for (const f of fills.filter((f) => f.outcome === outcome)) cost += (f.action === "buy" ? 1 : -1) * f.notional_micros + f.fee_micros;
    const value = mid == null ? null : yes * mid + no * (1_000_000 - mid);
    replace(position,
      h("dl", { class: "facts" },
        h("dt", {}, outcomeLabel(market, outcome)), h("dd", {}, `${yes} YES · ${no} NO`),
        h("dt", {}, "Value at the mid"), h("dd", {}, value == null ? "no mid" : `${dollars(Math.round(value))} (mid ${percent(Math.round(mid))})`),
        h("dt", {}, "Net cost (fees in)"), h("dd", {}, dollars(cost)),
        h("dt", {}, "Profit and loss"), h("dd", { class: "pnl" }, value == null ? "–" : dollars(Math.round(value - cost)))));
  };

  showPreview();
  const element = h("div", { class: "trade" }, form,
    h("h3", {}, "Your open orders here"), orders,
    h("h3", {}, "Your position"), position);
  return { element, refresh, showPreview };
}
