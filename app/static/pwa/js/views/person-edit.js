// Changing a person's details: a `person_update` entry in the outbox, made on the version the phone holds
// (works offline). Only the fields changed go; a user who sees the person masked (no consent for their
// agency) gets no identifying field in the form. Also the fix of such an entry the server sent back.

import { h, uid } from "../dom.js";
import { discard, newEntry } from "../outbox.js";
import {
  MAX_ALIAS_LENGTH, MAX_ALIASES, changedFields, cleanAliases, identityShown, locallyChanged, updateData,
} from "../persons.js";
import { getPerson, saveRecords } from "../records.js";
import { backLink, checkWith, emptyNote, field, flash, showFieldErrors } from "../ui.js";
import { t } from "../i18n.js";

function textInput(name, value, maxlength, extra = {}) {
  return h("input", { type: "text", id: uid(name), autocomplete: "off", maxlength, "data-field": name,
    value: value ?? "", ...extra });
}

// The aliases as a list the user adds to and removes from (each with its own large Remove button).
function aliasEditor(initial) {
  let aliases = cleanAliases(initial);
  const list = h("ul", { class: "alias-list", "aria-label": t("dupes.aliases") });
  const input = h("input", { type: "text", id: uid("new-alias"), autocomplete: "off", maxlength: MAX_ALIAS_LENGTH,
    enterkeyhint: "done" });
  const status = h("p", { class: "hint", role: "status" });
  const addButton = h("button", { type: "button", class: "button secondary" }, t("edit.addAlias"));
  const draw = () => {
    list.replaceChildren(...(aliases.length ? aliases.map((alias, i) => h("li", {},
      h("span", { class: "alias-name" }, alias),
      h("button", { type: "button", class: "button quiet", "aria-label": t("edit.removeAlias", { alias }),
        onclick: () => {
          aliases = aliases.filter((_, j) => j !== i);
          status.textContent = t("edit.removed", { alias });
          draw();
          input.focus();
        } },
      t("edit.remove"))))
      : [h("li", { class: "empty" }, t("edit.noAliases"))]));
    addButton.disabled = aliases.length >= MAX_ALIASES;
  };
  const add = () => {
    const alias = input.value.trim();
    if (!alias) return;
    const next = cleanAliases([...aliases, alias]);
    status.textContent = next.length === aliases.length
      ? (aliases.length >= MAX_ALIASES ? t("edit.atMost", { max: MAX_ALIASES }) : t("edit.listed", { alias })) : t("edit.added", { alias });
    aliases = next;
    input.value = "";
    draw();
    input.focus();
  };
  addButton.addEventListener("click", add);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      add();
    }
  });
  draw();
  const element = h("fieldset", { class: "aliases", "data-field": "aliases" },
    h("legend", {}, t("edit.aliases")), list,
    field(t("edit.newAlias"), input, t("edit.upTo", { max: MAX_ALIASES })), addButton, status);
  return { element, values: () => aliases };
}

function conflictNote(entry) {
  if (!entry || !entry.error) return null;
  return h("div", { class: "problem", role: "alert" },
    h("p", {}, h("strong", {}, entry.error.code === "conflict" ? t("edit.notSaved") : t("edit.notAccepted")),
      entry.error.message),
    h("p", {}, t("edit.serverCopy")));
}

