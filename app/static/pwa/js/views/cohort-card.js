// The heavy-users measure for cases in case management (GET /stats/cohort), in a window of its own: the intake
// days, the program and how many months each side of intake (12 or 24), apart from the published figures'
// period. The last answer for each window is kept on the phone, shown offline "as of" its time.

import { api } from "../api.js";
import { fill, h, uid } from "../dom.js";
import { field } from "../ui.js";
import { asOfLine, fetchKept, longDay, n, problemText } from "./figures.js";

export const COHORT_MONTHS = [["12", "12 months"], ["24", "24 months"]];

/** The query for the window: the days and the program only when given, the months always. */
export function cohortQuery({ from = "", to = "", program = "", months = "12" } = {}) {
  const query = new URLSearchParams();
  if (from) query.set("intake_from", from);
  if (to) query.set("intake_to", to);
  if (program.trim()) query.set("program", program.trim());
  query.set("months", months);
  return query;
}

/** The measure in words, for a GET /stats/cohort answer. */
export function cohortText(c) {
  const pct = c.change_pct === null || c.change_pct === undefined ? "no change measured yet"
    : `${c.change_pct > 0 ? "+" : ""}${c.change_pct}%`;
  const complete = c.months > 12 ? c.complete_24_months : c.complete_12_months;
  return `${n(c.cases)} cases opened from ${longDay(c.intake_from)} to ${longDay(c.intake_to)}`
    + `${c.program ? ` in ${c.program}` : ""} (${n(c.people)} people): ${n(c.before_total)} encounters in the `
    + `${c.months} months before intake, ${n(c.after_total)} after (${pct}); median per case `
    + `${c.before_median ?? "–"} before, ${c.after_median ?? "–"} after. `
    + `${n(complete)} cases have ${c.months > 12 ? 24 : 12} months of follow-up.`;
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
    fill(out, h("p", { class: "hint" }, "Counting…"));
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
    h("h2", { id: "cohort-heading" }, "Heavy users in case management"),
    h("p", { class: "hint" }, "Encounters with each person before and after intake, for the cases opened in these days (a day left empty: from the first case, or up to today)."),
    h("div", { class: "cohort-window" },
      field("Intake from", from), field("Intake to", to)),
    field("Program (optional)", program, "Exactly as recorded at intake; empty for every program."),
    field("Months before and after intake", months),
    out);
  card.load = show;
  return card;
}
