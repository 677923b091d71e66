// Charts drawn as SVG by hand: a sparkline for a card and a probability chart for a market's
// page. Probabilities live in [0, 1], so the vertical axis is fixed and needs no scaling logic.

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

/** The probability over time, with gridlines at 25% steps and the first and last times. */
export function probabilityChart(points, label, width = 640, height = 240) {
  const box = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, class: "chart", preserveAspectRatio: "none" });
  const pad = 24;
  for (const level of [0.25, 0.5, 0.75]) {
    const y = pad + (1 - level) * (height - 2 * pad);
    box.append(svg("line", { x1: pad, x2: width - pad, y1: y, y2: y, class: "grid" }));
    box.append(svg("text", { x: 2, y: y + 4, class: "axis" }, `${level * 100}%`));
  }
  if (points.length === 0) {
    box.append(svg("text", { x: width / 2, y: height / 2, class: "axis", "text-anchor": "middle" }, "No trades in this range"));
    return box;
  }
  const x0 = points[0][0];
  const x1 = points[points.length - 1][0];
  const line = points.length === 1 ? [points[0], [x0 + 1, points[0][1]]] : points;
  box.append(svg("path", { d: path(line, x0, Math.max(x1, x0 + 1), width, height, pad), class: "line" }));
  box.append(svg("text", { x: pad, y: height - 4, class: "axis" }, time(x0)));
  box.append(svg("text", { x: width - pad, y: height - 4, class: "axis", "text-anchor": "end" }, time(x1)));
  const last = points[points.length - 1][1];
  box.append(svg("text", { x: width - pad, y: 14, class: "axis", "text-anchor": "end" }, `last ${percent(last)}`));
  return box;
}

/** Candles to chart points: each candle's close at its start. */
export function closes(candles) {
  return candles.map((c) => [c.start_ms, c.close_micros]);
}
