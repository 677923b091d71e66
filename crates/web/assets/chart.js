// Charts drawn as SVG by hand: a sparkline for a card and a probability chart for a market's
// page (the price, and the model's probability where there is one). Probabilities live in
// [0, 1], so the vertical axis is fixed and needs no scaling logic.

import { svg } from "./dom.js";
import { percent, time } from "./format.js";

/** Points are [time_ms, price_micros]; the line is their path across the box. */
function path(points, x0, x1, width, height, pad) {
  const span = Math.max(1, x1 - x0);
  return points
    .map(([t, p], i) => {
      const x = pad + ((t - x0) / span) * (width - 2 * pad);
      const y = pad + (1 - p / 1_000_000) * (height - 2 * pad);
      return `${i === 0 ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");
}

/** A small line of recent prices; `label` is what a screen reader hears instead. */
export function sparkline(points, label, width = 120, height = 32) {
  const box = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": label, class: "spark" });
  if (points.length < 2) {
    box.append(svg("line", { x1: 2, y1: height / 2, x2: width - 2, y2: height / 2, class: "spark-empty" }));
    return box;
  }
  const rising = points[points.length - 1][1] >= points[0][1];
  box.append(svg("path", { d: path(points, points[0][0], points[points.length - 1][0], width, height, 2), class: rising ? "up" : "down" }));
  return box;
}

/** Probabilities over time, with gridlines at 25% steps and the first and last times. `lines` are
 * `{ points, kind }`, `kind` a CSS class ("line" for the market, "model-line" for the model); the time
 * axis spans them all. The first line's last value is written in the corner. */
export function probabilityChart(lines, label, width = 640, height = 240) {
  const box = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, class: "chart", preserveAspectRatio: "none" });
  const pad = 24;
  for (const level of [0.25, 0.5, 0.75]) {
    const y = pad + (1 - level) * (height - 2 * pad);
    box.append(svg("line", { x1: pad, x2: width - pad, y1: y, y2: y, class: "grid" }));
    box.append(svg("text", { x: 2, y: y + 4, class: "axis" }, `${level * 100}%`));
  }
  const drawn = lines.filter((l) => l.points.length);
  if (!drawn.length) {
    box.append(svg("text", { x: width / 2, y: height / 2, class: "axis", "text-anchor": "middle" }, "No trades in this range"));
    return box;
  }
  const x0 = Math.min(...drawn.map((l) => l.points[0][0]));
  const x1 = Math.max(x0 + 1, ...drawn.map((l) => l.points[l.points.length - 1][0]));
  for (const { points, kind } of drawn) {
    // A single point is drawn as a level line to the right edge: the price holds until it moves.
    const line = points.length === 1 ? [points[0], [x1, points[0][1]]] : points;
    box.append(svg("path", { d: path(line, x0, x1, width, height, pad), class: kind }));
  }
  box.append(svg("text", { x: pad, y: height - 4, class: "axis" }, time(x0)));
  box.append(svg("text", { x: width - pad, y: height - 4, class: "axis", "text-anchor": "end" }, time(x1)));
  if (lines[0].points.length) {
    const last = lines[0].points[lines[0].points.length - 1][1];
    box.append(svg("text", { x: width - pad, y: 14, class: "axis", "text-anchor": "end" }, `last ${percent(last)}`));
  }
  return box;
}

/** Candles to chart points: each candle's close at its start. */
export function closes(candles) {
  return candles.map((c) => [c.start_ms, c.close_micros]);
}
