// Signing in without a password: the browser makes an Ed25519 key pair with WebCrypto whose
// private half cannot be exported, keeps it in IndexedDB, and registers only the public half with
// the venue. Every private request is then signed exactly as docs/api-signing.md says a bot signs
// it: one authentication path for people and programs. Signing out forgets the key.

import { ApiError } from "./api.js";

const DB = "augury";
const STORE = "session";

function database() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function store(mode, act) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = act(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request?.result);
    transaction.onerror = () => reject(transaction.error);
  });
}

let current = null;

/** The signed-in session ({ keyId, account, keyPair }), or null. */
export async function session() {
  if (current === null) current = (await store("readonly", (s) => s.get("current"))) ?? false;
  return current || null;
}

const hex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
const base64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

/** Opens a play-money account on a demo venue with a fresh key pair made here. */
export async function openDemoAccount() {
  const keyPair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  const publicKey = hex(await crypto.subtle.exportKey("raw", keyPair.publicKey));
  const response = await fetch("/v1/demo/accounts", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ ed25519_public_key: publicKey, label: "web" }),
  });
  const body = await response.json();
  if (!response.ok) throw new ApiError(response.status, body.error?.code, body.error?.message);
  current = { keyId: body.key_id, account: body.account, keyPair };
  await store("readwrite", (s) => s.put(current, "current"));
  return current;
}

/** Redeems a one-time enrollment code (issued by an operator) for a key with the code's scopes on
 * its account, made here: only the public half and the code are sent. Stored as the session. */
export async function enroll(code, label) {
  const keyPair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  const publicKey = hex(await crypto.subtle.exportKey("raw", keyPair.publicKey));
  const response = await fetch("/v1/enrollments/redeem", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    // Without a label the key takes the one the operator gave the code.
    body: JSON.stringify({ code: String(code).trim(), ed25519_public_key: publicKey, ...(label ? { label } : {}) }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.error?.code ?? "http_error", body.error?.message ?? `HTTP ${response.status}`);
  current = { keyId: body.key_id, account: body.account, scopes: body.scopes, keyPair };
  await store("readwrite", (s) => s.put(current, "current"));
  return current;
}

/** Forgets the key (and revokes it first, when the venue can still be told). */
export async function signOut() {
  const s = await session();
  if (s) await signed("DELETE", `/v1/keys/${s.keyId}`).catch(() => {});
  await forget();
}

/** Forgets the key here only: the venue revoked it already. */
export async function forget() {
  unwatch();
  current = false;
  await store("readwrite", (st) => st.delete("current"));
  window.dispatchEvent(new Event("augury-signed-out"));
}

/** The WebSocket's login message, signed like a REST `GET /v1/ws/login` (docs/api.md), or null
 * when nobody is signed in. A logged-in socket is closed with 4001 the moment its key is revoked. */
export async function wsLogin() {
  const s = await session();
  if (!s) return null;
  const timestamp = String(Date.now());
  const nonce = hex(crypto.getRandomValues(new Uint8Array(16)));
  const empty = hex(await crypto.subtle.digest("SHA-256", new Uint8Array(0)));
  const message = ["augury-v1", s.keyId, timestamp, nonce, "GET", "/v1/ws/login", "", empty].join("\n");
  const signature = base64(await crypto.subtle.sign({ name: "Ed25519" }, s.keyPair.privateKey, new TextEncoder().encode(message)));
  return { op: "login", key_id: s.keyId, timestamp_ms: Number(timestamp), nonce, signature };
}

/** Watches the signed-in session from any page: a WebSocket logged in with the key, which the
 * venue closes with 4001 the moment the key is revoked (from the console or another device), or
 * answers `revoked_key` if it already was; the session then ends here at once. Any other close
 * reconnects. Calling it again while it watches does nothing; signing out stops it. */
let watch = null;
export function watchSession() {
  if (watch) return;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/v1/ws`);
  watch = socket;
  socket.addEventListener("open", async () => {
    const login = await wsLogin().catch(() => null);
    if (!login) socket.close();
    else if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(login));
  });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "error" && message.op === "login" && message.code === "revoked_key") forget();
  });
  socket.addEventListener("close", async (event) => {
    if (watch !== socket) return;
    watch = null;
    if (event.code === 4001) await forget();
    else if (await session()) setTimeout(watchSession, 5_000);
  });
}

function unwatch() {
  const socket = watch;
  watch = null;
  socket?.close();
}

/** A signed request: method, path, query parameters and a JSON body; the decoded answer. */
export async function signed(method, path, { query = {}, body } = {}) {
  const s = await session();
  if (!s) throw new ApiError(401, "signed_out", "Sign in first: open a demo account or enroll with a code.");
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  const rawQuery = params.toString();
  const text = body === undefined ? "" : JSON.stringify(body);
  const bytes = new TextEncoder().encode(text);
  const timestamp = String(Date.now());
  const nonce = hex(crypto.getRandomValues(new Uint8Array(16)));
  const message = ["augury-v1", s.keyId, timestamp, nonce, method, path, rawQuery, hex(await crypto.subtle.digest("SHA-256", bytes))].join("\n");
  const signature = base64(await crypto.subtle.sign({ name: "Ed25519" }, s.keyPair.privateKey, new TextEncoder().encode(message)));
  const headers = { Accept: "application/json", "Augury-Key": s.keyId, "Augury-Timestamp": timestamp, "Augury-Nonce": nonce, "Augury-Signature": signature };
  if (text) headers["Content-Type"] = "application/json";
  const response = await fetch(rawQuery ? `${path}?${rawQuery}` : path, { method, headers, body: text || undefined });
  const answer = await response.json().catch(() => null);
  if (response.status === 401 && answer?.error?.code === "revoked_key") await forget();
  if (!response.ok) throw new ApiError(response.status, answer?.error?.code ?? "http_error", answer?.error?.message ?? `HTTP ${response.status}`);
  return answer;
}
