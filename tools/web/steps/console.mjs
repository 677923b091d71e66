// The operator's console: an admin enrolls a second browser with the one-time admin code the
// venue made before it started (AUGURY_ADMIN_CODE, from `augury keys create --enroll --admin`),
// funds its own account, creates a binary market with what it asks, and bids NO in it; the
// visitor finds it by search and buys YES against that bid; the admin resolves it YES in the
// console; the visitor redeems and is paid a dollar a contract, exactly.

export async function run({ base, browser, page, step, fail, summary, open }) {
  const code = process.env.AUGURY_ADMIN_CODE;
  if (!code) {
    fail("console: AUGURY_ADMIN_CODE is not set (crates/cli/tests/web_browser.rs makes it)");
    return;
  }
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const admin = await open(context, "admin");
  const main = admin.locator("#view");
  const word = `zephyr${Date.now().toString(36)}`;
  const title = `Will the ${word} console market settle YES?`;
  let market = null;

  await step(admin, "console-enroll", async () => {
    await admin.goto(`${base}/#/console`);
    await main.getByText("admin enrollment code").waitFor({ timeout: 15_000 });
    await main.getByText("Enroll with a code").click();
    await main.getByLabel("Enrollment code").fill(code);
    await main.getByRole("button", { name: "Enroll" }).click();
    await main.getByRole("heading", { name: "Create a market" }).waitFor({ timeout: 15_000 });
    summary.console_admin = (await admin.locator("#account").textContent()).trim();
  });

  await step(admin, "console-create-market", async () => {
    const account = Number(/Account (\d+)/.exec(summary.console_admin)?.[1]);
    const deposit = main.getByRole("form", { name: "Credit a deposit" });
    await deposit.getByLabel("Account").fill(String(account));
    await deposit.getByLabel("Amount ($)").fill("100");
    await deposit.getByRole("button", { name: "Credit" }).click();
    await deposit.getByText(/Credited \$100\.00/).waitFor({ timeout: 15_000 });

    const form = main.getByRole("form", { name: "Create a market" });
    market = Number(await form.getByLabel("Market id").inputValue());
    await form.getByLabel("Title").fill(title);
    await form.getByLabel("Rules").fill("Resolves YES when the operator's console test says so.");
    await form.getByLabel("Category").selectOption("economics");
    await form.getByLabel("Tags").fill("console, test");
    await form.getByLabel("Slug").fill(`${word}-console-market`);
    await form.getByRole("button", { name: "Create market" }).click();
    await form.getByText(`Market ${market} created`).waitFor({ timeout: 15_000 });
    summary.console_market = market;

    // A refusal is shown in words (one found before sending: a refusal by the venue would log a
    // failed request in the console, which this test counts as an error).
    await form.getByLabel("Tick (¢)").fill("abc");
    await form.getByRole("button", { name: "Create market" }).click();
    await form.getByText(/Failed: The tick must be a number of cents/).waitFor({ timeout: 15_000 });
    await form.getByLabel("Tick (¢)").fill("1");
  });

  await step(admin, "console-admin-bids-no", async () => {
    await admin.goto(`${base}/#/market/${market}`);
    const ticket = admin.getByRole("form", { name: "Order ticket" });
    await ticket.waitFor({ timeout: 15_000 });
    await ticket.getByLabel("Side").selectOption("no");
    await ticket.getByLabel("Action").selectOption("buy");
    await ticket.getByLabel("Type").selectOption("limit");
    await ticket.getByLabel("Limit price (¢)").fill("40");
    await ticket.getByLabel("Amount").fill("3");
    await ticket.getByRole("button", { name: "Place order" }).click();
    await ticket.getByText(/rests in the book/).waitFor({ timeout: 15_000 });
  });

  await step(page, "console-visitor-buys-yes", async () => {
    await page.goto(`${base}/#/?q=${word}`);
    await page.locator(".card").filter({ hasText: title }).first().waitFor({ timeout: 15_000 });
    await page.locator(".card a[href^='#/market/']").filter({ hasText: title }).first().click();
    const ticket = page.getByRole("form", { name: "Order ticket" });
    await ticket.waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelectorAll(".levels tr.ask").length > 0, null, { timeout: 15_000 });
    await ticket.getByLabel("Side").selectOption("yes");
    await ticket.getByLabel("Action").selectOption("buy");
    await ticket.getByLabel("Type").selectOption("market");
    await ticket.getByLabel("Amount").fill("3");
    await ticket.getByRole("button", { name: "Place order" }).click();
    await ticket.getByText(/Filled 3 of 3/).waitFor({ timeout: 15_000 });
  });

  await step(admin, "console-resolve-yes", async () => {
    await admin.goto(`${base}/#/console`);
    const panel = main.getByRole("region", { name: "A market" });
    await panel.getByLabel("Market id").fill(String(market));
    await panel.getByLabel("Resolution").selectOption("yes");
    await panel.getByRole("button", { name: "Resolve" }).click();
    await panel.getByText(/resolved YES and settled/).waitFor({ timeout: 15_000 });
    await panel.getByRole("button", { name: "Disputes and votes" }).click();
    await panel.getByText(/Settled:/).waitFor({ timeout: 15_000 });
  });

  await step(page, "console-visitor-redeems", async () => {
    const result = await page.evaluate(async (m) => {
      const { signed } = await import("/assets/auth.js");
      const positions = await signed("GET", "/v1/portfolio/positions", { query: { market: m } });
      const before = await signed("GET", "/v1/portfolio/balance");
      const redeemed = await signed("POST", "/v1/portfolio/redeem", { body: { market: m } });
      const after = await signed("GET", "/v1/portfolio/balance");
      return { positions, before: before.available_micros, after: after.available_micros, redeemed };
    }, market);
    const rows = Array.isArray(result.positions) ? result.positions : result.positions.positions ?? [];
    const yes = rows.filter((p) => p.market === market).reduce((sum, p) => sum + (p.yes ?? 0) + (p.yes_reserved ?? 0), 0);
    summary.console_redeem = { contracts: yes, before: result.before, after: result.after };
    if (yes !== 3) fail(`console: the visitor holds ${yes} YES in market ${market}, not 3 (${JSON.stringify(result.positions)})`);
    if (result.after !== result.before + yes * 1_000_000) fail(`console: redeeming ${yes} YES took available from ${result.before} to ${result.after}, not +$${yes}`);
  });
  await step(admin, "console-issues-a-code", async () => {
    const form = main.getByRole("form", { name: "Issue an enrollment code" });
    await form.getByLabel("Label").fill("a trader");
    await form.getByRole("button", { name: "Issue code" }).click();
    const issued = (await form.locator(".enrollment-code").textContent({ timeout: 15_000 })).trim();
    if (!/^augenroll_[0-9a-f]{40}$/.test(issued)) fail(`console: the issued code reads ${issued}`);
    // A third browser enrolls with it from the header, and is a trader of a new account.
    const third = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const trader = await open(third, "trader");
    await trader.goto(`${base}/#/`);
    const header = trader.locator("#account");
    await header.getByText("Enroll with a code").click();
    await header.getByLabel("Enrollment code").fill(issued);
    await header.getByRole("button", { name: "Enroll" }).click();
    await header.getByRole("button", { name: "Sign out" }).waitFor({ timeout: 15_000 });
    summary.console_enrolled_trader = (await header.textContent()).trim();
    await third.close();
    // The console lists the new key.
    await admin.reload();
    await main.getByRole("cell", { name: "a trader" }).waitFor({ timeout: 15_000 });
  });

  await step(admin, "console-phone-dark", async () => {
    await admin.setViewportSize({ width: 390, height: 844 });
    await admin.emulateMedia({ colorScheme: "dark" });
    await main.getByRole("heading", { name: "Create a market" }).waitFor();
    const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 1) fail(`console: the page is ${overflow}px wider than a 390px phone`);
  });
  await context.close();
}
