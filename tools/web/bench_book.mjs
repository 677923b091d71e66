// A benchmark of the market page's live book (not a test: it reports figures): how many book
// updates per second the page takes in and draws before it falls behind. A load generator in this
// process opens a demo account (WebCrypto Ed25519, as the page does), then places and cancels
// orders in one market at rising rates; the page, open on that market, counts the book messages
// its WebSocket receives, the times it redraws the book, and the main thread's longest stall.
//
//   node tools/web/bench_book.mjs http://127.0.0.1:PORT [MARKET_ID]
//
// The page draws the book at most once a frame, from the latest state, whatever number of updates
// arrived since the last one; it "falls behind" when its main thread stalls for more than 100 ms
// (a frame that late is a book more than 100 ms old): the figure reported is the highest received
// rate at which that did not happen. `drawn_per_s` is how often the book was redrawn.

import { chromium } from "playwright-core";

const [base, market = "1"] = process.argv.slice(2);
if (!base) {
  console.error("usage: node bench_book.mjs BASE_URL [MARKET_ID]");
  process.exit(2);
}
const hex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

// The load generator's own account and key.
const keyPair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
const opened = await (await fetch(`${base}/v1/demo/accounts`, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ ed25519_public_key: hex(await crypto.subtle.exportKey("raw", keyPair.publicKey)), label: "bench" }),
})).json();
if (!opened.key_id) throw new Error(`no demo account: ${JSON.stringify(opened)}`);

async function signed(method, path, body) {
  const text = body === undefined ? "" : JSON.stringify(body);
  const timestamp = String(Date.now());
  const nonce = hex(crypto.getRandomValues(new Uint8Array(16)));
  const digest = hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  const message = ["augury-v1", opened.key_id, timestamp, nonce, method, path, "", digest].join("\n");
  const signature = Buffer.from(await crypto.subtle.sign({ name: "Ed25519" }, keyPair.privateKey, new TextEncoder().encode(message))).toString("base64");
  const headers = { "Augury-Key": opened.key_id, "Augury-Timestamp": timestamp, "Augury-Nonce": nonce, "Augury-Signature": signature };
  if (text) headers["Content-Type"] = "application/json";
  const response = await fetch(`${base}${path}`, { method, headers, body: text || undefined });
  return response.json();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
// Counters installed before the app's scripts run (through the DevTools protocol, which the
// page's Content-Security-Policy does not govern).
await page.addInitScript(() => {
  const counters = (globalThis.__bench = { received: 0, drawn: 0, longest_stall_ms: 0 });
  const Original = WebSocket;
  globalThis.WebSocket = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (event.data.includes('"channel":"book"') && event.data.includes('"delta"')) counters.received += 1;
      });
    }
  };
  let last = performance.now();
  const frame = (now) => {
    counters.longest_stall_ms = Math.max(counters.longest_stall_ms, now - last);
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new MutationObserver(() => {}).observe(document, { childList: true });
  document.addEventListener("DOMContentLoaded", () => {
    const watch = () => {
      const book = document.querySelector(".book");
      if (!book) return setTimeout(watch, 50);
      new MutationObserver(() => { counters.drawn += 1; }).observe(book, { childList: true });
    };
    watch();
  });
});
await page.goto(`${base}/#/market/${market}`);
await page.locator(".pill[role=status]", { hasText: "live" }).waitFor({ timeout: 30_000 });

const read = () => page.evaluate(() => ({ ...globalThis.__bench }));
const reset = () => page.evaluate(() => Object.assign(globalThis.__bench, { received: 0, drawn: 0, longest_stall_ms: 0 }));
const steps = [];
let sustained = 0;
for (const rate of [10, 25, 50, 100, 200, 400]) {
  await reset();
  const seconds = 4;
  const started = Date.now();
  let sent = 0;
  let inFlight = 0;
  let refused = 0;
  const pending = [];
  // At most 16 requests in flight (the venue caps connections per address); a rate the generator
  // cannot offer shows as fewer updates received, not as errors.
  while (Date.now() - started < seconds * 1000) {
    const due = Math.floor(((Date.now() - started) / 1000) * rate);
    while (sent < due && inFlight < 16) {
      const price = 10_000 * (1 + (sent % 20));
      inFlight += 1;
      pending.push(signed("POST", "/v1/portfolio/orders", { market: Number(market), side: "yes", action: "buy", price_micros: price, quantity: 1 })
        .then((placed) => placed.order && signed("DELETE", `/v1/portfolio/orders/${placed.order.order_id}`))
        .catch(() => { refused += 1; })
        .finally(() => { inFlight -= 1; }));
      sent += 2; // a placement and its cancel
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.allSettled(pending);
  await page.waitForTimeout(500);
  const c = await read();
  const elapsed = (Date.now() - started) / 1000;
  const step = { offered_changes_per_s: rate, requests_failed: refused, received_per_s: Math.round(c.received / elapsed), drawn_per_s: Math.round(c.drawn / elapsed), longest_stall_ms: Math.round(c.longest_stall_ms) };
  step.kept_up = c.longest_stall_ms <= 100;
  steps.push(step);
  if (step.kept_up) sustained = step.received_per_s;
  else break;
}
await browser.close();
console.log(JSON.stringify({ market: Number(market), steps, sustained_book_updates_per_s: sustained }));
