// The operator's console (#/console): for a session whose key has the admin scope. Create a market
// with what it asks, set its rule, close it, resolve it (or void it), read its disputes and votes,
// set the oracle, enable the market maker, credit deposits, list accounts and keys, make and revoke
// keys, and issue one-time enrollment codes. Every request is signed by the browser's own key, and
// every refusal is shown in words.

import { h, replace } from "./dom.js";
import { get } from "./api.js";
import { session, signed } from "./auth.js";
import { dollars, time } from "./format.js";
import { enrollForm } from "./app.js";

const SCOPES = ["read", "trade", "admin", "resolver"];
let uid = 0;

/** A labelled control: `field("Title", h("input", ...))`. */
function field(label, control, hint) {
  const id = control.id || `console-${++uid}`;
  control.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hint ? h("span", { class: "small muted" }, hint) : null);
}

const input = (attrs = {}) => h("input", { type: "text", autocomplete: "off", ...attrs });
const select = (options, attrs = {}) => h("select", attrs, options.map(([value, label]) => h("option", { value }, label)));

/** Dollars as typed ("12.50") to integer micro-dollars, exactly; null if not an amount. */
export function toMicros(text) {
  const m = /^\s*(\d*)(?:\.(\d{0,6}))?\s*$/.exec(String(text));
  if (!m || (m[1] === "" && (m[2] ?? "") === "")) return null;
  const micros = BigInt(m[1] || "0") * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0") || "0");
  return micros <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(micros) : null;
}

/** A refusal in words: the venue's message, with its code and status. */
function refusal(error) {
  if (error?.status) return `Refused (${error.status} ${error.code}): ${error.message}`;
  return `Failed: ${error?.message ?? error}`;
}

/** A form with a status line: `act` returns what to show (text or nodes); a throw shows the refusal. */
function actionForm(title, controls, button, act) {
  const status = h("div", { role: "status", class: "console-status" });
  const form = h("form", { class: "console-form", "aria-label": title, on: { submit: async (event) => {
    event.preventDefault();
    replace(status, "Working…");
    try {
      replace(status, await act());
    } catch (error) {
      replace(status, h("p", { class: "refused" }, refusal(error)));
    }
  } } }, h("div", { class: "filters" }, controls), h("button", { type: "submit", class: "primary" }, button), status);
  return form;
}

function scopeBoxes(name, checked) {
  return h("fieldset", { class: "scopes" }, h("legend", {}, "Scopes"),
    SCOPES.map((scope) => h("label", {}, h("input", { type: "checkbox", name, value: scope, checked: checked.includes(scope) }), ` ${scope}`)));
}
const checkedScopes = (form, name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => box.value);

function intOrNull(text, what) {
  const t = String(text).trim();
  if (t === "") return null;
  if (!/^\d+$/.test(t)) throw new Error(`${what} must be a whole number`);
  return Number(t);
}

export async function view(main) {
  const s = await session();
  const intro = h("p", { class: "lead" }, "The operator's console: markets, resolutions, the oracle, money, accounts and keys.");
  if (!s) {
    replace(main, h("h1", {}, "Console"), intro,
      h("p", {}, "Sign in with a key that has the admin scope: paste the one-time admin enrollment code an operator gave you (", h("code", {}, "augury keys create --enroll --admin"), ")."),
      enrollForm(() => location.reload(), "console"));
    return;
  }
  let keys;
  try {
    keys = await signed("GET", "/v1/keys");
  } catch (error) {
    replace(main, h("h1", {}, "Console"), h("p", { role: "alert" }, refusal(error)));
    return;
  }
  const mine = keys.find((k) => k.key_id === s.keyId);
  if (!mine?.scopes.includes("admin")) {
    replace(main, h("h1", {}, "Console"), intro,
      h("p", { role: "status" }, `This browser's key (account ${s.account}, scopes: ${(mine?.scopes ?? []).join(", ") || "unknown"}) is not an admin key. `,
        "The console needs an admin enrollment code: sign out, then enroll with it."));
    return;
  }
  const categories = await get("/v1/categories").catch(() => []);
  replace(main, h("h1", {}, "Console"), intro,
    h("p", { class: "muted small" }, `Signed in as account ${s.account} with key ${s.keyId} (${mine.scopes.join(", ")}).`),
    h("div", { class: "console" },
      createMarketPanel(categories),
      manageMarketPanel(),
      oraclePanel(),
      depositPanel(),
      keysPanel(s),
      enrollmentPanel()));
}

