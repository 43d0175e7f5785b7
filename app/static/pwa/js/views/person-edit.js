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

function textInput(name, value, maxlength, extra = {}) {
  return h("input", { type: "text", id: uid(name), autocomplete: "off", maxlength, "data-field": name,
    value: value ?? "", ...extra });
}

// The aliases as a list the user adds to and removes from (each with its own large Remove button).
function aliasEditor(initial) {
  let aliases = cleanAliases(initial);
  const list = h("ul", { class: "alias-list", "aria-label": "Aliases" });
  const input = h("input", { type: "text", id: uid("new-alias"), autocomplete: "off", maxlength: MAX_ALIAS_LENGTH,
    enterkeyhint: "done" });
  const status = h("p", { class: "hint", role: "status" });
  const addButton = h("button", { type: "button", class: "button secondary" }, "Add alias");
  const draw = () => {
    list.replaceChildren(...(aliases.length ? aliases.map((alias, i) => h("li", {},
      h("span", { class: "alias-name" }, alias),
      h("button", { type: "button", class: "button quiet", "aria-label": `Remove alias ${alias}`,
        onclick: () => { aliases = aliases.filter((_, j) => j !== i); status.textContent = `Removed ${alias}.`; draw(); input.focus(); } },
      "Remove")))
      : [h("li", { class: "empty" }, "No aliases yet.")]));
    addButton.disabled = aliases.length >= MAX_ALIASES;
  };
  const add = () => {
    const alias = input.value.trim();
    if (!alias) return;
    const next = cleanAliases([...aliases, alias]);
    status.textContent = next.length === aliases.length
      ? (aliases.length >= MAX_ALIASES ? `At most ${MAX_ALIASES} aliases.` : `${alias} is already listed.`) : `Added ${alias}.`;
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
    h("legend", {}, "Aliases (street names)"), list,
    field("New alias", input, `Up to ${MAX_ALIASES} aliases.`), addButton, status);
  return { element, values: () => aliases };
}

function conflictNote(entry) {
  if (!entry || !entry.error) return null;
  return h("div", { class: "problem", role: "alert" },
    h("p", {}, h("strong", {}, entry.error.code === "conflict" ? "Not saved: " : "The server did not accept this change: "),
      entry.error.message),
    h("p", {}, "The form below shows the person as the server holds them now, with your change on top."));
}

// `id`: the person; `entry`: a person_update the server sent back (its data is put over the person).
export async function render(ctx, { id, entry = null }) {
  const personId = entry ? entry.data.person_id : id;
  // After a conflict the phone's copy is the server's (sync.js kept `current`): the change is made again on it.
  const person = (await getPerson(ctx.db, personId)) || (entry && entry.current) || null;
  if (!person) {
    return h("div", { class: "view" }, backLink("#/people", "People"), h("h1", {}, "Person not on this phone"),
      emptyNote("Only the people kept on this phone can be changed here."));
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
    full ? null : h("p", { class: "notice" }, "This person has not consented to share their details with your agency: "
      + "only their gender can be changed here."),
    full ? field("Name used", displayName, "An alias is enough.") : null,
    full ? field("Given name (optional)", givenName) : null,
    full ? field("Family name (optional)", familyName) : null,
    full ? field("Birth year (optional)", birthYear, "Four digits, e.g. 1984.") : null,
    field("Gender (optional)", gender),
    full ? field("Description (optional)", description, "What helps the team recognise them; no more than needed.") : null,
    full ? aliases.element : null,
    full ? h("div", { class: "field check" }, consent,
      h("label", { for: consent.id }, "The person agreed to share their details with the agencies they are referred to"),
      h("p", { class: "hint" }, "Turning this off hides their identity from those agencies again.")) : null,
    h("div", { class: "form-actions" },
      h("button", { type: "submit", class: "button primary" }, entry ? "Save and send again" : "Save changes"),
      h("a", { class: "button quiet", href: entry ? "#/outbox" : `#/person/${personId}` }, "Cancel")));
  if (entry && entry.error && entry.error.fields) showFieldErrors(form, entry.error.fields);

  const check = () => {
    const problems = {};
    if (!full) return problems;
    const year = birthYear.value.trim();
    if (!displayName.value.trim()) problems.display_name = ["Give a name or alias."];
    if (year && !(/^\d{4}$/.test(year) && Number(year) >= 1900 && Number(year) <= 2100)) {
      problems.birth_year = ["Give the year as four digits, between 1900 and 2100."];
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
      flash("Nothing was changed.");
      ctx.go(entry ? "/outbox" : `/person/${personId}`);
      return;
    }
    const name = full ? values.display_name : "a person";
    // Saved on the phone first: the sync that saving starts then brings the server's copy over it.
    await saveRecords(ctx.db, "persons", [locallyChanged(person, changes)]);
    const saved = newEntry("person_update", updateData(person, changes), `Change · ${name}`);
    if (entry) {
      // Made again on the server's version, under a fresh id: the id sent back holds no change of ours.
      await discard(ctx.db, entry.id);
      await ctx.save([saved]);
      flash(`Change to ${name}: sent again.`);
      ctx.go("/outbox");
      return;
    }
    await ctx.save([saved]);
    flash(`Changes to ${name} saved on this phone. They will sync by themselves.`);
    ctx.go(`/person/${personId}`);
  });

  return h("div", { class: "view" }, backLink(entry ? "#/outbox" : `#/person/${personId}`, entry ? "Outbox" : "Back"),
    h("h1", {}, full ? `Edit ${person.display_name}` : "Edit person"), form);
}
