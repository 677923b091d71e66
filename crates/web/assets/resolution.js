// How a market ends, on its page: its status, the rule or the proposal, dispute and votes, the
// settlement; and for a signed-in visitor whose key allows it, proposing an outcome (resolver),
// disputing a proposal (trade) and voting as an arbiter (resolver, from an arbiter's account).

import { h, replace } from "./dom.js";
import { get } from "./api.js";
import { session, signed } from "./auth.js";
import { dollars, outcomeLabel, time } from "./format.js";

/** A resolution in words. */
export function resolutionText(market, resolution) {
  if (resolution === "yes") return "YES";
  if (resolution === "no") return "NO";
  if (resolution === "invalid") return "invalid (every side paid alike)";
  if (resolution?.outcome !== undefined) return outcomeLabel(market, resolution.outcome);
  if (resolution?.scalar !== undefined) return `value ${resolution.scalar.value}`;
  return JSON.stringify(resolution);
}

/** The choices a proposal or a vote can make for this market's kind. */
function choices(market) {
  if (market.kind === "binary") return [["yes", "YES"], ["no", "NO"], ["invalid", "Invalid"]];
  if (market.kind.categorical) {
    return [...Array.from({ length: market.outcomes }, (_, i) => [JSON.stringify({ outcome: { outcome: i } }), outcomeLabel(market, i)]), ["invalid", "Invalid"]];
  }
  return [["invalid", "Invalid"]];
}

const parseChoice = (value) => (value.startsWith("{") ? JSON.parse(value) : value);

/** The visitor's key's scopes ([] when signed out). */
async function scopes() {
  const s = await session();
  if (!s) return [];
  const keys = await signed("GET", "/v1/keys").catch(() => []);
  return keys.find((k) => k.key_id === s.keyId)?.scopes ?? [];
}

export function resolutionPanel(market) {
  const box = h("div", { class: "resolution" });
  const message = h("p", { class: "message", role: "status" });
  const act = async (label, run) => {
    message.textContent = `${label}…`;
    try {
      await run();
      message.textContent = `${label}: done.`;
      await refresh();
    } catch (error) {
      message.textContent = `${label} refused: ${error.message}`;
    }
  };

  const refresh = async () => {
    const [r, can] = await Promise.all([get(`/v1/markets/${market.market}/resolution`), scopes()]);
    const facts = [h("dt", {}, "Status"), h("dd", {}, r.status)];
    if (r.rule) facts.push(h("dt", {}, "Resolves by rule"), h("dd", {}, `from price index ${r.rule.index ?? ""} (${r.samples_recorded} of its samples recorded)`));
    if (r.proposal) facts.push(h("dt", {}, "Proposed"), h("dd", {}, `${resolutionText(market, r.proposal.resolution)} by account ${r.proposal.proposer}, bond ${dollars(r.proposal.bond_micros)}; final ${time(r.proposal.liveness_ends_ms)} unless disputed`));
    if (r.dispute) facts.push(h("dt", {}, "Disputed"), h("dd", {}, `by account ${r.dispute.disputer}, bond ${dollars(r.dispute.bond_micros)}, ${time(r.dispute.disputed_ms)}`));
    for (const v of r.votes) facts.push(h("dt", {}, "Vote"), h("dd", {}, `arbiter ${v.arbiter}: ${resolutionText(market, v.resolution)} (${v.tally} so far)`));
    if (r.settlement) facts.push(h("dt", {}, "Settled"), h("dd", {}, `${resolutionText(market, r.settlement.resolution)}, decided by ${r.settlement.decided_by}, ${time(r.settlement.settled_ms)}; still owed ${dollars(r.settlement.outstanding_micros)}`));

    const actions = [];
    const pick = (id) => h("select", { id, "aria-label": "Resolution" }, choices(market).map(([v, t]) => h("option", { value: v }, t)));
    if (r.status === "closed" && can.includes("resolver")) {
      const choice = pick("propose-choice");
      const bond = h("input", { type: "number", min: 0, step: "any", value: 10, "aria-label": "Bond in dollars", class: "small-input" });
      actions.push(h("div", { class: "row" }, choice, bond, h("button", { type: "button", on: { click: () => act("Proposal", () =>
        signed("POST", `/v1/markets/${market.market}/proposals`, { body: { resolution: parseChoice(choice.value), bond_micros: Math.round(Number(bond.value) * 1e6) } })) } }, "Propose")));
    }
    if (r.status === "resolving" && can.includes("trade") && r.proposal) {
      actions.push(h("button", { type: "button", on: { click: () => act("Dispute", () =>
        signed("POST", `/v1/markets/${market.market}/disputes`, { body: { bond_micros: r.proposal.bond_micros } })) } }, `Dispute (post ${dollars(r.proposal.bond_micros)})`));
    }
    if (r.status === "disputed" && can.includes("resolver")) {
      const choice = pick("vote-choice");
      actions.push(h("div", { class: "row" }, choice, h("button", { type: "button", on: { click: () => act("Vote", () =>
        signed("POST", `/v1/markets/${market.market}/votes`, { body: { resolution: parseChoice(choice.value) } })) } }, "Vote")));
    }
    replace(box, h("dl", { class: "facts" }, facts), actions, message);
  };
  return { element: box, refresh };
}

/** The market maker's offer, where the market has one: what 10 contracts of YES cost now. */
export async function ammQuote(market) {
  if (!market.amm || market.status !== "open") return null;
  const [buy, sell] = await Promise.all([
    get(`/v1/markets/${market.market}/amm/quote`, { side: "yes", action: "buy", quantity: 10 }).catch(() => null),
    get(`/v1/markets/${market.market}/amm/quote`, { side: "yes", action: "sell", quantity: 10 }).catch(() => null),
  ]);
  return h("p", { class: "model" }, h("strong", {}, "Market maker (LMSR): "),
    buy ? `10 YES cost ${dollars(buy.value_micros)} plus ${dollars(buy.fee_micros)} fee` : "no offer to sell YES",
    sell ? `; selling 10 YES brings ${dollars(sell.value_micros)}` : "");
}
