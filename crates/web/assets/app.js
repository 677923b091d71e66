// The app's shell: reads the address after `#`, shows the view it names, and moves focus to the
// new content so keyboard and screen-reader users land where sighted users look.
//
//   #/?q=..&sort=..     markets (discovery)
//   #/event/TICKER      the markets of one event
//   #/market/ID         one market
//   #/portfolio, #/intel, #/audit, #/console: the views of VIEWS, loaded when first opened

import { h, replace } from "./dom.js";
import { marketsView } from "./markets.js";
import { marketView } from "./market.js";
import { get } from "./api.js";
import { enroll, openDemoAccount, session, signOut, watchSession } from "./auth.js";

const main = document.getElementById("view");

/** Views in modules of their own: `#/NAME/...` calls the module's `view(main, params, parts)`,
 * which may return a function that stops it (a live feed). */
const VIEWS = {
  portfolio: ["./portfolio.js", "Portfolio"],
  intel: ["./intel.js", "Intelligence"],
  audit: ["./audit.js", "Audit"],
  console: ["./console.js", "Console"],
};
let stop = null;

let shown = null;

async function route() {
  stop?.();
  stop = null;
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = hash.split("?");
  const params = new URLSearchParams(query);
  const parts = path.split("/").filter(Boolean);
  // A filter that changed the address (the search box, a select) keeps the focus, the caret and
  // anything typed meanwhile when the same view is drawn again.
  const typing = shown === path && main.contains(document.activeElement) && document.activeElement.id ? document.activeElement : null;
  shown = path;
  try {
    if (parts[0] === "market" && /^\d+$/.test(parts[1] ?? "")) {
      stop = await marketView(main, Number(parts[1]));
      document.title = `${main.querySelector("h1")?.textContent ?? "Market"} · Augury`;
    } else if (VIEWS[parts[0]]) {
      const [module, title] = VIEWS[parts[0]];
      stop = (await (await import(module)).view(main, params, parts)) ?? null;
      document.title = `${title} · Augury`;
    } else if (parts[0] === "event" && parts[1]) {
      params.set("event", decodeURIComponent(parts[1]));
      params.set("status", params.get("status") ?? "");
      await marketsView(main, params);
      document.title = "Event · Augury";
    } else {
      await marketsView(main, params);
      document.title = "Markets · Augury";
    }
  } catch (error) {
    replace(main, h("h1", {}, "Something went wrong"), h("p", { role: "alert" }, error.message), h("p", {}, h("a", { href: "#/" }, "Back to the markets")));
  }
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.toggleAttribute("aria-current", link.dataset.nav === (parts[0] ?? "markets"));
  }
  // Focus lands on the new page's heading, which a screen reader reads out (the page is not a live
  // region: its live parts, a book or a trade list, would talk over everything).
  const heading = main.querySelector("h1");
  const again = typing && document.getElementById(typing.id);
  if (again) {
    if (again.tagName === "INPUT" && typing.value !== again.value) again.value = typing.value;
    again.focus({ preventScroll: true });
    if (again.tagName === "INPUT" && typing.selectionStart !== null) again.setSelectionRange(typing.selectionStart, typing.selectionEnd);
  } else if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  } else {
    main.focus({ preventScroll: true });
  }
}

/** The header's account area: sign in with a play-money account or an enrollment code, or who
 * is signed in. */
async function drawAccount() {
  const area = document.getElementById("account");
  const s = await session().catch(() => null);
  if (s) {
    watchSession();
    replace(area, h("span", { class: "muted" }, `Account ${s.account}`),
      h("button", { type: "button", on: { click: async () => { await signOut(); await drawAccount(); route(); } } }, "Sign out"));
    return;
  }
  const demo = await get("/v1/demo").catch(() => ({ enabled: false }));
  const status = h("span", { role: "status", class: "small" });
  const signedIn = async () => { await drawAccount(); route(); };
  replace(area, demo.enabled
    ? h("button", { type: "button", class: "primary", on: { click: async () => {
      try { await openDemoAccount(); await signedIn(); } catch (e) { replace(status, h("span", { role: "alert" }, e.message)); }
    } } }, "Open a demo account")
    : null,
  enrollForm(signedIn, "header"),
  status);
}

/** "Enroll with a code": a one-time code from an operator makes this browser's key a key of
 * their account (with the code's scopes). Used by the header and the console. */
export function enrollForm(done, where) {
  const input = h("input", { type: "text", id: `enroll-code-${where}`, autocomplete: "off", spellcheck: "false", placeholder: "augenroll_…", required: true });
  const message = h("p", { role: "status", class: "small" });
  const form = h("form", { class: "enroll", "aria-label": "Enroll with a code", on: { submit: async (event) => {
    event.preventDefault();
    replace(message, "Enrolling…");
    try {
      const s = await enroll(input.value);
      replace(message, `Signed in to account ${s.account} (${(s.scopes ?? []).join(", ")}).`);
      await done?.(s);
    } catch (e) {
      replace(message, h("span", { role: "alert" }, enrollRefusal(e)));
    }
  } } },
  h("details", {}, h("summary", {}, "Enroll with a code"),
    h("label", { for: `enroll-code-${where}`, class: "field" }, "Enrollment code", input),
    h("button", { type: "submit" }, "Enroll"),
    message));
  return form;
}

function enrollRefusal(error) {
  switch (error.code) {
    case "unknown_enrollment": return "No such code: check that it was copied whole.";
    case "enrollment_used": return "This code was already used: a code works once. Ask for a new one.";
    case "enrollment_expired": return "This code has expired. Ask for a new one.";
    default: return error.message;
  }
}

window.addEventListener("hashchange", route);
// The skip link moves focus to the content; following its `#view` would change the route.
document.querySelector(".skip").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
// A key revoked elsewhere (the console, another device) ends the session here at once.
window.addEventListener("augury-signed-out", () => {
  drawAccount();
  route();
});
drawAccount();
route();
