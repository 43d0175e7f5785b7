// One case: its state, goals, notes, programs and closure (changeable offline: each change is an outbox
// entry), and, from the last online read, the person's timeline and encounters per month around intake.

import { h, fill, shortTime } from "../dom.js";
import { caseEntry, loadCase, unsentFor, withUnsent } from "../cases.js";
import { agencies as listAgencies, getPerson, getReferral, personName, teams } from "../records.js";
import { state } from "../store.js";
import { backLink, emptyNote, flash, takeFlash } from "../ui.js";
import { CASE_STATUS, NEEDS, labelOf } from "../vocabulary.js";
import { closeSection, notesSection, programsSection } from "./case-actions.js";
import { goalsSection } from "./case-goals.js";
import { dayLabel, perMonthChart, perMonthLegend, perMonthSummary, perMonthTable, timelineList } from "./case-history.js";
import { t } from "../i18n.js";

// Admins oversee; the roles that log field work change cases.
const WRITERS = new Set(["officer", "navigator", "supervisor"]);

function statusLine(kase) {
  const today = new Date().toLocaleDateString("en-CA");
  const due = kase.status !== "closed" && kase.review_due_on && kase.review_due_on <= today;
  return h("p", { class: "case-head" },
    h("span", { class: `tag case-${kase.status}` }, CASE_STATUS[kase.status] || kase.status),
    due ? h("span", { class: "tag due" }, t("cases.reviewDue")) : null,
    kase.pending || kase.unsent ? h("span", { class: "tag" }, t("cases.waiting")) : null);
}

// The situations this case is worked in (the server lists them only to the agencies that act on them).
function situationLinks(ids) {
  if (!ids || !ids.length) return null;
  return ids.map((id, i) => [i ? " · " : null,
    h("a", { href: `#/situation/${id}` }, ids.length > 1 ? t("case.situationN", { n: i + 1 }) : t("case.seeSituation"))]);
}

