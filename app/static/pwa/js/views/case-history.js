// The case's history as GET /cases/<id> gives it: the person's timeline (encounters, referrals, goals,
// transitions by date) and the heavy-users measure, encounters per month before and after intake, as a
// small SVG bar chart with the same numbers in a table.

import { h, svg, uid } from "../dom.js";
import { GOAL_STATUS, KINDS, NEEDS, REFERRAL_STATUS, labelOf } from "../vocabulary.js";
import { formatDate, t } from "../i18n.js";

const WIDTH = 320;
const HEIGHT = 150;
const PAD = { left: 24, right: 4, top: 8, bottom: 22 };

// A day as people say it. A date (2026-11-20) is that day wherever the phone is; a time is shown on the
// phone's own calendar. The year only when it is not this one.
function asDate(iso) {
  return iso.length === 10 ? new Date(`${iso}T12:00:00`) : new Date(iso);
}

export function dayLabel(iso) {
  if (!iso) return "";
  const date = asDate(iso);
  const thisYear = date.getFullYear() === new Date().getFullYear();
  return formatDate(date, { month: "short", day: "numeric", year: thisYear ? undefined : "numeric" });
}

const shortDay = (iso) => formatDate(asDate(iso), { month: "short", day: "numeric" });
const kindLabel = (code) => (KINDS.find((k) => k.code === code) || { label: code }).label;

function describe(item, agencyName) {
  switch (item.type) {
    case "case_opened": return item.program ? t("history.openedFor", { program: item.program }) : t("history.opened");
    case "encounter": return item.triage_level ? t("history.encounterLevel", { kind: kindLabel(item.kind), level: item.triage_level })
      : kindLabel(item.kind);
    case "referral": return t("history.referral", { service: labelOf(NEEDS, item.service), agency: agencyName(item.agency_id),
      status: (REFERRAL_STATUS[item.status] || item.status || "").toLowerCase() });
    case "goal_set": return t("history.goalSet", { goal: item.description });
    case "goal_status": return t("history.goalStatus", { status: (GOAL_STATUS[item.status] || item.status).toLowerCase(),
      goal: item.description });
    case "transition": return t("history.transition", { program: item.program, agency: agencyName(item.agency_id) });
    case "case_closed": return t("history.closed", { reason: item.description });
    default: return item.type;
  }
}

export function timelineList(items, agencyName) {
  if (!items || !items.length) return h("p", { class: "empty" }, t("history.none"));
  return h("ol", { class: "timeline" }, items.map((item) => h("li", { class: `t-${item.type}` },
    h("span", { class: "when" }, dayLabel(item.on)), h("p", { class: "what" }, describe(item, agencyName)))));
}

const months = (n) => t("history.months", { count: n });

function slots(measure) {
  return [
    ...measure.before.map((m) => ({ ...m, side: "before", label: t("history.before", { months: months(-m.month) }) })),
    { month: 0, first_day: measure.intake_on, last_day: measure.intake_on, count: measure.intake_day, complete: true,
      side: "intake", label: t("history.intakeDay") },
    ...measure.after.map((m) => ({ ...m, side: "after", label: t("history.after", { months: months(m.month) }) })),
  ];
}

export function perMonthSummary(measure) {
  return t("history.summary", { before: measure.before_total, months: measure.months, intake: measure.intake_day,
    after: measure.after_total, complete: measure.complete_months_after });
}

function niceTop(value) {
  return [2, 5, 10, 20, 50, 100, 200, 500].find((top) => top >= value) || Math.ceil(value / 100) * 100;
}

export function perMonthChart(measure) {
  const all = slots(measure);
  const top = niceTop(Math.max(1, ...all.map((m) => m.count)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / all.length;
  const y = (v) => PAD.top + plotH - (v / top) * plotH;
  const intakeX = PAD.left + measure.before.length * slot + slot / 2;
  const titleId = uid("measure-title");
  const descId = uid("measure-desc");
  const bars = all.map((m, i) => (m.count ? svg("rect", { x: (PAD.left + i * slot + 1).toFixed(1), width: Math.max(slot - 2, 1).toFixed(1),
    y: y(m.count).toFixed(1), height: (y(0) - y(m.count)).toFixed(1),
    class: `bar ${m.side === "before" ? "before" : "after"}${m.complete ? "" : " partial"}` }) : null));
  return svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-labelledby": `${titleId} ${descId}`,
    class: "chart", focusable: "false" },
  svg("title", { id: titleId }, t("history.chartTitle")),
  svg("desc", { id: descId }, t("history.chartDesc", { months: measure.months })),
  [0, top / 2, top].map((v) => [
    svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v), class: "grid" }),
    svg("text", { x: PAD.left - 4, y: y(v) + 4, class: "axis", "text-anchor": "end" }, String(v))]),
  bars,
  svg("line", { x1: intakeX, x2: intakeX, y1: PAD.top, y2: y(0), class: "intake" }),
  svg("text", { x: PAD.left + 1, y: HEIGHT - 6, class: "axis", "text-anchor": "start" }, t("history.moBefore", { months: measure.months })),
  svg("text", { x: intakeX, y: HEIGHT - 6, class: "axis", "text-anchor": "middle" }, t("history.intake")),
  svg("text", { x: WIDTH - PAD.right - 1, y: HEIGHT - 6, class: "axis", "text-anchor": "end" },
    t("history.moAfter", { months: measure.months })));
}

export function perMonthLegend() {
  return h("ul", { class: "legend", "aria-label": t("history.colours") },
    h("li", {}, h("span", { class: "swatch before", "aria-hidden": "true" }), t("history.beforeIntake")),
    h("li", {}, h("span", { class: "swatch after", "aria-hidden": "true" }), t("history.afterIntake")));
}

function countText(month) {
  if (month.complete) return String(month.count);
  const today = new Date().toLocaleDateString("en-CA");
  return month.first_day > today ? t("history.notYet") : t("history.soFar", { count: month.count });
}

export function perMonthTable(measure) {
  const caption = t("history.caption");
  return h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": caption },
    h("table", { class: "counts" },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("history.month")), h("th", { scope: "col" }, t("history.encounters")))),
      h("tbody", {}, slots(measure).map((m) => h("tr", {},
        h("th", { scope: "row" }, m.label, h("span", { class: "days" },
          m.first_day === m.last_day ? shortDay(m.first_day)
            : t("history.range", { from: shortDay(m.first_day), to: shortDay(m.last_day) }))),
        h("td", {}, countText(m)))))));
}
