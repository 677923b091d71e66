// How numbers read: money is integer micro-dollars on the wire and only becomes text here.

const MICROS = 1_000_000;

/** $1,234.56 from micro-dollars (rounded to the cent for display). */
export function dollars(micros) {
  if (micros === null || micros === undefined) return "–";
  const value = Number(micros) / MICROS;
  return value.toLocaleString("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** A price as a probability: 420000 → "42%"; finer grids keep their decimals (42.5%). */
export function percent(micros) {
  if (micros === null || micros === undefined) return "–";
  const value = Number(micros) / 10_000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}

/** A price as cents: 420000 → "42¢". */
export function cents(micros) {
  if (micros === null || micros === undefined) return "–";
  const value = Number(micros) / 10_000;
  return `${Number.isInteger(value) ? value : value.toFixed(2)}¢`;
}

/** A signed change in points: +3.0 pts. */
export function points(micros) {
  if (micros === null || micros === undefined) return null;
  const value = Number(micros) / 10_000;
  const sign = value > 0 ? "+" : value < 0 ? "−" : "±";
  return `${sign}${Math.abs(value).toFixed(1)} pts`;
}

/** A chart range's name as it is spoken: "1w" is "1 week". */
export function rangeName(range) {
  const units = { d: "day", w: "week", m: "month", y: "year" };
  const match = /^(\d+)([dwmy])$/.exec(range);
  return match ? `${match[1]} ${units[match[2]]}${match[1] === "1" ? "" : "s"}` : range === "all" ? "all time" : range;
}

/** Contracts, compact: 1.2k, 3.4M. */
export function count(value) {
  const n = Number(value ?? 0);
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n.toLocaleString("en-US");
}

/** A time in UTC, as people read it: "2 Jun 2019, 00:00 UTC". */
export function time(ms) {
  if (!ms) return "–";
  const date = new Date(Number(ms));
  return `${date.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })}, ${date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" })} UTC`;
}

/** The probability a market shows: the last trade, else the mid of the best prices. */
export function probability(market, outcome = 0) {
  const stats = market.stats?.outcomes?.[outcome];
  if (stats?.last_price_micros !== null && stats?.last_price_micros !== undefined) return stats.last_price_micros;
  const best = market.best?.[outcome];
  if (best?.yes_bid_micros != null && best?.yes_ask_micros != null) return Math.round((best.yes_bid_micros + best.yes_ask_micros) / 2);
  return best?.yes_bid_micros ?? best?.yes_ask_micros ?? null;
}

/** The label of an outcome's YES side. */
export function outcomeLabel(market, outcome) {
  const names = market.outcome_names ?? {};
  if (names.categorical) return names.categorical.labels[outcome] ?? `Outcome ${outcome + 1}`;
  if (names.binary) return names.binary.yes;
  if (names.scalar) return "Long";
  return "Yes";
}
