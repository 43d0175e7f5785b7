// The 30-day chart: stacked bars per kind of encounter, as SVG, with a table as its text alternative.

import { h, svg } from "../dom.js";
import { KINDS } from "../vocabulary.js";
import { formatDate, t } from "../i18n.js";

const WIDTH = 320;
const HEIGHT = 180;
const PAD = { left: 28, right: 4, top: 8, bottom: 22 };

const total = (day) => KINDS.reduce((sum, k) => sum + (day[k.code] || 0), 0);
const shortDate = (iso) => formatDate(`${iso}T12:00:00`, { month: "short", day: "numeric" });

// The axis top: the smallest of 5, 10, 15, 20, 25, 50, 100, 150, ... at or above the busiest day.
function niceMax(value) {
  if (value <= 5) return 5;
  const step = 10 ** Math.floor(Math.log10(value));
  return [1, 1.5, 2, 2.5, 5, 10].map((f) => f * step).find((top) => top >= value);
}

export function dailyChart(days, titleText) {
  const top = niceMax(Math.max(0, ...days.map(total)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(days.length, 1);
  const y = (v) => PAD.top + plotH - (v / top) * plotH;
  const sum = days.reduce((s, d) => s + total(d), 0);
  const busiest = days.reduce((best, d) => (total(d) > total(best) ? d : best), days[0] || {});
  const description = days.length
    ? t("chart.days", { sum, from: shortDate(days[0].date), to: shortDate(days[days.length - 1].date),
      busiest: shortDate(busiest.date), most: total(busiest) })
    : t("chart.noDays");

  const parts = [2, 3, 5].find((n) => Number.isInteger(top / n)) || 1;
  const ticks = Array.from({ length: parts + 1 }, (_, n) => (top / parts) * n);
  const grid = ticks.map((v) => [
    svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v), class: "grid" }),
    svg("text", { x: PAD.left - 4, y: y(v) + 4, class: "axis", "text-anchor": "end" }, String(v)),
  ]);
  const bars = days.map((day, i) => {
    let base = 0;
    return KINDS.map((kind) => {
      const n = day[kind.code] || 0;
      if (!n) return null;
      const rect = svg("rect", { x: (PAD.left + i * slot + 1).toFixed(1), width: Math.max(slot - 2, 1).toFixed(1),
        y: y(base + n).toFixed(1), height: (y(base) - y(base + n)).toFixed(1), class: `bar k-${kind.code}` });
      base += n;
      return rect;
    });
  });
  // A date under every 7th bar and the last one, unless the last would crowd the one before it.
  const last = days.length - 1;
  const labels = days.map((day, i) => {
    if (!((i % 7 === 0 && last - i >= 4) || i === last)) return null;
    // The first and last dates are aligned to their bar's outer edge, so they stay inside the chart.
    const [x, anchor] = i === 0 ? [PAD.left + 1, "start"]
      : i === last ? [PAD.left + (i + 1) * slot - 1, "end"] : [PAD.left + i * slot + slot / 2, "middle"];
    return svg("text", { x, y: HEIGHT - 6, class: "axis", "text-anchor": anchor }, shortDate(day.date));
  });

  return svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-labelledby": "chart-title chart-desc",
    class: "chart", focusable: "false" },
  svg("title", { id: "chart-title" }, titleText), svg("desc", { id: "chart-desc" }, description),
  grid, bars, labels);
}

export function legend() {
  return h("ul", { class: "legend", "aria-label": t("history.colours") }, KINDS.map((kind) =>
    h("li", {}, h("span", { class: `swatch k-${kind.code}`, "aria-hidden": "true" }), kind.label)));
}

export function dailyTable(days, caption) {
  return h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": caption },
    h("table", { class: "counts" },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("chart.day")),
        KINDS.map((k) => h("th", { scope: "col" }, h("abbr", { title: k.label }, k.short))))),
      h("tbody", {}, days.map((day) => h("tr", {}, h("th", { scope: "row" }, shortDate(day.date)),
        KINDS.map((k) => h("td", {}, String(day[k.code] || 0))))))));
}

// Horizontal bars, one per row ({label, value}), in the same style; the table after it has the numbers.
export function barChart(rows, titleText, id) {
  const rowH = 18;
  const labelW = 120;
  const height = PAD.top + rows.length * rowH + 4;
  const top = niceMax(Math.max(0, ...rows.map((r) => r.value)));
  const x = (v) => labelW + (v / top) * (WIDTH - labelW - 36);
  const description = rows.map((r) => `${r.label} ${r.value}`).join(", ") || t("chart.nothing");
  return svg("svg", { viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-labelledby": `${id}-title ${id}-desc`,
    class: "chart", focusable: "false" },
  svg("title", { id: `${id}-title` }, titleText), svg("desc", { id: `${id}-desc` }, description),
  rows.map((r, i) => {
    const y = PAD.top + i * rowH;
    return [
      svg("text", { x: labelW - 4, y: y + 12, class: "axis", "text-anchor": "end" }, r.label),
      svg("rect", { x: labelW, y: y + 2, width: Math.max(x(r.value) - labelW, r.value ? 1 : 0).toFixed(1),
        height: rowH - 5, class: "bar k-interaction" }),
      svg("text", { x: x(r.value) + 3, y: y + 12, class: "axis" }, String(r.value)),
    ];
  }));
}

export function pairsTable(rows, caption, heading = t("chart.count")) {
  return h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": caption },
    h("table", { class: "counts" }, h("caption", {}, caption),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("chart.what")), h("th", { scope: "col" }, heading))),
      h("tbody", {}, rows.map((r) => h("tr", {}, h("th", { scope: "row" }, r.label), h("td", {}, String(r.value)))))));
}
