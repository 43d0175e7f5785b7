// People on this phone: search by alias or name (offline, and the server's too when online), one person's
// page (details as the user may see them, aliases, encounters), adding a person.

import { api } from "../api.js";
import { casesOnPhone } from "../cases.js";
import { fill, h, shortTime, uid } from "../dom.js";
import { listEntries, newEntry, resend } from "../outbox.js";
import { identityShown, mergeSearch, personRecord } from "../persons.js";
import {
  currentPersonId, getPerson, personLabel, referralsWhere, savePendingPerson, saveRecords, searchPersons,
} from "../records.js";
import { state } from "../store.js";
import { backLink, emptyNote, field, flash, showFieldErrors, takeFlash } from "../ui.js";
import { CASE_STATUS, NEEDS, OUTCOMES, REFERRAL_STATUS, kindByCode, labelOf } from "../vocabulary.js";
import { t } from "../i18n.js";

const OVERSIGHT = new Set(["supervisor", "admin"]);
const SEARCH_DELAY_MS = 300;

function personForm(ctx, entry) {
  const data = entry ? entry.data : {};
  const alias = h("input", { type: "text", id: uid("alias"), autocomplete: "off", maxlength: 120,
    "data-field": "display_name", value: data.display_name || "" });
  const description = h("input", { type: "text", id: uid("description"), autocomplete: "off", maxlength: 1000,
    "data-field": "description", value: data.description || "" });
  const form = h("form", { class: "entry-form", novalidate: true },
    field(t("people.alias"), alias, t("people.aliasHint")),
    field(t("people.description"), description),
    h("div", { class: "form-actions" },
      h("button", { type: "submit", class: "button primary" }, entry ? t("people.saveAgain") : t("people.add"))));
  if (entry && entry.error && entry.error.fields) showFieldErrors(form, entry.error.fields);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (showFieldErrors(form, alias.value.trim() ? {} : { display_name: [t("people.giveAlias")] })) return;
    const person = { display_name: alias.value.trim() };
    if (description.value.trim()) person.description = description.value.trim();
    if (entry) {
      await resend(ctx.db, entry.id, person);
      await savePendingPerson(ctx.db, { id: entry.id, ...person });
      await ctx.resent();
      flash(t("outbox.sentAgain", { label: person.display_name }));
      ctx.go("/outbox");
      return;
    }
    const saved = newEntry("person", person, t("people.entry", { name: person.display_name }));
    await savePendingPerson(ctx.db, { id: saved.id, ...person });
    await ctx.save([saved]);
    flash(t("people.added", { name: person.display_name }));
    ctx.go(`/person/${saved.id}`);
  });
  return form;
}

export function renderPersonFix(ctx, entry) {
  return h("div", { class: "view" }, backLink("#/outbox", t("home.outbox")), h("h1", {}, t("people.fix")),
    h("div", { class: "problem", role: "alert" }, h("p", {}, h("strong", {}, t("people.notAccepted")),
      entry.error ? entry.error.message : "")),
    personForm(ctx, entry));
}

// The server's people matching `query` (names and aliases), or null when it cannot be asked.
async function serverSearch(query) {
  if (!query.trim() || !state.online || state.authRequired) return null;
  try {
    return await api(`/persons?q=${encodeURIComponent(query.trim())}&limit=25`);
  } catch {
    return null; // offline after all, or the session ended: the phone's own hits stand
  }
}

function personLink(ctx, person) {
  if (!person.remote) {
    return h("a", { class: "choice", href: `#/person/${person.id}` }, personLabel(person),
      person.pending ? h("span", { class: "tag" }, t("cases.waiting")) : null);
  }
  // On the server only: choosing it keeps a copy on the phone, so it can be used offline afterwards.
  const keep = async () => {
    await saveRecords(ctx.db, "persons", [personRecord(person)]);
    ctx.go(`/person/${person.id}`);
  };
  return h("button", { type: "button", class: "choice", onclick: keep }, personLabel(person),
    h("span", { class: "tag" }, t("people.notHere")));
}

