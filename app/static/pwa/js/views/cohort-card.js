// The heavy-users measure for cases in case management (GET /stats/cohort), in a window of its own: the intake
// days, the program and how many months each side of intake (12 or 24), apart from the published figures'
// period. The last answer for each window is kept on the phone, shown offline "as of" its time.

import { api } from "../api.js";
import { fill, h, uid } from "../dom.js";
import { formatNumber, t } from "../i18n.js";
import { field } from "../ui.js";
import { asOfLine, fetchKept, longDay, n, problemText } from "./figures.js";

export const COHORT_MONTHS = [["12", t("history.months", { count: 12 })], ["24", t("history.months", { count: 24 })]];

/** The query for the window: the days and the program only when given, the months always. */
export function cohortQuery({ from = "", to = "", program = "", months = "12" } = {}) {
  const query = new URLSearchParams();
  if (from) query.set("intake_from", from);
  if (to) query.set("intake_to", to);
  if (program.trim()) query.set("program", program.trim());
  query.set("months", months);
  return query;
}

const missing = (value) => value === null || value === undefined;
// A median per case, or "–" when there is no case to take it from.
const median = (value) => (missing(value) ? "–" : formatNumber(value));

/** The measure in words, for a GET /stats/cohort answer. */
export function cohortText(c) {
  const change = missing(c.change_pct) ? t("cohort.noChange")
    : t("cohort.change", { change: formatNumber(c.change_pct, { signDisplay: "exceptZero" }) });
  const span = c.months > 12 ? 24 : 12;
  const cases = t("cohort.cases", { count: Number(c.cases || 0) });
  const [from, to] = [longDay(c.intake_from), longDay(c.intake_to)];
  const people = t("figures.people", { count: Number(c.people || 0) });
  return t("cohort.text", {
    opened: c.program ? t("cohort.openedIn", { cases, from, to, program: c.program, people })
      : t("cohort.opened", { cases, from, to, people }),
    before: t("cohort.encounters", { count: Number(c.before_total || 0) }),
    months: t("history.months", { count: Number(c.months) }), after: n(c.after_total), change,
    beforeMedian: median(c.before_median), afterMedian: median(c.after_median),
    complete: t("cohort.complete", { count: Number((span > 12 ? c.complete_24_months : c.complete_12_months) || 0),
      months: t("history.months", { count: span }) }) });
}

export function cohortCard(db) {
  const from = h("input", { type: "date", id: uid("intake-from") });
  const to = h("input", { type: "date", id: uid("intake-to") });
  const program = h("input", { type: "text", id: uid("program"), maxlength: 160, autocomplete: "off" });
  const months = h("select", { id: uid("months") }, COHORT_MONTHS.map(([value, label]) => h("option", { value }, label)));
  const out = h("div", { "aria-live": "polite" });
  let shown = 0;

  const show = async () => {
    const mine = ++shown;
    const query = cohortQuery({ from: from.value, to: to.value, program: program.value, months: months.value });
    fill(out, h("p", { class: "hint" }, t("figures.counting")));
    let kept;
    try {
      kept = await fetchKept(db, `cohort:${query}`, () => api(`/stats/cohort?${query}`));
    } catch (error) {
      if (mine === shown) fill(out, h("p", { class: "problem", role: "alert" }, problemText(error)));
      return;
    }
    if (mine === shown) fill(out, asOfLine(kept), h("p", { class: "cohort" }, cohortText(kept.value)));
  };
  for (const control of [from, to, program, months]) control.addEventListener("change", () => show());

  const card = h("section", { class: "card cohort-card", "aria-labelledby": "cohort-heading" },
    h("h2", { id: "cohort-heading" }, t("cohort.title")),
    h("p", { class: "hint" }, t("cohort.hint")),
    h("div", { class: "cohort-window" },
      field(t("cohort.from"), from), field(t("cohort.to"), to)),
    field(t("intake.program"), program, t("cohort.programHint")),
    field(t("cohort.months"), months),
    out);
  card.load = show;
  return card;
}