function createMarketPanel(categories) {
  const id = input({ inputmode: "numeric", value: String(2_000_000 + (Date.now() % 1_000_000)), required: true });
  const kind = select([["binary", "Binary (YES/NO)"], ["categorical", "Categorical"]]);
  const outcomes = input({ inputmode: "numeric", placeholder: "e.g. 3" });
  const tick = input({ inputmode: "decimal", value: "1" });
  const makerFee = input({ inputmode: "numeric", placeholder: "0" });
  const takerFee = input({ inputmode: "numeric", placeholder: "0" });
  const close = input({ type: "datetime-local" });
  const title = input({ required: true, maxlength: 200 });
  const rules = h("textarea", { rows: 3, maxlength: 5000 });
  const category = select(categories.length ? categories.map((c) => [c.id, c.title]) : [["other", "Other"]]);
  category.value = "other";
  const tags = input({ placeholder: "comma, separated" });
  const slug = input({ placeholder: "a-z 0-9 -" });
  const names = input({ placeholder: "Yes, No (or one label per outcome)" });
  const event = input({ placeholder: "event ticker (optional)" });
  return h("section", { class: "panel wide" }, h("h2", {}, "Create a market"),
    actionForm("Create a market", [
      field("Market id", id), field("Kind", kind), field("Outcomes (categorical)", outcomes),
      field("Tick (¢)", tick), field("Maker fee (ppm, quadratic)", makerFee), field("Taker fee (ppm, quadratic)", takerFee),
      field("Close time (your time zone)", close), field("Title", title), h("div", { class: "field grow" }, field("Rules", rules)),
      field("Category", category), field("Tags", tags), field("Slug", slug), field("Outcome names", names), field("Event", event),
    ], "Create market", async () => {
      const market = intOrNull(id.value, "The market id");
      const tickMicros = (toMicros(tick.value) ?? 0) / 100;
      if (!tickMicros || !Number.isInteger(tickMicros)) throw new Error("The tick must be a number of cents, such as 1");
      const fee = (text) => { const ppm = intOrNull(text, "A fee"); return ppm ? { quadratic: { rate_ppm: ppm, rounding_micros: 10_000 } } : "zero"; };
      const body = { market, tick_micros: tickMicros, title: title.value };
      if (kind.value === "binary") body.kind = "binary";
      else body.kind = { categorical: { outcomes: intOrNull(outcomes.value, "Outcomes") ?? 0 } };
      if (makerFee.value.trim() || takerFee.value.trim()) body.fees = { maker: fee(makerFee.value), taker: fee(takerFee.value) };
      if (close.value) body.close_time_ms = new Date(close.value).getTime();
      if (rules.value.trim()) body.rules_primary = rules.value;
      body.category = category.value;
      const tagList = tags.value.split(",").map((t) => t.trim()).filter(Boolean);
      if (tagList.length) body.tags = tagList;
      if (slug.value.trim()) body.slug = slug.value.trim();
      const labels = names.value.split(",").map((t) => t.trim()).filter(Boolean);
      if (labels.length) body.outcome_names = kind.value === "binary" ? { binary: { yes: labels[0], no: labels[1] ?? "No" } } : { categorical: { labels } };
      if (event.value.trim()) body.event = event.value.trim();
      const created = await signed("POST", "/v1/markets", { body });
      id.value = String(2_000_000 + (Date.now() % 1_000_000));
      return h("p", {}, `Market ${created.market} created: `, h("a", { href: `#/market/${created.market}` }, created.title));
    }));
}

