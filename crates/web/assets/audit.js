// Audit: proofs checked in the browser. The venue's journal is a Merkle tree (RFC 6962 hashing)
// whose root it signs every second with its Ed25519 key. Here the browser fetches the latest
// signed checkpoint and, for one of the visitor's fills, the journal entry that holds it with its
// audit path, and checks all of it itself with WebCrypto: the entry's leaf hash, the path up to
// the signed root, and the signature. Nothing is taken on the venue's word but the bytes.

import { get } from "./api.js";
import { h, replace } from "./dom.js";
import { session, signed } from "./auth.js";
import { cents, count, time } from "./format.js";

const unhex = (text) => new Uint8Array(text.match(/../g).map((b) => parseInt(b, 16)));
const hex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
const unbase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const sha256 = async (...parts) => new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The leaf of entry `index`: SHA-256(0x00 || index as 8 bytes little-endian || payload). */
export async function leafHash(index, payload) {
  const le = new Uint8Array(8);
  new DataView(le.buffer).setBigUint64(0, BigInt(index), true);
  return sha256(new Uint8Array([0]), le, payload);
}

/** The root an inclusion path leads to (RFC 9162 section 2.1.3.2), or null if it cannot. */
export async function rootFromPath(index, size, leaf, path) {
  if (index >= size) return null;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(new Uint8Array([1]), p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await sha256(new Uint8Array([1]), r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

/** Whether `publicKeyHex` signed the checkpoint's text. */
export async function checkpointSigned(checkpoint, publicKeyHex) {
  const key = await crypto.subtle.importKey("raw", unhex(publicKeyHex), { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, unbase64(checkpoint.signature_b64), new TextEncoder().encode(checkpoint.signed_text));
}

/** Every check of a fill's proof; `ok` only if all pass, and the steps in words either way. */
async function checkProof(proof) {
  const steps = [];
  const payload = unhex(proof.payload_hex);
  const leaf = await leafHash(proof.index, payload);
  const leafOk = hex(leaf) === proof.leaf_hash_hex;
  steps.push([leafOk, `The entry's ${count(payload.length)} bytes hash to its leaf ${proof.leaf_hash_hex.slice(0, 12)}…`]);
  const path = proof.inclusion_proof_hex.map(unhex);
  const root = await rootFromPath(proof.index, proof.checkpoint.size, leaf, path);
  const rootOk = root !== null && hex(root) === proof.checkpoint.root_hex;
  steps.push([rootOk, `The ${path.length} hashes of its path lead to the root ${proof.checkpoint.root_hex.slice(0, 12)}… of the journal's first ${count(proof.checkpoint.size)} entries`]);
  const text = `augury-journal-checkpoint/v1\n${proof.checkpoint.size}\n${proof.checkpoint.root_hex}\n${proof.checkpoint.timestamp_ms}\n`;
  const textOk = text === proof.checkpoint.signed_text;
  const keyOk = proof.venue_public_key_hex !== null && proof.checkpoint.public_key_hex === proof.venue_public_key_hex;
  const signatureOk = textOk && keyOk && (await checkpointSigned(proof.checkpoint, proof.venue_public_key_hex));
  steps.push([signatureOk, `The venue's key ${(proof.venue_public_key_hex ?? "?").slice(0, 12)}… signed that root at ${time(proof.checkpoint.timestamp_ms)} (Ed25519)`]);
  return { ok: leafOk && rootOk && signatureOk, steps };
}

/** The audit view. */
export async function view(main) {
  const checkpointBox = h("div", {});
  const fillsBox = h("div", {});
  replace(main,
    h("h1", {}, "Audit"),
    h("p", { class: "lead" }, "Every order, fill and settlement is an entry of a hash-chained journal. The venue signs its Merkle root every second; here your browser checks, by itself, that your fills are in it."),
    h("section", { class: "panel", "aria-labelledby": "checkpoint-heading" }, h("h2", { id: "checkpoint-heading" }, "The latest signed checkpoint"), checkpointBox),
    h("section", { class: "panel", "aria-labelledby": "fills-heading" }, h("h2", { id: "fills-heading" }, "Your fills, proved"), fillsBox));

  const latest = await get("/v1/audit/checkpoint");
  if (!latest.checkpoint) {
    replace(checkpointBox, h("p", { class: "muted" }, "No checkpoint has been signed yet."));
  } else {
    const c = latest.checkpoint;
    const valid = latest.venue_public_key_hex && c.public_key_hex === latest.venue_public_key_hex && (await checkpointSigned(c, latest.venue_public_key_hex));
    replace(checkpointBox, h("dl", { class: "facts" },
      h("dt", {}, "Entries"), h("dd", {}, count(c.size)),
      h("dt", {}, "Merkle root"), h("dd", { class: "mono" }, c.root_hex),
      h("dt", {}, "Signed at"), h("dd", {}, time(c.timestamp_ms)),
      h("dt", {}, "Venue key"), h("dd", { class: "mono" }, latest.venue_public_key_hex ?? "none"),
      h("dt", {}, "Signature"), h("dd", { class: valid ? "up" : "down" }, valid ? "✔ valid: checked in this browser" : "✘ does not verify")),
      h("p", { class: "muted small" }, "Compare the venue key with the one the operator publishes: a proof is only as good as the key you trust."));
  }

  if (!(await session())) {
    replace(fillsBox, h("p", { class: "muted" }, "Open a demo account (top right) and trade: each of your fills can then be proved here."));
    return;
  }
  const fills = await signed("GET", "/v1/portfolio/fills", { query: { limit: 20 } });
  if (!fills.items.length) {
    replace(fillsBox, h("p", { class: "muted" }, "You have no fills yet."));
    return;
  }
  const table = h("table", { class: "levels" },
    h("caption", {}, "Your 20 most recent fills"),
    h("thead", {}, h("tr", {}, ["Trade", "Fill", "Journal entry", "Proof"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, fills.items.map((f) => {
      const result = h("div", { class: "proof", role: "status" });
      const button = h("button", { type: "button", on: { click: async () => {
        button.disabled = true;
        replace(result, "Checking…");
        try {
          const proof = await signed("GET", `/v1/audit/fills/${f.trade_id}/proof`);
          const { ok, steps } = await checkProof(proof);
          replace(result,
            h("p", { class: ok ? "up" : "down" }, ok
              ? `✔ Proved: this fill is entry ${proof.index} of the journal the venue signed.`
              : "✘ The proof does not check out."),
            h("ul", { class: "rows" }, steps.map(([good, text]) => h("li", {}, good ? "✔ " : "✘ ", text))));
        } catch (error) {
          replace(result, h("p", { class: "down" }, error.code === "not_checkpointed_yet" ? "Not in a signed checkpoint yet: try again in a second." : `Could not check: ${error.message}`));
        } finally {
          button.disabled = false;
        }
      } } }, `Check trade ${f.trade_id}`);
      return h("tr", {},
        h("td", {}, String(f.trade_id)),
        h("td", {}, `${f.action} ${f.side.toUpperCase()} ${f.quantity} @ ${cents(f.price_micros)} in market ${f.market}`),
        h("td", {}, String(f.journal_entry)),
        h("td", {}, button, result));
    })));
  replace(fillsBox, table);
}