export async function renderList(ctx) {
  const search = h("input", { type: "search", id: uid("people-search"), autocomplete: "off", enterkeyhint: "search" });
  const results = h("ul", { class: "choices", "aria-label": t("home.people") });
  const note = h("p", { class: "hint", role: "status" });
  let asked = 0;
  let timer = null;
  const draw = (found) => {
    results.replaceChildren(...(found.length ? found.map((p) => h("li", {}, personLink(ctx, p)))
      : [h("li", { class: "empty" }, search.value ? t("people.nobody") : t("people.none"))]));
  };
  const show = async () => {
    const mine = ++asked;
    const query = search.value;
    const local = await searchPersons(ctx.db, query, 50);
    if (mine !== asked) return;
    draw(local);
    clearTimeout(timer);
    if (!query.trim()) {
      note.textContent = "";
      return;
    }
    if (!state.online || state.authRequired) {
      note.textContent = t("people.offline");
      return;
    }
    timer = setTimeout(async () => {
      const remote = await serverSearch(query);
      if (mine !== asked) return;
      if (remote === null) {
        note.textContent = t("people.notAsked");
        return;
      }
      const found = mergeSearch(await searchPersons(ctx.db, query, 50), remote);
      if (mine !== asked) return;
      draw(found);
      const more = found.filter((p) => p.remote).length;
      note.textContent = more ? t("people.more", { count: more }) : t("people.noMore");
    }, SEARCH_DELAY_MS);
  };
  search.addEventListener("input", show);
  await show();
  const add = h("details", { class: "card" }, h("summary", {}, t("people.addNew")), personForm(ctx, null));
  const view = h("div", { class: "view" }, backLink(), takeFlash(), h("h1", {}, t("home.people")),
    field(t("people.search"), search, t("people.searchHint")),
    note, results, add,
    OVERSIGHT.has(state.user.role)
      ? h("p", {}, h("a", { class: "button secondary", href: "#/duplicates" }, t("people.duplicates"))) : null);
  view.refresh = show; // new people arrive with each sync
  return view;
}

// The person's encounters the user may see: those waiting on this phone, and the server's when online.
async function encountersCard(ctx, id, pendingEntries) {
  const waiting = pendingEntries.filter((e) => e.type === "encounter" && e.data.person_id === id)
    .map((e) => ({ id: e.id, ...e.data, unsent: e.state === "waiting" ? t("cases.waiting") : t("cases.attention") }));
  let fromServer = null;
  if (state.online && !state.authRequired) {
    try {
      fromServer = (await api(`/encounters?person_id=${encodeURIComponent(id)}&per_page=50`)).items;
    } catch {
      fromServer = null;
    }
  }
  const held = new Set(waiting.map((e) => e.id));
  const all = [...waiting, ...(fromServer || []).filter((e) => !held.has(e.id))]
    .sort((a, b) => (b.occurred_at || "").localeCompare(a.occurred_at || ""));
  return h("section", { class: "card", "aria-labelledby": "person-encounters" },
    h("h2", { id: "person-encounters" }, t("history.encounters")),
    fromServer === null ? h("p", { class: "hint" }, t("people.encountersOffline")) : null,
    all.length ? h("ul", { class: "entry-list" }, all.map((e) => h("li", {},
      h("span", { class: "entry-label" }, (kindByCode(e.kind) || { label: e.kind }).label,
        e.unsent ? h("span", { class: "tag" }, e.unsent) : null),
      h("span", { class: "entry-time" }, [shortTime(e.occurred_at),
        ...(e.needs || []).map((c) => labelOf(NEEDS, c)), ...(e.outcome || []).map((c) => labelOf(OUTCOMES, c))].join(" · ")))))
      : emptyNote(fromServer === null ? t("people.noneWaiting") : t("people.noEncounters")));
}

function detailsList(person) {
  if (!identityShown(person)) {
    return [h("p", { class: "notice" }, t("people.notSharedNotice")),
    person.gender ? h("dl", { class: "details" }, h("dt", {}, t("dupes.gender")), h("dd", {}, person.gender)) : null];
  }
  const details = [[t("people.name"), [person.given_name, person.family_name].filter(Boolean).join(" ")],
    [t("dupes.born"), person.birth_year], [t("dupes.gender"), person.gender], [t("dupes.description"), person.description],
    [t("people.aka"), (person.aliases || []).join(", ")],
    [t("people.consent"), person.consent_to_share === undefined ? null : person.consent_to_share ? t("ui.yes") : t("ui.no")]]
    .filter(([, v]) => v !== null && v !== undefined && v !== "");
  return details.length ? h("dl", { class: "details" }, details.map(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))])) : null;
}