// `id`: the person; `entry`: a person_update the server sent back (its data is put over the person).
export async function render(ctx, { id, entry = null }) {
  const personId = entry ? entry.data.person_id : id;
  // After a conflict the phone's copy is the server's (sync.js kept `current`): the change is made again on it.
  const person = (await getPerson(ctx.db, personId)) || (entry && entry.current) || null;
  if (!person) {
    return h("div", { class: "view" }, backLink("#/people", t("home.people")), h("h1", {}, t("people.notOnPhone")),
      emptyNote(t("edit.onlyHere")));
  }
  const full = identityShown(person);
  const shown = entry ? { ...person, ...entry.data } : person;
  const displayName = full ? textInput("display_name", shown.display_name, 120) : null;
  const givenName = full ? textInput("given_name", shown.given_name, 120, { autocomplete: "off" }) : null;
  const familyName = full ? textInput("family_name", shown.family_name, 120) : null;
  const birthYear = full ? h("input", { type: "text", inputmode: "numeric", id: uid("birth-year"), autocomplete: "off",
    maxlength: 4, pattern: "[0-9]*", "data-field": "birth_year", value: shown.birth_year ?? "" }) : null;
  const gender = textInput("gender", shown.gender, 40);
  const description = full ? h("textarea", { id: uid("description"), rows: 3, maxlength: 1000, "data-field": "description",
    value: shown.description ?? "" }) : null;
  const aliases = full ? aliasEditor(shown.aliases) : null;
  const consent = full ? h("input", { type: "checkbox", id: uid("consent"), checked: Boolean(shown.consent_to_share),
    "data-field": "consent_to_share" }) : null;

  const form = h("form", { class: "entry-form", novalidate: true },
    conflictNote(entry),
    full ? null : h("p", { class: "notice" }, t("edit.genderOnly")),
    full ? field(t("edit.nameUsed"), displayName, t("people.aliasHint")) : null,
    full ? field(t("edit.given"), givenName) : null,
    full ? field(t("edit.family"), familyName) : null,
    full ? field(t("edit.birthYear"), birthYear, t("edit.birthYearHint")) : null,
    field(t("edit.gender"), gender),
    full ? field(t("people.description"), description, t("edit.descriptionHint")) : null,
    full ? aliases.element : null,
    full ? h("div", { class: "field check" }, consent,
      h("label", { for: consent.id }, t("edit.consent")),
      h("p", { class: "hint" }, t("edit.consentHint"))) : null,
    h("div", { class: "form-actions" },
      h("button", { type: "submit", class: "button primary" }, entry ? t("people.saveAgain") : t("edit.save")),
      h("a", { class: "button quiet", href: entry ? "#/outbox" : `#/person/${personId}` }, t("ui.cancel"))));
  if (entry && entry.error && entry.error.fields) showFieldErrors(form, entry.error.fields);

  const check = () => {
    const problems = {};
    if (!full) return problems;
    const year = birthYear.value.trim();
    if (!displayName.value.trim()) problems.display_name = [t("edit.giveName")];
    if (year && !(/^\d{4}$/.test(year) && Number(year) >= 1900 && Number(year) <= 2100)) {
      problems.birth_year = [t("edit.yearDigits")];
    }
    return problems;
  };
  checkWith(form, check);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problems = check();
    const values = { gender: gender.value.trim() || null };
    if (full) {
      const year = birthYear.value.trim();
      Object.assign(values, {
        display_name: displayName.value.trim(), given_name: givenName.value.trim() || null,
        family_name: familyName.value.trim() || null, birth_year: year ? Number(year) : null,
        description: description.value.trim() || null, aliases: aliases.values(), consent_to_share: consent.checked,
      });
    }
    if (showFieldErrors(form, problems)) return;
    const changes = changedFields(person, values);
    if (!Object.keys(changes).length) {
      flash(t("edit.nothing"));
      ctx.go(entry ? "/outbox" : `/person/${personId}`);
      return;
    }
    const name = full ? values.display_name : t("edit.aPerson");
    // Saved on the phone first: the sync that saving starts then brings the server's copy over it.
    await saveRecords(ctx.db, "persons", [locallyChanged(person, changes)]);
    const saved = newEntry("person_update", updateData(person, changes), t("edit.entry", { name }));
    if (entry) {
      // Made again on the server's version, under a fresh id: the id sent back holds no change of ours.
      await discard(ctx.db, entry.id);
      await ctx.save([saved]);
      flash(t("edit.sentAgain", { name }));
      ctx.go("/outbox");
      return;
    }
    await ctx.save([saved]);
    flash(t("edit.saved", { name }));
    ctx.go(`/person/${personId}`);
  });

  return h("div", { class: "view" }, backLink(entry ? "#/outbox" : `#/person/${personId}`, entry ? t("home.outbox") : t("ui.back")),
    h("h1", {}, full ? t("edit.title", { name: person.display_name }) : t("edit.titlePerson")), form);
}