function manageMarketPanel() {
  const market = input({ inputmode: "numeric", required: true });
  const outcome = select([["yes", "YES"], ["no", "NO"], ["invalid", "Void (invalid: every outcome pays alike)"], ["outcome", "Categorical outcome…"]]);
  const outcomeIndex = input({ inputmode: "numeric", placeholder: "0" });
  const result = h("div", { role: "status", class: "console-status" });
  const id = () => {
    const m = intOrNull(market.value, "The market id");
    if (m === null) throw new Error("Give the market id first");
    return m;
  };
  const run = (act) => async () => {
    replace(result, "Working…");
    try { replace(result, await act()); } catch (error) { replace(result, h("p", { class: "refused" }, refusal(error))); }
  };
  const close = run(async () => {
    const answer = await signed("POST", `/v1/markets/${id()}/close`);
    return h("p", {}, `Market ${id()} is ${answer.status ?? answer.market?.status ?? "closed"}.`);
  });
  const resolve = run(async () => {
    const resolution = outcome.value === "outcome" ? { outcome: { outcome: intOrNull(outcomeIndex.value, "The outcome") ?? 0 } } : outcome.value;
    await signed("POST", `/v1/markets/${id()}/resolve`, { body: { resolution } });
    return h("p", {}, `Market ${id()} resolved ${outcome.value === "invalid" ? "void (invalid)" : outcome.value === "outcome" ? `to outcome ${outcomeIndex.value || 0}` : outcome.value.toUpperCase()} and settled: holders can redeem.`);
  });
  const show = run(async () => describeResolution(await get(`/v1/markets/${id()}/resolution`)));
  // The rule: resolve by itself from a price index.
  const index = input({ inputmode: "numeric" });
  const at = input({ type: "datetime-local" });
  const comparison = select([["at_or_above", "at or above"], ["above", "above"], ["at_or_below", "at or below"], ["below", "below"]]);
  const threshold = input({ inputmode: "numeric" });
  const rule = run(async () => {
    if (!at.value) throw new Error("Give the rule's time");
    const body = { index: intOrNull(index.value, "The index") ?? 0, at_ms: new Date(at.value).getTime(), samples: 1, interval_ms: 0,
      map: { threshold: { comparison: comparison.value, threshold: intOrNull(threshold.value, "The threshold") ?? 0 } } };
    await signed("PUT", `/v1/markets/${id()}/rule`, { body });
    return h("p", {}, `Market ${id()} resolves YES when index ${body.index} is ${comparison.selectedOptions[0].textContent} ${body.threshold ?? body.map.threshold.threshold} at ${time(body.at_ms)}.`);
  });
  // The market maker.
  const operator = input({ inputmode: "numeric" });
  const liquidity = input({ inputmode: "decimal", placeholder: "100" });
  const amm = run(async () => {
    const liquidity_micros = toMicros(liquidity.value);
    if (!liquidity_micros) throw new Error("The liquidity must be an amount in dollars");
    await signed("POST", `/v1/markets/${id()}/amm`, { body: { operator: intOrNull(operator.value, "The operator") ?? 0, liquidity_micros } });
    return h("p", {}, `The market maker on market ${id()} is on, liquidity ${dollars(liquidity_micros)}.`);
  });
  const button = (label, handler) => h("button", { type: "button", on: { click: handler } }, label);
  return h("section", { class: "panel wide", "aria-label": "A market" }, h("h2", {}, "A market: close, resolve, rule, market maker"),
    h("div", { class: "filters" }, field("Market id", market)),
    h("div", { class: "filters" }, button("Close now", close), field("Resolution", outcome), field("Outcome index", outcomeIndex),
      h("button", { type: "button", class: "primary", on: { click: resolve } }, "Resolve"), button("Disputes and votes", show)),
    h("h3", {}, "Rule (optional)"),
    h("div", { class: "filters" }, field("Index", index), field("At", at), field("Comparison", comparison), field("Threshold", threshold), button("Set rule", rule)),
    h("h3", {}, "Market maker"),
    h("div", { class: "filters" }, field("Operator account", operator), field("Liquidity b ($)", liquidity), button("Enable market maker", amm)),
    result);
}

