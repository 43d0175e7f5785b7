// Referrals: a navigator's agency inbox (accept, decline, complete; offline too, synced as referral_update),
// the referrals an officer made, and one referral's page.

import { ApiError, NetworkError, api } from "../api.js";
import { fill, h, rfc3339, shortTime, uid } from "../dom.js";
import { casesOnPhone } from "../cases.js";
import { listEntries, newEntry } from "../outbox.js";
import { agencies, getPerson, getReferral, personLabel, referralsWhere, saveRecords, teams } from "../records.js";
import { state } from "../store.js";
import { backLink, choose, emptyNote, flash, takeFlash } from "../ui.js";
import { NEEDS, REFERRAL_STATUS, URGENCIES, labelOf } from "../vocabulary.js";
import { t } from "../i18n.js";

const ACTIONS = {
  pending: [["accepted", t("referrals.accept"), "primary"], ["declined", t("referrals.decline"), "secondary"]],
  accepted: [["completed", t("referrals.complete"), "primary"], ["no_show", t("referrals.noShow"), "secondary"]],
};
// The referring side may only withdraw a referral that is still open.
const REFERRER_ACTIONS = { pending: [["withdrawn", t("referrals.withdraw"), "secondary"]],
  accepted: [["withdrawn", t("referrals.withdraw"), "secondary"]] };
// Moves that close a referral against the person's interest: asked again before they go into the outbox.
const CONFIRM = {
  declined: [t("referrals.decline"), t("referrals.declineIt"), t("referrals.declineWhat")],
  no_show: [t("referrals.markAsNoShow"), t("referrals.markNoShow"), t("referrals.noShowWhat")],
  withdrawn: [t("referrals.withdraw"), t("referrals.withdrawIt"), t("referrals.withdrawWhat")],
};
const DONE = { accepted: t("referrals.d_accepted"), declined: t("referrals.d_declined"), completed: t("referrals.d_completed"),
  no_show: t("referrals.d_no_show"), withdrawn: t("referrals.d_withdrawn") };

// Updates made on this phone that the server has not confirmed yet, per referral, in order.
async function unsentUpdates(db) {
  const byReferral = new Map();
  for (const entry of await listEntries(db)) {
    if (entry.type !== "referral_update") continue;
    const list = byReferral.get(entry.data.referral_id) || [];
    list.push(entry);
    byReferral.set(entry.data.referral_id, list);
  }
  return byReferral;
}

function effective(referral, updates) {
  const list = updates.get(referral.id) || [];
  const last = list[list.length - 1];
  return { status: last ? last.data.status : referral.status, unsent: list.length, attention: list.some((e) => e.state === "attention") };
}

// Past its answer deadline (due_at, from the server's REFERRAL_RESPONSE_HOURS) and still pending here. The
// phone's clock decides between syncs, so the badge appears on time offline too; records synced before
// due_at existed fall back to the server's own verdict.
export function isOverdue(referral, status, now = Date.now()) {
  if (status !== "pending") return false;
  if (referral.due_at) return Date.parse(referral.due_at) < now;
  return referral.overdue === true;
}

async function personName(db, referral) {
  if (referral.person) {
    return referral.person.display_name ? personLabel(referral.person) : t("person.notShared");
  }
  if (referral.person_display_name) return referral.person_display_name;
  const person = referral.person_id ? await getPerson(db, referral.person_id) : null;
  if (person) return personLabel(person);
  return referral.consent_obtained ? t("referrals.onFile") : t("person.notShared");
}

async function act(ctx, referral, updates, status, noteInput, who) {
  if (CONFIRM[status]) {
    const [verb, yes, what] = CONFIRM[status];
    const service = labelOf(NEEDS, referral.service).toLowerCase();
    const choice = await choose({ title: t("referrals.confirmTitle", { verb, service, who }),
      body: [t("referrals.confirmBody", { what })],
      choices: [{ label: t("referrals.keepOpen"), value: "keep", tone: "secondary" }, { label: yes, value: "go", tone: "danger" }] });
    if (choice !== "go") return false;
  }
  const pending = (updates.get(referral.id) || []).length;
  const data = { referral_id: referral.id, status, base_version: (referral.version || 1) + pending, occurred_at: rfc3339() };
  if (noteInput && noteInput.value.trim()) data.note = noteInput.value.trim();
  const label = t("referrals.entry", { done: DONE[status], service: labelOf(NEEDS, referral.service) });
  await ctx.save([newEntry("referral_update", data, label)]);
  flash(t("case.saved", { label }));
  return true;
}

