// Teams, partner agencies and sites: add, edit, deactivate. Phones receive the changes with their next
// sync; a deactivated one stays on old records but is no longer offered for new ones.

import { ApiError, api } from "../api.js";
import { h, uid } from "../dom.js";
import { backLink, checkedValues, emptyNote, field, flash, showFieldErrors, takeFlash } from "../ui.js";
import { NEEDS } from "../vocabulary.js";
import { problemText } from "./admin.js";
import { t } from "../i18n.js";

const GROUPS = [["core", t("directory.core")], ["branch", t("directory.branch")]];
const SITE_KINDS = [["shelter", t("directory.shelter")], ["drop_in", t("directory.dropIn")], ["clinic", t("directory.clinic")],
  ["other", t("need.other")]];

const KINDS = {
  teams: { title: t("admin.teams"), add: t("directory.addTeam"), addNew: t("directory.addATeam"), none: t("directory.noTeams"),
    fields: ["name", "division", "group"] },
  agencies: { title: t("admin.agencies"), add: t("directory.addAgency"), addNew: t("directory.addAnAgency"),
    none: t("directory.noAgencies"), fields: ["name", "short_name", "phone", "services"] },
  sites: { title: t("admin.sites"), add: t("directory.addSite"), addNew: t("directory.addASite"), none: t("directory.noSites"),
    fields: ["name", "kind", "agency_id", "address"] },
};

const LABELS = { name: t("people.name"), division: t("directory.division"), group: t("directory.group"),
  short_name: t("directory.shortName"), phone: t("directory.phone"), services: t("directory.services"), kind: t("directory.kind"),
  agency_id: t("directory.runBy"), address: t("directory.address") };

function control(name, row, agencies) {
  const id = uid(name);
  const value = row[name];
  const options = (pairs, empty) => h("select", { id, name, "data-field": name },
    empty === null ? null : h("option", { value: "" }, empty),
    pairs.map(([code, label]) => h("option", { value: String(code), selected: String(code) === String(value ?? "") }, label)));
  if (name === "group") return field(LABELS[name], options(GROUPS, t("directory.notSet")), t("directory.groupHint"));
  if (name === "kind") return field(LABELS[name], options(SITE_KINDS, null));
  if (name === "agency_id") {
    const runners = agencies.filter((a) => a.active !== false || a.id === value).map((a) => [a.id, a.name]);
    return field(LABELS[name], options(runners, t("directory.noAgency")));
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
      h("button", { type: "submit", class: "button primary" }, isNew ? spec.add : t("edit.save")),
      isNew ? null : h("button", { type: "button", class: row.active === false ? "button secondary" : "button danger",
        onclick: () => save({ active: row.active === false }) },
      row.active === false ? t("directory.reactivate") : t("directory.deactivate"))));
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
  if (kind === "agencies") {
    return [row.short_name, row.phone, t("directory.servicesCount", { count: (row.services || []).length })]
      .filter(Boolean).join(" · ");
  }
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
    return h("div", { class: "view" }, backLink("#/admin", t("admin.title")), h("h1", {}, spec.title),
      h("p", { class: "problem", role: "alert" }, problemText(error)));
  }
  const saved = (row, isNew) => {
    flash(isNew ? t("directory.added", { name: row.name })
      : row.active === false ? t("directory.savedDeactivated", { name: row.name }) : t("directory.saved", { name: row.name }));
    ctx.go(`/admin/${kind}`);
  };
  return h("div", { class: "view" }, takeFlash(), backLink("#/admin", t("admin.title")), h("h1", {}, spec.title),
    h("details", { class: "card add-new" }, h("summary", {}, spec.addNew), editor(kind, {}, agencies, saved)),
    rows.length ? h("ul", { class: "entry-list directory-list" }, rows.map((row) => h("li", {},
      h("details", {}, h("summary", {}, row.name, row.active === false ? [" ", t("directory.deactivated")] : ""),
        h("p", { class: "hint" }, summary(kind, row, agencies)),
        editor(kind, row, agencies, saved)))))
      : emptyNote(spec.none));
}