/** A resolution in words: YES, NO, void, outcome k, or a scalar value. */
function resolutionText(resolution) {
  if (resolution === "yes" || resolution === "no") return resolution.toUpperCase();
  if (resolution === "invalid") return "void (invalid)";
  if (resolution?.outcome) return `outcome ${resolution.outcome.outcome}`;
  if (resolution?.scalar) return `value ${resolution.scalar.value}`;
  return JSON.stringify(resolution);
}

function describeResolution(r) {
  const rows = [];
  rows.push(h("li", {}, `Status: ${r.status ?? "unknown"}`));
  if (r.proposal) rows.push(h("li", {}, `Proposal: account ${r.proposal.proposer} says ${resolutionText(r.proposal.resolution)}, bond ${dollars(r.proposal.bond_micros ?? 0)}`));
  else rows.push(h("li", {}, "No proposal."));
  if (r.dispute) rows.push(h("li", {}, `Dispute: account ${r.dispute.disputer}, bond ${dollars(r.dispute.bond_micros ?? 0)}`));
  else rows.push(h("li", {}, "No dispute."));
  for (const v of r.votes ?? []) rows.push(h("li", {}, `Vote: arbiter ${v.arbiter} for ${resolutionText(v.resolution)} (tally ${v.tally})`));
  if (!(r.votes ?? []).length) rows.push(h("li", {}, "No votes."));
  if (r.settlement) rows.push(h("li", {}, `Settled: ${resolutionText(r.settlement.resolution)}, decided by ${r.settlement.decided_by}`));
  return h("ul", { class: "rows", "aria-label": "Resolution record" }, rows);
}

function oraclePanel() {
  const liveness = input({ inputmode: "numeric" });
  const bond = input({ inputmode: "decimal" });
  const quorum = input({ inputmode: "numeric" });
  const fee = input({ inputmode: "numeric" });
  get("/v1/oracle").then((o) => {
    liveness.value = String(Math.round(o.config.liveness_ms / 60_000));
    bond.value = String(o.config.min_bond_micros / 1_000_000);
    quorum.value = String(o.config.quorum);
    fee.value = String(o.config.dispute_fee_ppm);
  }).catch(() => {});
  return h("section", { class: "panel" }, h("h2", {}, "Oracle"),
    actionForm("Oracle settings", [field("Liveness (minutes)", liveness), field("Minimum bond ($)", bond), field("Quorum", quorum), field("Dispute fee (ppm)", fee)],
      "Save oracle", async () => {
        const body = { liveness_ms: (intOrNull(liveness.value, "Liveness") ?? 0) * 60_000, min_bond_micros: toMicros(bond.value) ?? 0,
          quorum: intOrNull(quorum.value, "The quorum") ?? 0, dispute_fee_ppm: intOrNull(fee.value, "The fee") ?? 0 };
        await signed("PUT", "/v1/oracle", { body });
        return h("p", {}, "The oracle settings are saved.");
      }));
}

function depositPanel() {
  const account = input({ inputmode: "numeric", required: true });
  const amount = input({ inputmode: "decimal", required: true, placeholder: "1000" });
  return h("section", { class: "panel" }, h("h2", {}, "Deposit"),
    actionForm("Credit a deposit", [field("Account", account), field("Amount ($)", amount)], "Credit", async () => {
      const amount_micros = toMicros(amount.value);
      if (!amount_micros) throw new Error("The amount must be dollars, such as 250 or 12.50");
      const balance = await signed("POST", `/v1/accounts/${intOrNull(account.value, "The account")}/deposit`, { body: { amount_micros } });
      return h("p", {}, `Credited ${dollars(amount_micros)}: account ${account.value} has ${dollars(balance.available_micros ?? 0)} available.`);
    }));
}

