// One case: its state, goals, notes, programs and closure (changeable offline: each change is an outbox
// entry), and, from the last online read, the person's timeline and encounters per month around intake.

import { h, fill, shortTime } from "../dom.js";
import { caseEntry, loadCase, unsentFor, withUnsent } from "../cases.js";
import { agencies as listAgencies, getPerson, getReferral, personName, teams } from "../records.js";
import { plural, state } from "../store.js";
import { backLink, emptyNote, flash, takeFlash } from "../ui.js";
import { CASE_STATUS, NEEDS, labelOf } from "../vocabulary.js";
import { closeSection, notesSection, programsSection } from "./case-actions.js";
import { goalsSection } from "./case-goals.js";
import { dayLabel, perMonthChart, perMonthLegend, perMonthSummary, perMonthTable, timelineList } from "./case-history.js";

// Admins oversee; the roles that log field work change cases.
const WRITERS = new Set(["officer", "navigator", "supervisor"]);

function statusLine(kase) {
  const today = new Date().toLocaleDateString("en-CA");
  const due = kase.status !== "closed" && kase.review_due_on && kase.review_due_on <= today;
  return h("p", { class: "case-head" },
    h("span", { class: `tag case-${kase.status}` }, CASE_STATUS[kase.status] || kase.status),
    due ? h("span", { class: "tag due" }, "Review due") : null,
    kase.pending || kase.unsent ? h("span", { class: "tag" }, "waiting to sync") : null);
}

// The situations this case is worked in (the server lists them only to the agencies that act on them).
function situationLinks(ids) {
  if (!ids || !ids.length) return null;
  return ids.map((id, i) => [i ? " · " : null,
    h("a", { href: `#/situation/${id}` }, ids.length > 1 ? `Situation ${i + 1}` : "See the situation")]);
}

async function facts(db, kase, agencyName) {
  const teamNames = new Map((await teams(db)).map((team) => [team.id, team.name]));
  const referral = kase.referral_id ? await getReferral(db, kase.referral_id) : null;
  const rows = [
    ["Opened", dayLabel(kase.opened_at)],
    ["From", referral ? `${labelOf(NEEDS, referral.service)} referral to ${agencyName(referral.agency_id)}` : null],
    ["Situation table", situationLinks(kase.situation_ids)],
    ["Program", kase.program],
    ["Agency", kase.agency_id && !referral ? agencyName(kase.agency_id) : null],
    ["Lead", kase.lead_user_id === state.user.id ? "You" : kase.lead_name || null],
    ["Lead officer", kase.officer_id === state.user.id ? "You" : kase.officer_name || null],
    ["Team", kase.team_id ? teamNames.get(kase.team_id) || null : null],
    ["Next review", kase.status !== "closed" ? dayLabel(kase.review_due_on) : null],
    ["Tracked until", dayLabel(kase.tracking_until)],
    ["Closed", kase.closed_at ? `${dayLabel(kase.closed_at)}: ${kase.close_reason}` : null],
  ].filter(([, value]) => value);
  return h("dl", { class: "details" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function history(loaded, agencyName) {
  const detail = loaded.detail;
  if (!detail.encounters_per_month) {
    return h("section", { class: "card", "aria-labelledby": "case-history-heading" },
      h("h2", { id: "case-history-heading" }, "Timeline"),
      emptyNote("The timeline and the encounters per month show once the phone has read this case from the server."));
  }
  const measure = detail.encounters_per_month;
  return [
    h("section", { class: "card", "aria-labelledby": "per-month-heading" },
      h("h2", { id: "per-month-heading" }, "Encounters per month"),
      h("p", {}, perMonthSummary(measure)),
      perMonthChart(measure), perMonthLegend(),
      h("details", { dataset: { key: "per-month-table" } }, h("summary", {}, "The same numbers as a table"), perMonthTable(measure))),
    h("section", { class: "card", "aria-labelledby": "case-timeline-heading" },
      h("h2", { id: "case-timeline-heading" }, "Timeline"),
      h("p", { class: "hint" }, "Encounters, referrals, goals and transitions, oldest first."),
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
    await ctx.save([caseEntry(id, type, full, `${label} · ${who}`)]);
    flash(`${label}: saved on this phone.`);
    announce = true;
    await rerender();
  };

  async function rerender() {
    const mine = ++renders;
    const loaded = await loadCase(ctx.db, id);
    const entries = await unsentFor(ctx.db, id);
    if (mine !== renders) return; // a later redraw has started: its data is fresher
    if (!loaded) {
      fill(view, backLink("#/cases", "Cases"), h("h1", {}, "Case not on this phone"),
        emptyNote("This case is not among the records kept on this phone."));
      return;
    }
    const kase = withUnsent(loaded.detail, entries);
    // Nothing new (a sync that brought nothing for this case): the screen stays as it is, under the user's eyes.
    const signature = JSON.stringify([kase, loaded.stale && loaded.reason, loaded.stale && loaded.fetched_at]);
    if (signature === shown && !announce) return;
    const agencies = await listAgencies(ctx.db);
    const named = await listAgencies(ctx.db, { includeInactive: true }); // a deactivated one stays on old records
    const agencyName = (agencyId) => (named.find((a) => a.id === agencyId) || { name: "a partner agency" }).name;
    who = personName(await getPerson(ctx.db, kase.person_id));
    const changeable = canWrite && kase.status !== "closed";
    const factList = await facts(ctx.db, kase, agencyName);
    if (mine !== renders) return;
    shown = signature;
    // Read what the user is doing only now, with no await until the new screen is in: a tap on the old
    // screen between the two would otherwise be lost.
    const kept = keepForms(view);
    fill(view, backLink("#/cases", "Cases"), takeFlash(),
      h("h1", {}, `Case: ${who}`),
      statusLine(kase),
      loaded.stale ? h("p", { class: "stale", role: "status" }, loaded.fetched_at
        ? `${loaded.reason}: showing this case as read at ${shortTime(loaded.fetched_at)}, with your changes since.`
        : `${loaded.reason}: showing what this phone holds.`) : null,
      kase.attention ? h("p", { class: "problem" }, `${plural(kase.attention, "change", "changes")} to this case `,
        h("a", { href: "#/outbox" }, kase.attention === 1 ? "needs attention in the outbox" : "need attention in the outbox"), ".") : null,
      factList,
      h("div", { class: "row-actions" },
        h("a", { class: "button secondary", href: `#/person/${kase.person_id}` }, "Person’s page"),
        canWrite ? h("a", { class: "button secondary", href: `#/log/interaction?person=${kase.person_id}` }, "Log an interaction") : null),
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