export async function renderPerson(ctx, { id }) {
  let person = await getPerson(ctx.db, id);
  const kept = person ? id : await currentPersonId(ctx.db, id);
  let mergedInto = kept !== id ? kept : null;
  if (!person && !mergedInto && state.online) {
    // Not held, but the server may show them (a link from a referral or case): kept on the phone from now.
    try {
      const found = await api(`/persons/${encodeURIComponent(id)}`);
      if (found && found.merged_into) mergedInto = found.merged_into;
      else if (found) {
        person = personRecord(found);
        await saveRecords(ctx.db, "persons", [person]);
      }
    } catch {
      person = null;
    }
  }
  if (!person && mergedInto) {
    // Merged on the server into another person: that person is the one to work with now.
    return h("div", { class: "view" }, backLink("#/people", t("home.people")), h("h1", {}, t("people.merged")),
      h("p", {}, t("people.mergedHint")),
      h("p", {}, h("a", { class: "button primary", href: `#/person/${mergedInto}` }, t("people.openKept"))));
  }
  if (!person) {
    return h("div", { class: "view" }, backLink("#/people", t("home.people")), h("h1", {}, t("people.notOnPhone")),
      emptyNote(t("people.notOnPhoneHint")));
  }
  const entries = await listEntries(ctx.db);
  const referrals = await referralsWhere(ctx.db, (r) => r.person_id === id);
  const unsent = entries.some((e) => e.id === id || (e.type === "person_update" && e.data.person_id === id));
  const cases = (await casesOnPhone(ctx.db)).filter((c) => c.person_id === id);
  const openCase = cases.find((c) => c.status === "open");
  const encounters = h("div", {});
  const view = h("div", { class: "view" }, backLink("#/people", t("home.people")), takeFlash(),
    h("h1", {}, identityShown(person) ? person.display_name : t("dupes.notShared"),
      person.pending || unsent ? h("span", { class: "tag" }, t("cases.waiting")) : null),
    detailsList(person),
    h("div", { class: "row-actions" },
      h("a", { class: "button primary", href: `#/log/interaction?person=${id}` }, t("case.logInteraction")),
      h("a", { class: "button secondary", href: `#/refer?person=${id}` }, t("people.refer")),
      state.user.role !== "admin" ? h("a", { class: "button secondary", href: `#/person/${id}/edit` }, t("people.edit")) : null,
      openCase ? h("a", { class: "button secondary", href: `#/case/${openCase.id}` }, t("intake.open"))
        : state.user.role !== "admin"
          ? h("a", { class: "button secondary", href: `#/case/new?person=${id}` }, t("intake.title")) : null),
    encounters,
    cases.length ? h("section", { class: "card", "aria-labelledby": "person-cases" },
      h("h2", { id: "person-cases" }, t("people.caseManagement")),
      h("ul", { class: "entry-list" }, cases.map((c) => h("li", {},
        h("a", { href: `#/case/${c.id}` }, c.program || t("ours.case")),
        h("span", { class: "entry-time" },
          t("people.statusAt", { status: CASE_STATUS[c.status] || c.status, time: shortTime(c.opened_at) })))))) : null,
    h("section", { class: "card", "aria-labelledby": "person-referrals" },
      h("h2", { id: "person-referrals" }, t("people.referrals")),
      referrals.length ? h("ul", { class: "entry-list" }, referrals.map((r) => h("li", {},
        h("a", { href: `#/referral/${r.id}` }, labelOf(NEEDS, r.service)),
        h("span", { class: "entry-time" }, t("people.statusAt", { status: REFERRAL_STATUS[r.status] || r.status,
          time: shortTime(r.made_at || r.received_at) })))))
        : emptyNote(t("people.noReferrals"))));
  fill(encounters, await encountersCard(ctx, id, entries));
  // After a sync: the person as the server now has them, "waiting to sync" gone, a merge followed.
  view.refresh = async () => {
    const next = await renderPerson(ctx, { id });
    const message = view.querySelector(".flash"); // what the user was just told stays until they move on
    view.replaceChildren(...next.childNodes);
    if (message) view.querySelector(".back").after(message);
  };
  return view;
}