// Who made the referral, as far as this phone knows: the user, or the referring team.
function referredBy(referral, teamNames) {
  if (referral.author_id === state.user.id) return t("cases.you");
  const team = referral.team_id ? teamNames.get(referral.team_id) : null;
  return team ? t("referrals.theTeam", { team }) : t("referrals.anotherTeam");
}

// The receiving agency takes an accepted (or completed) referral's person into case management.
function caseLink(cases, referral, status) {
  if (!["accepted", "completed"].includes(status)) return null;
  const opened = cases.find((c) => c.referral_id === referral.id);
  return opened ? h("a", { class: "button secondary", href: `#/case/${opened.id}` }, t("intake.open"))
    : h("a", { class: "button secondary", href: `#/case/new?referral=${referral.id}` }, t("intake.title"));
}

async function referralCard(ctx, referral, updates, agencyNames, rerender, { navigator, cases = [], teamNames = new Map(),
  detail = false }) {
  const now = effective(referral, updates);
  const receiving = navigator && referral.agency_id === state.user.agency_id;
  const intake = receiving ? caseLink(cases, referral, now.status) : null;
  const referring = !receiving && referral.author_id === state.user.id;
  const actions = (receiving ? ACTIONS[now.status] : referring ? REFERRER_ACTIONS[now.status] : null) || [];
  const noteId = uid("note");
  const note = actions.length ? h("input", { type: "text", id: noteId, maxlength: 2000, autocomplete: "off" }) : null;
  const who = await personName(ctx.db, referral);
  const button = ([status, text, tone]) => h("button", { type: "button", class: `button ${tone}`,
    onclick: async () => { if (await act(ctx, referral, updates, status, note, who)) await rerender(); } }, text);
  // The move that closes the referral against the person sits apart from the one that helps them.
  const closing = actions.filter(([status]) => CONFIRM[status]);
  const helping = actions.filter(([status]) => !CONFIRM[status]);
  const tags = [h("span", { class: `tag urgency-${referral.urgency}` }, labelOf(URGENCIES, referral.urgency)),
    isOverdue(referral, now.status) ? h("span", { class: "tag overdue" }, t("referrals.overdue")) : null];
  return h("li", { class: `referral-card urgency-${referral.urgency}` },
    // On the referral's own page the heading names the service; the card does not link to itself.
    detail ? h("p", { class: "referral-head" }, tags)
      : h("p", { class: "referral-head" }, h("a", { href: `#/referral/${referral.id}` }, labelOf(NEEDS, referral.service)), tags),
    h("p", {}, who),
    h("p", { class: "hint" }, [navigator ? null : agencyNames.get(referral.agency_id), REFERRAL_STATUS[now.status] || now.status,
      shortTime(referral.made_at || referral.received_at)].filter(Boolean).join(" · "),
    now.unsent ? h("span", { class: "tag" }, now.attention ? t("cases.attention") : t("cases.waiting")) : null),
    !detail && receiving ? h("p", { class: "referral-from" }, referral.notes
      ? t("referrals.byWithNote", { by: referredBy(referral, teamNames), note: referral.notes })
      : t("referrals.by", { by: referredBy(referral, teamNames) })) : null,
    note ? h("div", { class: "field compact" }, h("label", { for: noteId }, t("referrals.note")), note) : null,
    helping.length || intake ? h("div", { class: "row-actions" }, intake, helping.map(button)) : null,
    closing.length ? h("div", { class: "row-actions apart" }, closing.map(button)) : null);
}

