// The portfolio (#/portfolio) on the signed-in page, after the core steps: the account spent
// money on a market buy of 2 YES in market 1 (and placed and cancelled a limit order). Its cash,
// the position with a value and a profit and loss, the fill, and the fills exported as CSV.

import { readFileSync } from "node:fs";

/** Dollars shown as "$1,234.56" → micro-dollars. */
const micros = (text) => Math.round(Number(text.replace(/[^0-9.\-]/g, "")) * 1_000_000);

export async function run({ base, browser, page, step, fail, summary, open }) {
  await step(page, "portfolio", async () => {
    await page.goto(`${base}/#/portfolio`);
    await page.getByRole("heading", { name: "Portfolio", level: 1 }).waitFor();
    const cash = page.locator(".pf-cash");
    await cash.waitFor({ timeout: 15_000 });
    for (const label of ["Available", "Reserved by resting buys", "Posted bonds", "Market-maker funding", "Total cash"]) {
      if (!(await cash.getByText(label, { exact: true }).count())) fail(`portfolio: no "${label}" in the cash panel`);
    }
    const available = micros(await cash.locator(".pf-available").textContent());
    summary.portfolio_available = available / 1_000_000;
    if (!(available > 0 && available < 1_000_000_000)) fail(`portfolio: available cash is ${available} micro-dollars, not below $1,000 after buying`);

    const row = page.locator("tr[data-market='1'][data-outcome='0']");
    await row.waitFor({ timeout: 15_000 });
    const held = (await row.locator(".pf-held").textContent()).trim();
    if (!/^2 YES/.test(held)) fail(`portfolio: market 1 holds "${held}", not 2 YES`);
    const value = (await row.locator(".pf-value").textContent()).trim();
    const pnl = (await row.locator(".pf-pnl").textContent()).trim();
    if (!/\$\d/.test(value)) fail(`portfolio: market 1's value reads "${value}"`);
    if (!/\$\d/.test(pnl)) fail(`portfolio: market 1's profit and loss reads "${pnl}"`);
    if (!(await row.getByRole("link", { name: /Bitcoin/ }).count())) fail("portfolio: the position does not link to its market");
    summary.portfolio_position = { held, value, pnl };

    const fills = page.getByRole("table", { name: /Your fills/ });
    const buy = fills.locator("tbody tr").filter({ hasText: "Bought YES" }).filter({ hasText: "Bitcoin" });
    await buy.first().waitFor({ timeout: 15_000 });
    summary.portfolio_fill_rows = await fills.locator("tbody tr").count();
  });

  await step(page, "portfolio-csv", async () => {
    const [file] = await Promise.all([
      page.waitForEvent("download", { timeout: 15_000 }),
      page.getByRole("button", { name: "Export fills (CSV)" }).click(),
    ]);
    const name = file.suggestedFilename();
    if (!/\.csv$/.test(name)) fail(`portfolio: the fills export is named ${name}`);
    const text = readFileSync(await file.path(), "utf8").replace(/^\uFEFF/, "");
    const [header, ...lines] = text.trim().split(/\r?\n/);
    if (!header.startsWith("trade_id,order_id,time_ms,time_utc,market,title")) fail(`portfolio: the CSV header reads ${header}`);
    const buy = lines.find((l) => /,1,"?Will Bitcoin close 2026/.test(l) && l.includes(",yes,buy,"));
    if (!buy) fail(`portfolio: the CSV has no market buy of YES in market 1: ${text.slice(0, 400)}`);
    summary.portfolio_csv = { name, lines: lines.length };
    await page.getByRole("status").filter({ hasText: "Downloaded fills" }).waitFor({ timeout: 5_000 });
  });

  // A second visitor on a phone in dark mode: signed out first, then a play-money account buys
  // 1 YES in one of the replay's daily Bitcoin listings, waits for it to settle and redeems it.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: "dark" });
  const small = await open(phone, "portfolio-phone");
  const overflow = async (what) => {
    const extra = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (extra > 1) fail(`portfolio (phone): ${what} is ${extra}px wider than the screen`);
  };
  await step(small, "portfolio-phone-signed-out", async () => {
    await small.goto(`${base}/#/portfolio`);
    await small.getByRole("heading", { name: "You are not signed in" }).waitFor();
    await small.getByText("Open a demo account", { exact: true }).first().waitFor();
    await overflow("the signed-out portfolio");
  });
  await step(small, "portfolio-phone-settled", async () => {
    await small.getByRole("button", { name: "Open a demo account" }).click();
    await small.locator(".pf-cash").waitFor({ timeout: 15_000 });
    // Buy 1 YES in a daily listing the market maker quotes, signed by the page's own key.
    const bought = await small.evaluate(async () => {
      const { signed } = await import("/assets/auth.js");
      for (let tries = 0; tries < 40; tries++) {
        const list = await (await fetch("/v1/markets?status=open&sort=newest&limit=50")).json();
        const m = list.items.find((x) => x.market >= 1_000_000 && x.best?.[0]?.yes_ask_micros != null && x.best[0].yes_ask_micros <= 950_000);
        if (m) {
          const placed = await signed("POST", "/v1/portfolio/orders", { body: { market: m.market, outcome: 0, side: "yes", action: "buy", type: "market", quantity: 1, cost_cap_micros: 1_000_000 } });
          if (placed.fills.length) return m.market;
        }
        await new Promise((r) => setTimeout(r, 1_000));
      }
      return null;
    });
    if (!bought) throw new Error("could not buy into a daily listing");
    summary.portfolio_redeem_market = bought;
    // The replay settles it at the next 00:00 (a replayed day is 36 s at 1,500 ms an hour).
    for (let tries = 0; ; tries++) {
      const m = await (await small.request.get(`${base}/v1/markets/${bought}`)).json();
      if (m.status === "settled") break;
      if (tries === 90) throw new Error(`market ${bought} did not settle`);
      await small.waitForTimeout(1_000);
    }
    await small.getByRole("button", { name: "Refresh" }).click();
    const claims = small.getByRole("region", { name: "Ready to redeem" });
    await claims.waitFor({ timeout: 15_000 });
    await small.locator(`tr[data-market='${bought}'] .pf-value`, { hasText: "$" }).waitFor();
    await overflow("the portfolio");
  });
  await step(small, "portfolio-phone-redeemed", async () => {
    const bought = summary.portfolio_redeem_market;
    const claims = small.getByRole("region", { name: "Ready to redeem" });
    await claims.getByRole("button", { name: /^Redeem / }).click();
    const status = small.getByRole("status").filter({ hasText: /Redeemed 1 contract of/ });
    await status.waitFor({ timeout: 15_000 });
    summary.portfolio_redeemed = (await status.textContent()).trim();
    const paid = small.getByRole("table", { name: /Payouts from settled markets/ }).locator(`tbody tr`).filter({ has: small.locator(`a[href='#/market/${bought}']`) });
    await paid.first().waitFor({ timeout: 15_000 });
    if (await claims.count()) fail("portfolio (phone): the market is still offered for redemption after redeeming");
  });
  await step(small, "portfolio-phone-open-order", async () => {
    // A bid at 1 cent rests in market 1; the portfolio lists it and cancels it.
    const order = await small.evaluate(async () => {
      const { signed } = await import("/assets/auth.js");
      const placed = await signed("POST", "/v1/portfolio/orders", { body: { market: 1, outcome: 0, side: "yes", action: "buy", price_micros: 10_000, quantity: 3 } });
      return placed.order.order_id;
    });
    await small.getByRole("button", { name: "Refresh" }).click();
    const orders = small.getByRole("table", { name: "Orders resting in the book" });
    const row = orders.locator(`tr[data-order='${order}']`);
    await row.waitFor({ timeout: 15_000 });
    const text = await row.textContent();
    if (!text.includes("Buy YES") || !text.includes("1¢") || !text.includes("0 / 3")) fail(`portfolio: the open order reads ${text}`);
    const reserved = await small.locator(".pf-cash dd").nth(1).textContent();
    if (reserved.trim() === "$0.00") fail("portfolio: nothing reserved by a resting buy");
    await overflow("the portfolio with an open order");
    summary.portfolio_open_order = order;
  });
  await step(small, "portfolio-phone-cancelled", async () => {
    const order = summary.portfolio_open_order;
    const orders = small.getByRole("table", { name: "Orders resting in the book" });
    const row = orders.locator(`tr[data-order='${order}']`);
    await row.getByRole("button", { name: `Cancel order ${order}` }).click();
    await small.getByRole("status").filter({ hasText: `Order ${order} cancelled` }).waitFor({ timeout: 15_000 });
    await orders.getByText("No open orders.").waitFor({ timeout: 15_000 });
  });
  await phone.close();
}
