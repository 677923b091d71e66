// The Intelligence view (#/intel): BTC's price chart with an indicator toggled on, the grades and
// the signal with numbers, the threshold probability following the strike, and the validation
// pictures (the first computation of a day may take a while); then the same page on a phone in
// dark mode, which must not be wider than the screen.

export async function run({ base, browser, page, step, fail, summary, open }) {
  await step(page, "intel", async () => {
    await page.goto(`${base}/#/intel`);
    await page.getByRole("heading", { name: "Intelligence", level: 1 }).waitFor();
    const picker = page.locator("#intel-asset");
    await picker.locator("option").first().waitFor({ state: "attached" });
    if ((await page.getByLabel("Asset", { exact: true }).getAttribute("id")) !== "intel-asset") fail("intel: the asset picker has no label");
    const options = await picker.locator("option").allTextContents();
    const btc = options.find((o) => /^BTC/.test(o));
    if (!btc) return fail(`intel: no BTC asset among ${options.join(", ")}`);
    await picker.selectOption(btc);

    // The price chart, then RSI toggled on: a panel of its own.
    const price = page.locator(".intel-price");
    await price.locator("svg[role=img]").first().waitFor();
    await price.getByLabel("RSI 14").check();
    await price.locator("svg[aria-label^='RSI 14']").waitFor({ timeout: 15_000 });
    const label = await price.locator("svg[role=img]").first().getAttribute("aria-label");
    if (!/closing price/.test(label ?? "")) fail(`intel: the price chart says ${label}`);
    const lines = await price.locator("svg path.series").count();
    if (lines < 2) fail(`intel: ${lines} lines on the price chart (price and SMA 20 expected)`);
    summary.intel_price_chart = label;
    await price.getByRole("button", { name: "Candles" }).click();
    await price.locator("svg rect.candle").first().waitFor();
    summary.intel_candles = await price.locator("svg rect.candle").count();
    await price.getByRole("button", { name: "Line" }).click();

    // Grades and signal: numbers in words.
    const grades = page.locator(".intel-grade-words");
    await grades.getByText(/Trader Grade of .* is \d+/).waitFor({ timeout: 15_000 });
    summary.intel_grades = (await grades.textContent()).trim();
    await page.locator(".intel-strategy").filter({ hasText: /[+−±]\d/ }).waitFor({ timeout: 15_000 });
    summary.intel_signal = (await page.locator(".intel-signal-words").textContent()).trim();
    summary.intel_strategy = `${await page.locator(".intel-strategy").textContent()} vs hold ${await page.locator(".intel-hold").textContent()}`;

    // The threshold probability, then again for a strike 10% higher: it must change.
    const result = page.locator(".intel-probability");
    await result.getByText(/^P\(.* = [\d.]+%$/).waitFor({ timeout: 15_000 });
    const before = (await result.textContent()).trim();
    const strike = page.getByLabel("Strike (USD)");
    const higher = Math.round(Number(await strike.inputValue()) * 1.1);
    await strike.fill(String(higher));
    await result.getByText(new RegExp(`\\$${higher.toLocaleString("en-US")} in`)).waitFor({ timeout: 15_000 });
    const after = (await result.textContent()).trim();
    if (after === before) fail(`intel: the probability did not change with the strike (${before})`);
    summary.intel_threshold = [before, after];

    // The validation pictures: the first computation may take a while.
    const validation = page.locator(".intel-validation");
    await validation.locator("svg[aria-label^='Reliability diagram']").waitFor({ timeout: 60_000 });
    await validation.locator("svg[aria-label^='Brier skill']").waitFor();
    summary.intel_validation = (await validation.locator(".intel-skill").textContent()).trim();
  });

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: "dark" });
  const small = await open(phone, "phone-intel");
  await step(small, "phone-dark-intel", async () => {
    await small.goto(`${base}/#/intel`);
    await small.locator(".intel-price svg[role=img]").first().waitFor();
    await small.locator(".intel-validation svg[aria-label^='Reliability diagram']").waitFor({ timeout: 60_000 });
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 1) fail(`phone: the intelligence page is ${overflow}px wider than the screen`);
  });
  await phone.close();
}
