// A benchmark of the web app's first loads (not a test: it reports figures, it asserts nothing):
// bytes transferred and the time to the first contentful paint and to the content, for the
// markets page and a market's page, on a fresh browser profile (nothing cached), over loopback.
//
//   node tools/web/bench_web.mjs http://127.0.0.1:PORT [MARKET_ID] [RUNS]
//
// Prints one JSON object: per page, the median and range over RUNS (default 5) of the bytes on
// the wire (response headers and bodies, as Chromium counts them), the requests, the first
// contentful paint and the time until the page's own content is drawn.

import { chromium } from "playwright-core";

const [base, market = "1", runsText = "5"] = process.argv.slice(2);
if (!base) {
  console.error("usage: node bench_web.mjs BASE_URL [MARKET_ID] [RUNS]");
  process.exit(2);
}
const runs = Number(runsText);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function load(path, ready) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  let requests = 0;
  cdp.on("Network.loadingFinished", (event) => {
    bytes += event.encodedDataLength;
    requests += 1;
  });
  const started = Date.now();
  await page.goto(`${base}${path}`);
  await page.locator(ready).first().waitFor({ timeout: 30_000 });
  const content_ms = Date.now() - started;
  // Let the page's follow-up requests (sparklines, candles) finish before counting bytes.
  await page.waitForLoadState("networkidle").catch(() => {});
  const fcp = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null);
  await context.close();
  return { bytes, requests, fcp_ms: fcp === null ? null : Math.round(fcp), content_ms };
}

function summarise(samples) {
  const out = {};
  for (const key of Object.keys(samples[0])) {
    const values = samples.map((s) => s[key]).filter((v) => v !== null).sort((a, b) => a - b);
    out[key] = { median: values[Math.floor(values.length / 2)], min: values[0], max: values[values.length - 1] };
  }
  return out;
}

const result = { runs, pages: {} };
for (const [name, path, ready] of [
  ["markets", "/", ".card"],
  ["market", `/#/market/${market}`, ".chart path.line, .chart text"],
]) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await load(path, ready));
  result.pages[name] = summarise(samples);
}
await browser.close();
console.log(JSON.stringify(result));
