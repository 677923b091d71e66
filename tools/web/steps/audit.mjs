// Audit: the visitor checks one of its fills' inclusion proof in the browser (after the core
// steps it has a market buy in market 1), and the latest checkpoint's signature.

export async function run({ base, page, step, fail, summary }) {
  await step(page, "audit-proof", async () => {
    await page.goto(`${base}/#/audit`);
    await page.getByText("valid: checked in this browser").waitFor({ timeout: 15_000 });
    const check = page.getByRole("button", { name: /^Check trade/ }).first();
    await check.waitFor({ timeout: 15_000 });
    // A fill is covered by the next checkpoint, signed within a second of a later commit.
    for (let tries = 0; tries < 10; tries++) {
      await check.click();
      const result = page.locator(".proof").first();
      await result.getByText(/Proved|does not check out|Could not check|Not in a signed checkpoint/).waitFor({ timeout: 15_000 });
      const text = await result.textContent();
      if (text.includes("Proved")) {
        summary.audit = text.slice(0, 200);
        return;
      }
      if (!text.includes("Not in a signed checkpoint")) {
        fail(`the proof did not check out: ${text}`);
        return;
      }
      await page.waitForTimeout(1_500);
    }
    fail("no checkpoint covered the fill after 15 s");
  });
}
