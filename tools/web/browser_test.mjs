// The web app in a real browser: Debian's Chromium, driven by Playwright (playwright-core from the
// npm registry; its own browser download is never used). Run by crates/cli/tests/web_browser.rs
// against `augury serve --demo` on a loopback port:
//
//   node tools/web/browser_test.mjs http://127.0.0.1:PORT SCREENSHOT_DIR
//
// A visitor finds a market by search, opens it and watches the book, the trades and the chart
// update live (with the model's probability beside the price on a crypto listing);
// the pages are also seen on a 390-pixel phone and in dark mode. Every page is checked with
// axe-core (no serious or critical violation), any console error or uncaught exception fails the
// run, and a screenshot of each step is saved. The last line printed is a JSON summary.

import { chromium } from "playwright-core";
import { existsSync, readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error("usage: node browser_test.mjs BASE_URL SCREENSHOT_DIR");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const problems = [];
const summary = { steps: [] };
const fail = (what) => {
  problems.push(what);
  console.error(`FAIL: ${what}`);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// Chromium logs every 4xx answer to a fetch as a console error. A step that makes the venue
// refuse something on purpose says how many refusals it expects; those are counted, not failed.
let refusalsExpected = 0;
summary.expected_refusals = 0;
const expectRefusals = (n) => { refusalsExpected += n; };

/** A page that reports every console error and uncaught exception as a failure (but for the
 * refusals a step expects). */
async function open(context, name) {
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    if (refusalsExpected > 0 && /the server responded with a status of 4\d\d/.test(message.text())) {
      refusalsExpected -= 1;
      summary.expected_refusals += 1;
      return;
    }
    fail(`${name}: console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => fail(`${name}: uncaught: ${error.message}`));
  return page;
}

/** axe-core on the page as it is now; serious and critical violations fail. Run through the
 * DevTools protocol (page.evaluate), which the page's Content-Security-Policy does not govern. */
async function accessible(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await globalThis.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of result.violations.filter((v) => !bad.includes(v))) console.error(`note: ${name}: axe ${v.impact} ${v.id}: ${v.help}`);
  for (const v of bad) fail(`${name}: axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")})`);
  return { violations: result.violations.length, serious_or_critical: bad.length };
}

async function step(page, name, check) {
  const started = Date.now();
  try {
    await check();
  } catch (error) {
    fail(`${name}: ${error.message.split("\n")[0]}`);
  }
  await page.screenshot({ path: `${shots}/${summary.steps.length + 1}-${name}.png`, fullPage: true });
  const axe = await accessible(page, name);
  summary.steps.push({ name, ms: Date.now() - started, axe });
}

const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await open(context, "desktop");

await step(page, "markets", async () => {
  await page.goto(`${base}/`);
  await page.getByRole("heading", { name: "Markets", level: 1 }).waitFor();
  await page.locator(".card").first().waitFor();
  const headers = (await page.request.get(`${base}/`)).headers();
  if (!headers["content-security-policy"]?.includes("script-src 'self'")) fail("no Content-Security-Policy on /");
  summary.cards = await page.locator(".card").count();
});

await step(page, "search", async () => {
  await page.getByLabel("Search").fill("bitcoin");
  await page.waitForURL(/q=bitcoin/);
  await page.waitForFunction(() => {
    const titles = [...document.querySelectorAll(".card h2")].map((h) => h.textContent.toLowerCase());
    return titles.length > 0 && titles.every((t) => t.includes("bitcoin"));
  }, null, { timeout: 15_000 });
  summary.search_results = await page.locator(".card").count();
});

await step(page, "keyboard", async () => {
  // Typed key by key with a pause: each pause redraws the results, and the search box keeps the
  // focus and every letter. The skip link moves focus to the content without leaving the page,
  // and a card opens from the keyboard with focus on the market's heading.
  await page.goto(`${base}/`);
  await page.locator(".card").first().waitFor();
  await page.keyboard.press("Tab");
  const search = page.getByLabel("Search");
  if (!(await search.evaluate((e) => e === document.activeElement))) fail("Tab from the heading does not reach the search box");
  await page.keyboard.type("bit");
  await page.waitForURL(/q=bit/);
  await page.waitForTimeout(300);
  await page.keyboard.type("coin");
  await page.waitForURL(/q=bitcoin/);
  const typed = await page.evaluate(() => [document.activeElement?.id, document.getElementById("search").value]);
  if (typed[0] !== "search" || typed[1] !== "bitcoin") fail(`after typing with a pause the focus is on ${typed[0]} and the box reads ${typed[1]}`);
  await page.locator(".skip").focus();
  await page.keyboard.press("Enter");
  const skipped = await page.evaluate(() => [location.hash, document.activeElement?.id]);
  if (!skipped[0].includes("q=bitcoin") || skipped[1] !== "view") fail(`the skip link led to ${skipped[0]} with focus on ${skipped[1]}`);
  await page.locator(".card h2 a[href^='#/market/']").first().focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(/#\/market\//);
  // Focus moves once the page is drawn (its book, trades and ticket loaded).
  const onHeading = await page.waitForFunction(() => document.activeElement?.tagName === "H1", null, { timeout: 15_000 }).then(() => true, () => false);
  if (!onHeading) fail(`a market opened from the keyboard puts focus on ${await page.evaluate(() => document.activeElement?.tagName)}, not its heading`);
});

await step(page, "market", async () => {
  await page.goto(`${base}/#/?q=bitcoin`);
  await page.locator(".card").first().waitFor();
  // A daily Bitcoin listing (they are grouped by their day's event): the replay's market maker
  // requotes it every replayed hour. The replay lists them shortly after the venue starts.
  await page.getByLabel("Sort by").selectOption("volume_24h");
  await page.waitForURL(/sort=volume_24h/);
  const listing = page.locator(".card.event a[href^='#/market/']").first();
  for (let tries = 0; (await listing.count()) === 0; tries++) {
    if (tries === 30) throw new Error("no daily Bitcoin listing appeared");
    await page.waitForTimeout(1_000);
    await page.reload();
    await page.locator(".card").first().waitFor();
  }
  await listing.click();
  await page.getByRole("heading", { level: 1 }).waitFor();
  await page.locator(".chart").waitFor();
  await page.locator(".pill[role=status]", { hasText: "live" }).waitFor({ timeout: 15_000 });
  summary.market_title = await page.getByRole("heading", { level: 1 }).textContent();
  // A crypto listing: the model's probability beside the price, as a dashed second line on the
  // chart and in words, with how it moved since listing.
  await page.locator(".chart path.model-line").waitFor({ timeout: 15_000 });
  await page.getByText("Model's probability").waitFor();
  summary.model = (await page.locator("p.model").textContent()).trim();
  if (!/^Model: \d+\.\d%/.test(summary.model)) fail(`the model's probability reads: ${summary.model}`);
});

await step(page, "live-updates", async () => {
  // The replay moves the venue an hour at a time: within a few of them the book or the trades
  // change on the page without a reload.
  const snapshot = () => page.evaluate(() => document.querySelector(".book").textContent + "|" + document.querySelector(".trades").textContent);
  const before = await snapshot();
  await page.waitForFunction((old) => document.querySelector(".book").textContent + "|" + document.querySelector(".trades").textContent !== old, before, { timeout: 30_000 });
  summary.live_update = true;
});

await step(page, "demo-account", async () => {
  // Trading happens on the demo's Bitcoin market, which has no close time and a book kept by the
  // simulated traders (the daily listings close every few seconds of this fast replay).
  await page.goto(`${base}/#/market/1`);
  await page.locator(".chart").waitFor();
  await page.getByRole("button", { name: "Open a demo account" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor({ timeout: 15_000 });
  await page.getByText("No open orders here.").waitFor({ timeout: 15_000 });
  summary.account = (await page.locator("#account").textContent()).trim();
});

const ticket = page.getByRole("form", { name: "Order ticket" });
const myOrders = page.getByRole("list", { name: "Your open orders here" });

await step(page, "limit-order-rests", async () => {
  // A bid at 1 cent rests below everything.
  await ticket.getByLabel("Side").selectOption("yes");
  await ticket.getByLabel("Action").selectOption("buy");
  await ticket.getByLabel("Type").selectOption("limit");
  await ticket.getByLabel("Limit price (¢)").fill("1");
  await ticket.getByLabel("Amount").fill("3");
  await ticket.getByText("Pays if it wins").waitFor();
  const preview = await ticket.locator(".preview").textContent();
  if (!preview.includes("$0.03") || !preview.includes("$3.00")) fail(`the preview of 3 at 1¢ reads: ${preview}`);
  await ticket.getByRole("button", { name: "Place order" }).click();
  await ticket.getByText(/rests in the book/).waitFor({ timeout: 15_000 });
  await myOrders.getByText("buy YES 3 @ 1¢").waitFor({ timeout: 15_000 });
});

await step(page, "amend-and-cancel", async () => {
  const row = myOrders.locator("li").first();
  await row.getByRole("spinbutton").fill("2");
  await row.getByRole("button", { name: "Amend" }).click();
  await myOrders.getByText("buy YES 3 @ 2¢").waitFor({ timeout: 15_000 });
  await myOrders.locator("li").first().getByRole("button", { name: "Cancel" }).click();
  await myOrders.getByText("No open orders here.").waitFor({ timeout: 15_000 });
});

await step(page, "market-buy-fills", async () => {
  // The simulated traders keep asks in the book: a market buy of 2 YES fills.
  await page.waitForFunction(() => document.querySelectorAll(".levels tr.ask").length > 0, null, { timeout: 30_000 });
  const chartLine = () => page.evaluate(() => document.querySelector(".chart path.line")?.getAttribute("d") ?? "");
  const lineBefore = await chartLine();
  await ticket.getByLabel("Type").selectOption("market");
  await ticket.getByLabel("Amount").fill("2");
  await ticket.getByRole("button", { name: "Place order" }).click();
  await ticket.getByText(/Filled \d+ of 2/).waitFor({ timeout: 15_000 });
  // The fill arrives on the trades stream and extends the probability chart without a reload.
  await page.waitForFunction((old) => (document.querySelector(".chart path.line")?.getAttribute("d") ?? "") !== old, lineBefore, { timeout: 15_000 });
  await page.waitForFunction(() => /[1-9]\d* YES/.test(document.querySelector(".position")?.textContent ?? ""), null, { timeout: 15_000 });
  summary.position = (await page.locator(".position").textContent()).trim();
  if (!/Profit and loss/.test(summary.position)) fail(`no profit and loss shown: ${summary.position}`);
});

await step(page, "refusal-in-words", async () => {
  // 5,000 contracts at 99¢ cost far more than the $1,000 of play money: the venue refuses, the
  // ticket says why in words and what to do, and nothing rests.
  await ticket.getByLabel("Type").selectOption("limit");
  await ticket.getByLabel("Limit price (¢)").fill("99");
  await ticket.getByLabel("Amount").fill("5000");
  expectRefusals(1);
  await ticket.getByRole("button", { name: "Place order" }).click();
  await ticket.getByText(/not enough cash available/).waitFor({ timeout: 15_000 });
  await myOrders.getByText("No open orders here.").waitFor({ timeout: 15_000 });
  if (refusalsExpected !== 0) fail(`the refusal did not reach the browser as an HTTP answer (${refusalsExpected} expected left)`);
});

// Further journeys, one module each in steps/ (portfolio, audit, intel, console), run in this
// order on the signed-in page: each exports `run({ base, browser, page, step, fail, summary })`.
for (const name of ["portfolio", "audit", "intel", "console"]) {
  const file = new URL(`./steps/${name}.mjs`, import.meta.url);
  if (existsSync(file)) await (await import(file.href)).run({ base, browser, page, step, fail, summary, open, expectRefusals });
}

await step(page, "revoked-key-ends-session", async () => {
  // The visitor's key is revoked (here by the visitor itself, through the API, as the console
  // would) while the portfolio is open: the session's logged-in WebSocket is closed with 4001 and
  // the page signs out at once, with no click, no reload and no further request.
  await page.goto(`${base}/#/portfolio`);
  await page.getByRole("heading", { name: "Portfolio", level: 1 }).waitFor({ timeout: 15_000 });
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  await page.waitForTimeout(500); // the session socket's login goes out just after it opens
  await page.evaluate(async () => {
    const { session, signed } = await import("/assets/auth.js");
    const s = await session();
    await signed("DELETE", `/v1/keys/${s.keyId}`);
  });
  await page.getByRole("button", { name: "Open a demo account" }).waitFor({ timeout: 5_000 });
});

const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: "dark" });
const small = await open(phone, "phone");
await step(small, "phone-dark-markets", async () => {
  await small.goto(`${base}/`);
  await small.locator(".card").first().waitFor();
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 1) fail(`phone: the page is ${overflow}px wider than the screen`);
});
await step(small, "phone-dark-market", async () => {
  await small.locator(".card a[href^='#/market/']").first().click();
  await small.locator(".chart").waitFor();
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 1) fail(`phone: the market page is ${overflow}px wider than the screen`);
});

await browser.close();
summary.problems = problems;
console.log(JSON.stringify(summary));
process.exit(problems.length ? 1 : 0);
