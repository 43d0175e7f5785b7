// My cases: the cases the user may see (GET /cases when online, the phone's copy offline), active first.

import { fill, h, shortTime, uid } from "../dom.js";
import { casesOnPhone, refreshCaseList } from "../cases.js";
import { getPerson, personName, teams } from "../records.js";
import { state } from "../store.js";
import { backLink, emptyNote, takeFlash } from "../ui.js";
import { CASE_STATUS } from "../vocabulary.js";
import { dayLabel } from "./case-history.js";

// "Lead: Jo Navigator · Team 3": who carries the case, on the list and on the case.
export function leadAndTeam(kase, teamNames) {
  const lead = kase.lead_user_id === state.user.id ? "you" : kase.lead_name || null;
  const team = kase.team_id ? teamNames.get(kase.team_id) : null;
  return [lead ? `Lead: ${lead}` : "No lead yet", team ? `Team: ${team}` : null].filter(Boolean).join(" · ");
}

async function caseItem(db, kase, today, teamNames) {
  const due = kase.status !== "closed" && kase.review_due_on && kase.review_due_on <= today;
  return h("li", {},
    h("p", { class: "case-line" }, h("a", { href: `#/case/${kase.id}` }, personName(await getPerson(db, kase.person_id))),
      h("span", { class: `tag case-${kase.status}` }, CASE_STATUS[kase.status] || kase.status),
      due ? h("span", { class: "tag due" }, "Review due") : null,
      kase.pending || kase.unsent ? h("span", { class: "tag" }, "waiting to sync") : null,
      kase.attention ? h("span", { class: "tag" }, "needs attention") : null),
    h("p", { class: "hint" }, [kase.program, `opened ${dayLabel(kase.opened_at)}`].filter(Boolean).join(" · ")),
    h("p", { class: "hint case-lead" }, leadAndTeam(kase, teamNames)));
}

export async function renderList(ctx) {
  const body = h("div", {});
  const title = state.user.role === "supervisor" || state.user.role === "admin" ? "Cases" : "My cases";
  const rerender = async () => {
    const loaded = await refreshCaseList(ctx.db);
    const all = await casesOnPhone(ctx.db);
    const today = new Date().toLocaleDateString("en-CA");
    const teamNames = new Map((await teams(ctx.db)).map((t) => [t.id, t.name]));
    const groups = [["Active", all.filter((c) => c.status !== "closed")], ["Closed", all.filter((c) => c.status === "closed")]];
    const sections = [];
    for (const [name, list] of groups) {
      const id = uid("cases-group");
      const items = [];
      for (const kase of list.slice(0, 100)) items.push(await caseItem(ctx.db, kase, today, teamNames));
      sections.push(h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, `${name} (${list.length})`),
        items.length ? h("ul", { class: "case-list" }, items) : emptyNote(`No ${name.toLowerCase()} cases.`)));
    }
    fill(body, takeFlash(),
      loaded.stale ? h("p", { class: "stale", role: "status" }, loaded.at
        ? `${loaded.reason}: showing the cases as loaded at ${shortTime(loaded.at)}` : `${loaded.reason}: showing the cases on this phone.`) : null,
      h("p", { class: "hint" }, "To open a case, take a person into case management from their page or from an accepted referral."),
      sections);
  };
  await rerender();
  const view = h("div", { class: "view" }, backLink(), h("h1", {}, title), body);
  view.refresh = rerender;
  return view;
}
