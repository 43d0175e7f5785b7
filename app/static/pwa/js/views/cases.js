// My cases: the cases the user may see (GET /cases when online, the phone's copy offline), active first.

import { fill, h, shortTime, uid } from "../dom.js";
import { casesOnPhone, refreshCaseList } from "../cases.js";
import { getPerson, personName, teams } from "../records.js";
import { state } from "../store.js";
import { backLink, emptyNote, takeFlash } from "../ui.js";
import { CASE_STATUS } from "../vocabulary.js";
import { dayLabel } from "./case-history.js";
import { t } from "../i18n.js";

// "Lead: Jo Navigator · Team 3": who carries the case, on the list and on the case.
export function leadAndTeam(kase, teamNames) {
  const lead = kase.lead_user_id === state.user.id ? t("cases.you") : kase.lead_name || null;
  const team = kase.team_id ? teamNames.get(kase.team_id) : null;
  return [lead ? t("cases.lead", { lead }) : t("cases.noLead"), team ? t("cases.team", { team }) : null].filter(Boolean).join(" · ");
}

async function caseItem(db, kase, today, teamNames) {
  const due = kase.status !== "closed" && kase.review_due_on && kase.review_due_on <= today;
  return h("li", {},
    h("p", { class: "case-line" }, h("a", { href: `#/case/${kase.id}` }, personName(await getPerson(db, kase.person_id))),
      h("span", { class: `tag case-${kase.status}` }, CASE_STATUS[kase.status] || kase.status),
      due ? h("span", { class: "tag due" }, t("cases.reviewDue")) : null,
      kase.pending || kase.unsent ? h("span", { class: "tag" }, t("cases.waiting")) : null,
      kase.attention ? h("span", { class: "tag" }, t("cases.attention")) : null),
    h("p", { class: "hint" }, [kase.program, t("cases.openedOn", { day: dayLabel(kase.opened_at) })].filter(Boolean).join(" · ")),
    h("p", { class: "hint case-lead" }, leadAndTeam(kase, teamNames)));
}

export async function renderList(ctx) {
  const body = h("div", {});
  const title = state.user.role === "supervisor" || state.user.role === "admin" ? t("home.cases") : t("home.myCases");
  const rerender = async () => {
    const loaded = await refreshCaseList(ctx.db);
    const all = await casesOnPhone(ctx.db);
    const today = new Date().toLocaleDateString("en-CA");
    const teamNames = new Map((await teams(ctx.db)).map((team) => [team.id, team.name]));
    const groups = [[t("cases.active"), all.filter((c) => c.status !== "closed"), t("cases.noActive")],
      [t("cases.closed"), all.filter((c) => c.status === "closed"), t("cases.noClosed")]];
    const sections = [];
    for (const [name, list, none] of groups) {
      const id = uid("cases-group");
      const items = [];
      for (const kase of list.slice(0, 100)) items.push(await caseItem(ctx.db, kase, today, teamNames));
      sections.push(h("section", { class: "card", "aria-labelledby": id },
        h("h2", { id }, t("cases.group", { name, count: list.length })),
        items.length ? h("ul", { class: "case-list" }, items) : emptyNote(none)));
    }
    fill(body, takeFlash(),
      loaded.stale ? h("p", { class: "stale", role: "status" }, loaded.at
        ? t("cases.staleAt", { reason: loaded.reason, time: shortTime(loaded.at) })
        : t("cases.staleHere", { reason: loaded.reason })) : null,
      h("p", { class: "hint" }, t("cases.howToOpen")),
      sections);
  };
  await rerender();
  const view = h("div", { class: "view" }, backLink(), h("h1", {}, title), body);
  view.refresh = rerender;
  return view;
}
