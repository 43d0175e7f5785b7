// People on this phone: search by alias or name (offline), one person's page, adding a person.

import { casesOnPhone } from "../cases.js";
import { h, shortTime, uid } from "../dom.js";
import { listEntries, newEntry, resend } from "../outbox.js";
import { getPerson, personLabel, referralsWhere, savePendingPerson, searchPersons } from "../records.js";
import { state } from "../store.js";
import { backLink, emptyNote, field, flash, showFieldErrors, takeFlash } from "../ui.js";
import { CASE_STATUS, NEEDS, REFERRAL_STATUS, labelOf } from "../vocabulary.js";

function personForm(ctx, entry) {
  const data = entry ? entry.data : {};
  const alias = h("input", { type: "text", id: uid("alias"), autocomplete: "off", maxlength: 120,
    "data-field": "display_name", value: data.display_name || "" });
  const description = h("input", { type: "text", id: uid("description"), autocomplete: "off", maxlength: 1000,
    "data-field": "description", value: data.description || "" });
  const form = h("form", { class: "entry-form", novalidate: true },
    field("Alias or name", alias, "An alias is enough."),
    field("Description (optional)", description),
    h("div", { class: "form-actions" },
      h("button", { type: "submit", class: "button primary" }, entry ? "Save and send again" : "Add person")));
  if (entry && entry.error && entry.error.fields) showFieldErrors(form, entry.error.fields);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (showFieldErrors(form, alias.value.trim() ? {} : { display_name: ["Give an alias or name."] })) return;
    const person = { display_name: alias.value.trim() };
    if (description.value.trim()) person.description = description.value.trim();
    if (entry) {
      await resend(ctx.db, entry.id, person);
      await savePendingPerson(ctx.db, { id: entry.id, ...person });
      await ctx.resent();
      flash(`${person.display_name}: sent again.`);
      ctx.go("/outbox");
      return;
    }
    const saved = newEntry("person", person, `New person · ${person.display_name}`);
    await savePendingPerson(ctx.db, { id: saved.id, ...person });
    await ctx.save([saved]);
    flash(`${person.display_name} added on this phone. The new person will sync by itself.`);
    ctx.go(`/person/${saved.id}`);
  });
  return form;
}

export function renderPersonFix(ctx, entry) {
  return h("div", { class: "view" }, backLink("#/outbox", "Outbox"), h("h1", {}, "Fix person"),
    h("div", { class: "problem", role: "alert" }, h("p", {}, h("strong", {}, "The server did not accept this person: "),
      entry.error ? entry.error.message : "")),
    personForm(ctx, entry));
}

export async function renderList(ctx) {
  const search = h("input", { type: "search", id: uid("people-search"), autocomplete: "off", enterkeyhint: "search" });
  const results = h("ul", { class: "choices", "aria-live": "polite", "aria-label": "People" });
  const show = async () => {
    const found = await searchPersons(ctx.db, search.value, 50);
    results.replaceChildren(...(found.length ? found.map((p) => h("li", {},
      h("a", { class: "choice", href: `#/person/${p.id}` }, personLabel(p),
        p.pending ? h("span", { class: "tag" }, "waiting to sync") : null)))
      : [h("li", { class: "empty" }, search.value ? "Nobody by that name on this phone." : "No people on this phone yet.")]));
  };
  search.addEventListener("input", show);
  await show();
  const add = h("details", { class: "card" }, h("summary", {}, "Add a new person"), personForm(ctx, null));
  const view = h("div", { class: "view" }, backLink(), takeFlash(), h("h1", {}, "People"),
    field("Search by alias or name", search, "Searches the people on this phone; works offline."), results, add);
  view.refresh = show; // new people arrive with each sync
  return view;
}

export async function renderPerson(ctx, { id }) {
  const person = await getPerson(ctx.db, id);
  if (!person) {
    return h("div", { class: "view" }, backLink("#/people", "People"), h("h1", {}, "Person not on this phone"),
      emptyNote("This person is not among the records kept on this phone."));
  }
  const waitingUpdates = await listEntries(ctx.db);
  const referrals = await referralsWhere(ctx.db, (r) => r.person_id === id);
  const details = [["Name", [person.given_name, person.family_name].filter(Boolean).join(" ")],
    ["Born", person.birth_year], ["Description", person.description]].filter(([, v]) => v);
  const unsent = waitingUpdates.some((e) => e.id === id);
  const cases = (await casesOnPhone(ctx.db)).filter((c) => c.person_id === id);
  const openCase = cases.find((c) => c.status === "open");
  return h("div", { class: "view" }, backLink("#/people", "People"), takeFlash(),
    h("h1", {}, person.display_name, person.pending || unsent ? h("span", { class: "tag" }, "waiting to sync") : null),
    details.length ? h("dl", { class: "details" }, details.map(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))])) : null,
    h("div", { class: "row-actions" },
      h("a", { class: "button primary", href: `#/log/interaction?person=${id}` }, "Log an interaction"),
      h("a", { class: "button secondary", href: `#/refer?person=${id}` }, "Make a referral"),
      openCase ? h("a", { class: "button secondary", href: `#/case/${openCase.id}` }, "Open the case")
        : state.user.role !== "admin"
          ? h("a", { class: "button secondary", href: `#/case/new?person=${id}` }, "Take into case management") : null),
    cases.length ? h("section", { class: "card", "aria-labelledby": "person-cases" },
      h("h2", { id: "person-cases" }, "Case management"),
      h("ul", { class: "entry-list" }, cases.map((c) => h("li", {},
        h("a", { href: `#/case/${c.id}` }, c.program || "Case"),
        h("span", { class: "entry-time" }, `${CASE_STATUS[c.status] || c.status} · ${shortTime(c.opened_at)}`))))) : null,
    h("section", { class: "card", "aria-labelledby": "person-referrals" },
      h("h2", { id: "person-referrals" }, "Referrals"),
      referrals.length ? h("ul", { class: "entry-list" }, referrals.map((r) => h("li", {},
        h("a", { href: `#/referral/${r.id}` }, labelOf(NEEDS, r.service)),
        h("span", { class: "entry-time" }, `${REFERRAL_STATUS[r.status] || r.status} · ${shortTime(r.made_at || r.received_at)}`))))
        : emptyNote("No referrals on this phone.")));
}
