// Discovery: search, category, tag and sort over `GET /v1/markets`, a page of cards at a time.
// Markets of one event that appear together are shown as one card. The filters live in the
// address (`#/?q=bitcoin&sort=volume_24h`), so a search can be shared and the back button works.

import { get } from "./api.js";
import { h, replace } from "./dom.js";
import { closes, sparkline } from "./chart.js";
import { count, percent, points, probability, time } from "./format.js";

const PAGE = 24;
const SORTS = [
  ["volume_24h", "24 h volume"],
  ["volume", "Total volume"],
  ["liquidity", "Liquidity"],
  ["close_time", "Closing soon"],
  ["newest", "Newest"],
  ["id", "Id"],
];

/** Renders the markets view into `main` for the filters in `params`. */
export async function marketsView(main, params) {
  const filters = {
    q: params.get("q") ?? "",
    category: params.get("category") ?? "",
    tag: params.get("tag") ?? "",
    sort: params.get("sort") ?? "volume_24h",
    status: params.get("status") ?? "open",
    event: params.get("event") ?? "",
  };
  const setFilter = (name, value) => {
    const next = new URLSearchParams({ ...filters, [name]: value });
    for (const [key, v] of [...next.entries()]) if (!v) next.delete(key);
    location.hash = `#/?${next}`;
  };

  const categories = await get("/v1/categories").catch(() => []);
  const search = h("input", { type: "search", id: "search", name: "q", value: filters.q, placeholder: "Search questions, tags, events", autocomplete: "off" });
  let debounce;
  search.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => setFilter("q", search.value.trim()), 300);
  });
  const select = (id, label, options, value, name) => {
    const node = h("select", { id, name, on: { change: (e) => setFilter(name, e.target.value) } },
      options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
    return h("label", { class: "field", for: id }, h("span", {}, label), node);
  };
  const categoryOptions = [["", "All categories"], ...categories.filter((c) => c.markets > 0).map((c) => [c.id, `${c.title} (${c.open_markets})`])];
  const statusOptions = [["open", "Trading now"], ["", "Any status"], ["closed", "Closed"], ["settled", "Settled"]];

  const list = h("ul", { class: "cards", "aria-label": "Markets" });
  const more = h("button", { type: "button", class: "more", hidden: true }, "Show more");
  const summary = h("p", { class: "muted", role: "status" });
  replace(main,
    h("h1", {}, filters.event ? `Event ${filters.event}` : "Markets"),
    h("form", { class: "filters", role: "search", on: { submit: (e) => { e.preventDefault(); setFilter("q", search.value.trim()); } } },
      h("label", { class: "field grow", for: "search" }, h("span", {}, "Search"), search),
      select("category", "Category", categoryOptions, filters.category, "category"),
      select("sort", "Sort by", SORTS, filters.sort, "sort"),
      select("status", "Status", statusOptions, filters.status, "status")),
    filters.tag ? h("p", { class: "chips" }, "Tag: ", h("button", { type: "button", class: "chip", "aria-label": `Remove the tag filter ${filters.tag}`, on: { click: () => setFilter("tag", "") } }, `${filters.tag} ×`)) : null,
    summary, list, more);

  let cursor = null;
  let shown = 0;
  const load = async () => {
    more.hidden = true;
    const page = await get("/v1/markets", { ...filters, limit: PAGE, cursor });
    cursor = page.next_cursor ?? null;
    shown += page.items.length;
    // Within one event every market gets its own card; elsewhere an event's markets share one.
    for (const card of cards(page.items, setFilter, !filters.event)) list.append(card);
    summary.textContent = shown === 0 ? "No market matches." : `${shown} market${shown === 1 ? "" : "s"}${cursor ? " so far" : ""}`;
    more.hidden = !cursor;
  };
  more.addEventListener("click", () => load().catch(failed));
  // Not awaited: the view is in place now, so the router can give the focus back at once (a
  // search box being typed into must not lose keystrokes while results load).
  const failed = (error) => { summary.textContent = `The markets could not be loaded: ${error.message}`; };
  load().catch(failed);
}

/** Cards for a page: markets sharing an event are one card, in the order the first one ranks. */
function cards(markets, setFilter, group) {
  const byEvent = new Map();
  for (const market of markets) {
    const key = group && market.event ? market.event : `market:${market.market}`;
    if (!byEvent.has(key)) byEvent.set(key, []);
    byEvent.get(key).push(market);
  }
  return [...byEvent.values()].map((group) => (group.length > 1 ? eventCard(group) : marketCard(group[0], setFilter)));
}

function change(market) {
  const text = points(market.stats?.price_change_24h_micros);
  if (!text) return null;
  const direction = market.stats.price_change_24h_micros > 0 ? "up" : market.stats.price_change_24h_micros < 0 ? "down" : "flat";
  return h("span", { class: `change ${direction}`, title: "Change over 24 hours" }, text);
}

function marketCard(market, setFilter) {
  const p = probability(market);
  const spark = h("span", { class: "spark-slot" });
  get(`/v1/markets/${market.market}/candles`, { interval: "1h" })
    .then((candles) => replace(spark, sparkline(closes(candles.slice(-48)), `Price history of ${market.title}`)))
    .catch(() => {});
  return h("li", { class: "card" },
    h("p", { class: "eyebrow" }, market.category.replace("_", " "), market.close_time_ms ? ` · closes ${time(market.close_time_ms)}` : ""),
    h("h2", {}, h("a", { href: `#/market/${market.market}` }, market.title)),
    h("div", { class: "quote" },
      h("span", { class: "big", title: "Chance, from the last trade or the mid" }, percent(p)),
      h("span", { class: "muted" }, market.outcomes > 1 ? "favourite" : "chance"),
      change(market), spark),
    h("p", { class: "muted small" }, `${count(market.stats?.volume)} traded · ${count(market.stats?.volume_24h)} in 24 h`),
    market.tags.length ? h("p", { class: "chips" }, market.tags.map((tag) => h("button", { type: "button", class: "chip", "aria-label": `Show markets tagged ${tag}`, on: { click: () => setFilter("tag", tag) } }, tag))) : null);
}

/** Within an event, a market reads best by its YES label ("At or above $8,600") when it has one
 * of its own, else by its question. */
function rowLabel(market) {
  const yes = market.outcome_names?.binary?.yes;
  return yes && yes !== "Yes" ? yes : market.title;
}

function eventCard(group) {
  const first = group[0];
  return h("li", { class: "card event" },
    h("p", { class: "eyebrow" }, first.category.replace("_", " "), " · event ", first.event),
    h("h2", {}, h("a", { href: `#/event/${encodeURIComponent(first.event)}` }, first.event_title ?? `${group.length} related markets`)),
    h("ul", { class: "rows" }, group.map((market) =>
      h("li", {}, h("a", { href: `#/market/${market.market}` }, rowLabel(market)), h("span", { class: "big-ish" }, percent(probability(market))), change(market)))),
    h("p", { class: "muted small" }, `${count(group.reduce((sum, m) => sum + (m.stats?.volume_24h ?? 0), 0))} traded in 24 h`));
}