export async function renderInbox(ctx) {
  const navigator = state.user.role === "navigator";
  const body = h("div", {});
  const rerender = async () => {
    const updates = await unsentUpdates(ctx.db);
    const cases = navigator ? await casesOnPhone(ctx.db) : [];
    const agencyNames = new Map((await agencies(ctx.db, { includeInactive: true })).map((a) => [a.id, a.short_name || a.name]));
    const teamNames = new Map((await teams(ctx.db)).map((team) => [team.id, team.name]));
    const mine = await referralsWhere(ctx.db, navigator ? (r) => r.agency_id === state.user.agency_id
      : (r) => r.author_id === state.user.id);
    const groups = navigator
      ? [[t("referrals.new"), (r) => effective(r, updates).status === "pending", t("referrals.noNew")],
        [t("referrals.accepted"), (r) => effective(r, updates).status === "accepted", t("referrals.noAccepted")],
        [t("referrals.closed"), (r) => !["pending", "accepted"].includes(effective(r, updates).status), t("referrals.noClosed")]]
      : [[t("referrals.open"), (r) => ["pending", "accepted"].includes(effective(r, updates).status), t("referrals.noOpen")],
        [t("referrals.closed"), (r) => !["pending", "accepted"].includes(effective(r, updates).status), t("referrals.noClosed")]];
    const sections = [];
    for (const [title, test, none] of groups) {
      const list = mine.filter(test);
      const id = uid("group");
      const cards = [];
      for (const r of list.slice(0, 50)) cards.push(await referralCard(ctx, r, updates, agencyNames, rerender,
        { navigator, cases, teamNames }));
      sections.push(h("section", { class: "card", "aria-labelledby": id },
        h("h2", { id }, t("cases.group", { name: title, count: list.length })),
        cards.length ? h("ul", { class: "referral-list" }, cards) : emptyNote(none)));
    }
    fill(body, takeFlash(), sections);
  };
  await rerender();
  const view = h("div", { class: "view" }, backLink(), h("h1", {}, navigator ? t("home.inbox") : t("home.myReferrals")), body);
  view.refresh = rerender;
  return view;
}

export async function renderReferral(ctx, { id }) {
  let referral = await getReferral(ctx.db, id);
  let note = null;
  try {
    referral = await api(`/referrals/${encodeURIComponent(id)}`);
    await saveRecords(ctx.db, "referrals", [referral]);
  } catch (error) {
    if (error instanceof NetworkError) note = t("referrals.offline");
    else if (!(error instanceof ApiError && error.status === 404 && referral)) note = referral ? null : error.message;
  }
  if (!referral) {
    return h("div", { class: "view" }, backLink("#/inbox", t("people.referrals")), h("h1", {}, t("intake.referral")),
      emptyNote(note || t("referrals.notHere")));
  }
  const view = h("div", { class: "view" });
  const rerender = async () => {
    const updates = await unsentUpdates(ctx.db);
    const agencyNames = new Map((await agencies(ctx.db, { includeInactive: true })).map((a) => [a.id, a.name]));
    const teamNames = new Map((await teams(ctx.db)).map((team) => [team.id, team.name]));
    const history = referral.history || [];
    fill(view, backLink("#/inbox", t("people.referrals")), takeFlash(),
      h("h1", {}, t("referrals.title", { service: labelOf(NEEDS, referral.service) })),
      note ? h("p", { class: "hint" }, note) : null,
      h("ul", { class: "referral-list" }, await referralCard(ctx, referral, updates, agencyNames, rerender,
        { navigator: state.user.role === "navigator", cases: await casesOnPhone(ctx.db), teamNames, detail: true })),
      h("dl", { class: "details" },
        h("dt", {}, t("caseActions.agency")), h("dd", {}, agencyNames.get(referral.agency_id) || "—"),
        h("dt", {}, t("referrals.referredBy")), h("dd", {}, referredBy(referral, teamNames)),
        h("dt", {}, t("people.consent")), h("dd", {}, referral.consent_obtained ? t("ui.yes") : t("ui.no")),
        referral.notes ? [h("dt", {}, t("caseActions.notes")), h("dd", {}, referral.notes)] : null),
      history.length ? h("section", { class: "card", "aria-labelledby": "history-heading" },
        h("h2", { id: "history-heading" }, t("referrals.history")),
        h("ol", { class: "entry-list" }, history.map((event) => h("li", {},
          h("span", {}, REFERRAL_STATUS[event.to_status || event.status] || event.to_status || event.status),
          h("span", { class: "entry-time" }, shortTime(event.at)))))) : null);
  };
  await rerender();
  view.refresh = rerender;
  return view;
}