async function facts(db, kase, agencyName) {
  const teamNames = new Map((await teams(db)).map((team) => [team.id, team.name]));
  const referral = kase.referral_id ? await getReferral(db, kase.referral_id) : null;
  const rows = [
    [t("case.opened"), dayLabel(kase.opened_at)],
    [t("intake.from"), referral
      ? t("case.referralTo", { service: labelOf(NEEDS, referral.service), agency: agencyName(referral.agency_id) }) : null],
    [t("case.situationTable"), situationLinks(kase.situation_ids)],
    [t("caseActions.program"), kase.program],
    [t("caseActions.agency"), kase.agency_id && !referral ? agencyName(kase.agency_id) : null],
    [t("case.lead"), kase.lead_user_id === state.user.id ? t("case.you") : kase.lead_name || null],
    [t("case.leadOfficer"), kase.officer_id === state.user.id ? t("case.you") : kase.officer_name || null],
    [t("case.team"), kase.team_id ? teamNames.get(kase.team_id) || null : null],
    [t("case.nextReview"), kase.status !== "closed" ? dayLabel(kase.review_due_on) : null],
    [t("case.trackedUntil"), dayLabel(kase.tracking_until)],
    [t("cases.closed"), kase.closed_at ? t("case.closedOn", { day: dayLabel(kase.closed_at), reason: kase.close_reason }) : null],
  ].filter(([, value]) => value);
  return h("dl", { class: "details" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function history(loaded, agencyName) {
  const detail = loaded.detail;
  if (!detail.encounters_per_month) {
    return h("section", { class: "card", "aria-labelledby": "case-history-heading" },
      h("h2", { id: "case-history-heading" }, t("case.timeline")),
      emptyNote(t("case.noTimeline")));
  }
  const measure = detail.encounters_per_month;
  return [
    h("section", { class: "card", "aria-labelledby": "per-month-heading" },
      h("h2", { id: "per-month-heading" }, t("case.perMonth")),
      h("p", {}, perMonthSummary(measure)),
      perMonthChart(measure), perMonthLegend(),
      h("details", { dataset: { key: "per-month-table" } }, h("summary", {}, t("case.asTable")), perMonthTable(measure))),
    h("section", { class: "card", "aria-labelledby": "case-timeline-heading" },
      h("h2", { id: "case-timeline-heading" }, t("case.timeline")),
      h("p", { class: "hint" }, t("case.timelineHint")),
      timelineList(detail.timeline, agencyName)),
  ];
}

// A redraw (after each sync) keeps what the user was doing: open forms, what is typed in them, the focus.
function keepForms(view) {
  const open = new Set([...view.querySelectorAll("details[open]")].map((d) => d.dataset.key));
  const keyOf = (el) => `${el.closest("details").dataset.key}/${el.dataset.field}`;
  const values = new Map([...view.querySelectorAll("details [data-field]")].map((el) => [keyOf(el), el.value]));
  const active = document.activeElement;
  const focused = active && view.contains(active) && active.matches("details[open] [data-field]") ? keyOf(active) : null;
  return {
    typing: Boolean(focused),
    restore(next) {
      for (const details of next.querySelectorAll("details")) if (open.has(details.dataset.key)) details.open = true;
      for (const el of next.querySelectorAll("details [data-field]")) {
        if (values.has(keyOf(el))) el.value = values.get(keyOf(el));
        if (keyOf(el) === focused) el.focus();
      }
    },
  };
}

export async function renderCase(ctx, { id }) {
  const view = h("div", { class: "view" });
  const canWrite = WRITERS.has(state.user.role);
  let renders = 0;
  let announce = false;
  let shown = null;
  let who = "";

  // `form`: the form the change was made in; it is emptied and folded away once the change is saved.
  const record = async (type, data, label, form = null) => {
    if (form) {
      form.reset();
      form.closest("details").open = false;
    }
    // A goal's move names only the goal; every other change names its case.
    const full = type === "case_goal_update" ? data : { case_id: id, ...data };
    await ctx.save([caseEntry(id, type, full, t("case.entry", { label, who }))]);
    flash(t("case.saved", { label }));
    announce = true;
    await rerender();
  };

  async function rerender() {
    const mine = ++renders;
    const loaded = await loadCase(ctx.db, id);
    const entries = await unsentFor(ctx.db, id);
    if (mine !== renders) return; // a later redraw has started: its data is fresher
    if (!loaded) {
      fill(view, backLink("#/cases", t("home.cases")), h("h1", {}, t("case.notHere")),
        emptyNote(t("case.notHereHint")));
      return;
    }
    const kase = withUnsent(loaded.detail, entries);
    // Nothing new (a sync that brought nothing for this case): the screen stays as it is, under the user's eyes.
    const signature = JSON.stringify([kase, loaded.stale && loaded.reason, loaded.stale && loaded.fetched_at]);
    if (signature === shown && !announce) return;
    const agencies = await listAgencies(ctx.db);
    const named = await listAgencies(ctx.db, { includeInactive: true }); // a deactivated one stays on old records
    const agencyName = (agencyId) => (named.find((a) => a.id === agencyId) || { name: t("intake.anAgency") }).name;
    who = personName(await getPerson(ctx.db, kase.person_id));
    const changeable = canWrite && kase.status !== "closed";
    const factList = await facts(ctx.db, kase, agencyName);
    if (mine !== renders) return;
    shown = signature;
    // Read what the user is doing only now, with no await until the new screen is in: a tap on the old
    // screen between the two would otherwise be lost.
    const kept = keepForms(view);
    fill(view, backLink("#/cases", t("home.cases")), takeFlash(),
      h("h1", {}, t("case.title", { who })),
      statusLine(kase),
      loaded.stale ? h("p", { class: "stale", role: "status" }, loaded.fetched_at
        ? t("case.staleAt", { reason: loaded.reason, time: shortTime(loaded.fetched_at) })
        : t("case.staleHere", { reason: loaded.reason })) : null,
      kase.attention ? h("p", { class: "problem" }, t("case.changes", { count: kase.attention }), " ",
        h("a", { href: "#/outbox" }, t("case.needAttention", { count: kase.attention })), ".") : null,
      factList,
      h("div", { class: "row-actions" },
        h("a", { class: "button secondary", href: `#/person/${kase.person_id}` }, t("case.personPage")),
        canWrite ? h("a", { class: "button secondary", href: `#/log/interaction?person=${kase.person_id}` }, t("case.logInteraction")) : null),
      goalsSection(kase, { changeable, record }),
      notesSection(kase, { canWrite, record }),
      programsSection(kase, agencies, { changeable, record }),
      history(loaded, agencyName),
      changeable ? closeSection({ record }) : null);
    kept.restore(view);
    if (announce) {
      announce = false;
      const message = view.querySelector(".flash");
      // The saved message takes the focus, unless the user is already typing the next thing.
      if (message && !kept.typing) {
        message.tabIndex = -1;
        message.focus();
      }
    }
  }

  await rerender();
  view.refresh = rerender;
  return view;
}
