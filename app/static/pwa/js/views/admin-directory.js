// Teams, partner agencies and sites: add, edit, deactivate. Phones receive the changes with their next
// sync; a deactivated one stays on old records but is no longer offered for new ones.

import { ApiError, api } from "../api.js";
import { h, uid } from "../dom.js";
import { backLink, checkedValues, emptyNote, field, flash, showFieldErrors, takeFlash } from "../ui.js";
import { NEEDS } from "../vocabulary.js";
import { problemText } from "./admin.js";

const GROUPS = [["core", "Core"], ["branch", "Branch"]];
const SITE_KINDS = [["shelter", "Shelter"], ["drop_in", "Drop-in"], ["clinic", "Clinic"], ["other", "Other"]];

const KINDS = {
  teams: { title: "Teams", one: "team", fields: ["name", "division", "group"] },
  agencies: { title: "Partner agencies", one: "partner agency", fields: ["name", "short_name", "phone", "services"] },
  sites: { title: "Sites", one: "site", fields: ["name", "kind", "agency_id", "address"] },
};

const LABELS = { name: "Name", division: "Division", group: "Group", short_name: "Short name", phone: "Phone number",
  services: "Services offered", kind: "Kind", agency_id: "Run by", address: "Address" };

function control(name, row, agencies) {
  const id = uid(name);
  const value = row[name];
  const options = (pairs, empty) => h("select", { id, name, "data-field": name },
    empty === null ? null : h("option", { value: "" }, empty),
    pairs.map(([code, label]) => h("option", { value: String(code), selected: String(code) === String(value ?? "") }, label)));
  if (name === "group") return field(LABELS[name], options(GROUPS, "Not set"), "Reporting groups teams by it.");
  if (name === "kind") return field(LABELS[name], options(SITE_KINDS, null));
  if (name === "agency_id") {
    return field(LABELS[name], options(agencies.filter((a) => a.active !== false || a.id === value).map((a) => [a.id, a.name]), "No agency"));
  }
  if (name === "services") {
    // One set of checkboxes per agency on the page: ids of their own (ui.js's toggles would repeat them).
    return h("fieldset", { class: "toggles", "data-field": name }, h("legend", {}, LABELS[name]),
      h("div", { class: "chips" }, NEEDS.map(([code, label]) => {
        const box = uid(`service-${code}`);
        return h("div", { class: "chip" },
          h("input", { type: "checkbox", id: box, name, value: code, checked: (value || []).includes(code) }),
          h("label", { for: box }, label));
      })));
  }
  return field(LABELS[name], h("input", { type: name === "phone" ? "tel" : "text", id, name, "data-field": name,
    value: value ?? "", autocomplete: "off", required: name === "name" }));
}

function valuesOf(form, names) {
  const values = {};
  for (const name of names) {
    if (name === "services") {
      values.services = checkedValues(form, "services");
      continue;
    }
    const raw = form.elements[name].value.trim();
    values[name] = name === "agency_id" ? (raw ? Number(raw) : null) : (raw || (name === "name" || name === "kind" ? raw : null));
  }
  return values;
}

function editor(kind, row, agencies, onSaved) {
  const spec = KINDS[kind];
  const problem = h("p", { class: "problem", role: "alert", hidden: true });
  const isNew = row.id === undefined;
  const form = h("form", { class: "entry-form", novalidate: true },
    spec.fields.map((name) => control(name, row, agencies)), problem,
    h("div", { class: "form-actions" },
      h("button", { type: "submit", class: "button primary" }, isNew ? `Add ${spec.one}` : "Save changes"),
      isNew ? null : h("button", { type: "button", class: row.active === false ? "button secondary" : "button danger",
        onclick: () => save({ active: row.active === false }) }, row.active === false ? "Reactivate" : "Deactivate")));
  async function save(values) {
    problem.hidden = true;
    showFieldErrors(form, {});
    try {
      const saved = await api(isNew ? `/${kind}` : `/${kind}/${row.id}`, { method: isNew ? "POST" : "PATCH", body: values });
      onSaved(saved, isNew);
    } catch (error) {
      const shown = error instanceof ApiError && error.fields && showFieldErrors(form, error.fields);
      if (!shown) {
        problem.textContent = problemText(error);
        problem.hidden = false;
      }
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(valuesOf(form, spec.fields));
  });
  return form;
}

function summary(kind, row, agencies) {
  if (kind === "teams") return [row.division, row.group].filter(Boolean).join(" · ");
  if (kind === "agencies") return [row.short_name, row.phone, `${(row.services || []).length} services`].filter(Boolean).join(" · ");
  const agency = agencies.find((a) => a.id === row.agency_id);
  return [SITE_KINDS.find(([c]) => c === row.kind)?.[1], agency && agency.name].filter(Boolean).join(" · ");
}

export async function render(ctx, { kind }) {
  const spec = KINDS[kind];
  let rows;
  let agencies;
  try {
    [rows, agencies] = await Promise.all([api(`/${kind}`), api("/agencies")]);
  } catch (error) {
    return h("div", { class: "view" }, backLink("#/admin", "Administration"), h("h1", {}, spec.title),
      h("p", { class: "problem", role: "alert" }, problemText(error)));
  }
  const saved = (row, isNew) => {
    flash(isNew ? `Added ${row.name}.` : `Saved ${row.name}${row.active === false ? " (deactivated)" : ""}.`);
    ctx.go(`/admin/${kind}`);
  };
  return h("div", { class: "view" }, takeFlash(), backLink("#/admin", "Administration"), h("h1", {}, spec.title),
    h("details", { class: "card add-new" }, h("summary", {}, `Add a ${spec.one}`), editor(kind, {}, agencies, saved)),
    rows.length ? h("ul", { class: "entry-list directory-list" }, rows.map((row) => h("li", {},
      h("details", {}, h("summary", {}, row.name, row.active === false ? " (deactivated)" : ""),
        h("p", { class: "hint" }, summary(kind, row, agencies)),
        editor(kind, row, agencies, saved)))))
      : emptyNote(`No ${spec.title.toLowerCase()} yet.`));
}
