// Choosing the person an encounter or referral is about: search the people on this phone, or add a new
// person under an alias (a `person` entry that goes into the outbox ahead of the record naming it).

import { h, uid } from "../dom.js";
import { newEntry } from "../outbox.js";
import { getPerson, personLabel, searchPersons } from "../records.js";
import { field } from "../ui.js";
import { t } from "../i18n.js";

export async function personPicker(db, { required = false, personId = null, legend = t("intake.person") } = {}) {
  let chosen = personId ? await getPerson(db, personId) : null;
  if (personId && !chosen) chosen = { id: personId, display_name: t("person.notHere") };
  let adding = false;
  let element = null;

  const searchId = uid("person-search");
  const search = h("input", { type: "search", id: searchId, autocomplete: "off", enterkeyhint: "search" });
  const results = h("ul", { class: "choices", "aria-label": t("picker.matching") });
  const chosenBox = h("div", { class: "chosen" });
  const alias = h("input", { type: "text", id: uid("alias"), autocomplete: "off", maxlength: 120, "data-field": "display_name" });
  const description = h("input", { type: "text", id: uid("person-description"), autocomplete: "off", maxlength: 1000 });
  const addBox = h("div", { class: "add-person", hidden: true },
    field(t("people.alias"), alias, t("people.aliasHint")),
    field(t("people.description"), description, t("edit.descriptionHint")));
  const addButton = h("button", { type: "button", class: "button secondary", "aria-expanded": "false" }, t("people.addNew"));
  const searchBox = h("div", { class: "person-search" }, field(t("picker.find"), search), results, addButton);

  function show() {
    chosenBox.replaceChildren();
    if (chosen) {
      chosenBox.append(h("p", {}, h("span", { class: "chosen-name" }, personLabel(chosen)),
        chosen.pending ? h("span", { class: "tag" }, t("cases.waiting")) : null),
        h("button", { type: "button", class: "button quiet", onclick: () => { chosen = null; show(); search.focus(); } },
          t("picker.someoneElse")));
    }
    searchBox.hidden = Boolean(chosen) || adding;
    addBox.hidden = !adding || Boolean(chosen);
    addButton.setAttribute("aria-expanded", String(adding));
    // The form hears a person chosen or dropped as a change (its "Choose the person" message clears).
    if (element) element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  async function find() {
    const query = search.value.trim();
    results.replaceChildren();
    if (!query) return;
    const found = await searchPersons(db, query, 8);
    if (!found.length) {
      results.append(h("li", { class: "empty" }, t("people.nobody")));
      return;
    }
    for (const person of found) {
      results.append(h("li", {}, h("button", { type: "button", class: "choice",
        onclick: () => { chosen = person; show(); } }, personLabel(person))));
    }
  }

  search.addEventListener("input", find);
  addButton.addEventListener("click", () => {
    adding = true;
    alias.value = search.value.trim();
    show();
    alias.focus();
  });
  const cancelAdd = h("button", { type: "button", class: "button quiet", onclick: () => { adding = false; show(); search.focus(); } },
    t("picker.searchInstead"));
  addBox.append(cancelAdd);
  show();

  element = h("fieldset", { class: "person-picker", "data-field": "person_id" },
    h("legend", {}, required ? legend : t("picker.optional", { legend })), chosenBox, searchBox, addBox);

  return {
    element,
    // Chooses this person (a record from the phone), as a tap on them in the results would.
    choose(person) {
      chosen = person;
      adding = false;
      show();
    },
    // Problems to show, as {field: [messages]}; empty when fine.
    problems() {
      if (adding && !alias.value.trim()) return { display_name: [t("picker.giveAlias")] };
      if (required && !chosen && !adding) return { person_id: [t("picker.choose")] };
      return {};
    },
    // The person id to record, and the entry creating that person when they are new.
    resolve() {
      if (chosen) return { personId: chosen.id, person: chosen, entry: null };
      if (!adding) return { personId: null, person: null, entry: null };
      const data = { display_name: alias.value.trim() };
      if (description.value.trim()) data.description = description.value.trim();
      const entry = newEntry("person", data, t("people.entry", { name: data.display_name }));
      return { personId: entry.id, person: { id: entry.id, ...data }, entry };
    },
  };
}