function keysPanel(s) {
  const list = h("div", { class: "console-keys", tabindex: "0", "aria-label": "Accounts and keys" });
  const status = h("div", { role: "status", class: "console-status" });
  const draw = async () => {
    let keys;
    try { keys = await signed("GET", "/v1/keys"); } catch (error) { replace(list, h("p", { class: "refused" }, refusal(error))); return; }
    const accounts = [...new Set(keys.map((k) => k.account))].sort((a, b) => a - b);
    const rows = keys.map((k) => h("tr", {},
      h("td", {}, h("code", {}, k.key_id)), h("td", {}, String(k.account)), h("td", {}, k.label),
      h("td", {}, k.scopes.join(", ")), h("td", {}, k.revoked_ms ? `revoked ${time(k.revoked_ms)}` : "active"),
      h("td", {}, k.revoked_ms || k.key_id === s.keyId ? null : h("button", { type: "button", "aria-label": `Revoke key ${k.key_id}`, on: { click: async () => {
        try { await signed("DELETE", `/v1/keys/${k.key_id}`); replace(status, `Key ${k.key_id} revoked.`); await draw(); } catch (error) { replace(status, h("p", { class: "refused" }, refusal(error))); }
      } } }, "Revoke"))));
    replace(list,
      h("p", {}, `Accounts that hold keys (${accounts.length}): ${accounts.join(", ") || "none"}.`),
      h("table", { class: "levels" }, h("caption", {}, "Every key"),
        h("thead", {}, h("tr", {}, ["Key", "Account", "Label", "Scopes", "State", "Action"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows)));
  };
  draw();
  const account = input({ inputmode: "numeric", placeholder: "blank: a new account" });
  const label = input({ maxlength: 200 });
  const publicKey = input({ placeholder: "64 hex digits (needed beyond read)" });
  const form = actionForm("Make a key", [field("Account", account), field("Label", label), field("Ed25519 public key", publicKey), scopeBoxes("key-scope", ["read"])],
    "Make key", async () => {
      const body = { label: label.value, scopes: checkedScopes(form, "key-scope") };
      const a = intOrNull(account.value, "The account");
      if (a === null) body.new_account = true; else body.account = a;
      if (publicKey.value.trim()) body.ed25519_public_key = publicKey.value.trim();
      const made = await signed("POST", "/v1/keys", { body });
      await draw();
      return h("div", {}, h("p", {}, `Key ${made.key.key_id} made for account ${made.key.account} (${made.key.scopes.join(", ")}). Its token, shown once:`), h("code", { class: "secret" }, made.token));
    });
  return h("section", { class: "panel wide" }, h("h2", {}, "Accounts and keys"), list, status, h("h3", {}, "Make a key"), form);
}

function enrollmentPanel() {
  const account = input({ inputmode: "numeric", placeholder: "blank: a new account" });
  const label = input({ maxlength: 200, placeholder: "enrolled" });
  const hours = input({ inputmode: "numeric", value: "24" });
  const form = actionForm("Issue an enrollment code", [field("Account", account), field("Label", label), field("Valid for (hours)", hours), scopeBoxes("code-scope", ["read", "trade"])],
    "Issue code", async () => {
      const body = { scopes: checkedScopes(form, "code-scope") };
      const a = intOrNull(account.value, "The account");
      if (a !== null) body.account = a;
      if (label.value.trim()) body.label = label.value.trim();
      const h24 = intOrNull(hours.value, "The hours");
      if (h24 !== null) body.expires_ms = Date.now() + h24 * 3_600_000;
      const issued = await signed("POST", "/v1/enrollments", { body });
      return h("div", {}, h("p", {}, `A code for ${issued.account ?? "a new account"} (${issued.scopes.join(", ")}), valid until ${time(issued.expires_ms)}, once. Shown once:`),
        h("code", { class: "secret enrollment-code" }, issued.code));
    });
  return h("section", { class: "panel" }, h("h2", {}, "Enrollment codes"),
    h("p", { class: "small muted" }, "Give the code to the person; they choose “Enroll with a code” and paste it. No password or secret is sent."), form);
}
