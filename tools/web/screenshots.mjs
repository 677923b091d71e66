// The README's screenshots of the main pages, taken from a running demo venue:
//
//   node tools/web/screenshots.mjs http://127.0.0.1:PORT docs/screenshots
//
// Opens a demo account, buys 2 YES in market 1 so the portfolio and the audit have something to
// show, then shoots the markets, a market, a crypto listing with the model's line, the portfolio, the intelligence and the audit pages.

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
const shoot = async (name) => {
  await page.waitForTimeout(1_500);
  await page.screenshot({ path: `${out}/${name}.png` });
};

await page.goto(`${base}/#/market/1`);
await page.getByRole("button", { name: "Open a demo account" }).click();
await page.getByRole("button", { name: "Sign out" }).waitFor();
const ticket = page.getByRole("form", { name: "Order ticket" });
await ticket.getByLabel("Type").selectOption("market");
await ticket.getByLabel("Amount").fill("2");
await ticket.getByRole("button", { name: "Place order" }).click();
await ticket.getByText(/Filled/).waitFor();

await page.goto(`${base}/#/?sort=volume_24h`);
await page.locator(".card").first().waitFor();
await shoot("markets");
await page.goto(`${base}/#/market/1`);
await page.locator(".chart").waitFor();
await shoot("market");
// A daily Bitcoin listing, with the model's probability beside the price.
await page.goto(`${base}/#/?q=bitcoin&sort=volume_24h`);
await page.locator(".card.event a[href^='#/market/']").first().click();
await page.locator(".chart path.model-line").waitFor({ timeout: 30_000 });
await shoot("market-model");
await page.goto(`${base}/#/portfolio`);
await page.getByRole("heading", { level: 1 }).waitFor();
await shoot("portfolio");
await page.goto(`${base}/#/intel`);
await page.locator("svg").first().waitFor();
await page.waitForTimeout(4_000);
await shoot("intelligence");
await page.goto(`${base}/#/audit`);
await page.getByRole("button", { name: /^Check trade/ }).first().click();
await page.getByText(/Proved/).first().waitFor({ timeout: 20_000 }).catch(() => {});
await shoot("audit");
await browser.close();
