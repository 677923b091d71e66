// The portfolio (#/portfolio) on the signed-in page, after the core steps: the account spent
// money on a market buy of 2 YES in market 1 (and placed and cancelled a limit order). Its cash,
// the position with a value and a profit and loss, the fill, and the fills exported as CSV.

import { readFileSync } from "node:fs";

/** Dollars shown as "$1,234.56" → micro-dollars. */
const micros = (text) => Math.round(Number(text.replace(/[^0-9.\-]/g, "")) * 1_000_000);

export async function run({ base, page, step, fail, summary }) {
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
    const text = readFileSync(await file.path(), "utf8");
    const [header, ...lines] = text.trim().split(/\r?\n/);
    if (!header.startsWith("trade_id,order_id,time_ms,time_utc,market,title")) fail(`portfolio: the CSV header reads ${header}`);
    const buy = lines.find((l) => /,1,"?Will Bitcoin close 2026/.test(l) && l.includes(",yes,buy,"));
    if (!buy) fail(`portfolio: the CSV has no market buy of YES in market 1: ${text.slice(0, 400)}`);
    summary.portfolio_csv = { name, lines: lines.length };
    await page.getByRole("status").filter({ hasText: "Downloaded fills" }).waitFor({ timeout: 5_000 });
  });
}
