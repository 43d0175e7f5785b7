// The situation table on a phone or tablet: my tables, the agenda for the next meeting (presented
// situations, oldest first, one large card each, de-identified whoever looks), the chair's decision form,
// and presenting a situation (a `situation` entry: prepared offline, sent with the outbox).

import { api } from "../api.js";
import { fill, h, uid } from "../dom.js";
import { newEntry } from "../outbox.js";
import { state } from "../store.js";
import { backLink, checkedValues, emptyNote, field, flash, showFieldErrors, takeFlash, toggles } from "../ui.js";
import { AGE_BANDS, PROTECTIVE_FACTORS, RISK_FACTORS, directory, label } from "./hub-vocabulary.js";

const offlineNote = (what) => h("p", { class: "stale", role: "status" }, `${what} needs a connection. Try again when online.`);

async function load(path) {
  try {
    return await api(path);
  } catch (error) {
    if (error && error.name === "NetworkError") return null;
    throw error;
  }
}

export async function renderTables() {
  const tables = await load("/tables");
  const readsReport = ["supervisor", "admin"].includes(state.user.role);
  const items = (tables || []).map((t) => h("li", { class: "card" },
    h("h2", {}, t.name, t.active ? null : h("span", { class: "tag" }, "inactive")),
    h("ul", { class: "link-grid" },
      h("li", {}, h("a", { class: "button secondary", href: `#/table/${t.id}` }, "Agenda")),
      t.active && state.user.role !== "admin"
        ? h("li", {}, h("a", { class: "button secondary", href: `#/table/${t.id}/present` }, "Present a situation")) : null,
      t.chair || readsReport ? h("li", {}, h("a", { class: "button secondary", href: `#/table/${t.id}/report` }, "Report")) : null)));
  return h("div", { class: "view" }, backLink(), h("h1", {}, "Situation tables"), takeFlash(),
    tables === null ? offlineNote("The list of tables")
      : items.length ? h("ul", { class: "table-list" }, items) : emptyNote("Your agency or team sits at no table."),
    h("p", {}, h("a", { href: "#/situations" }, "Our situations")));
}

function factorList(codes, list) {
  return codes && codes.length ? codes.map((c) => label(list, c)).join(", ") : "none recorded";
}

function decisionForm(ctx, situation, table, names, redraw) {
  const met = uid("met");
  const lead = h("select", { id: uid("lead"), name: "lead", "data-field": "lead_agency_id" },
    h("option", { value: "" }, "Choose the lead"),
    table.agency_ids.map((id) => h("option", { value: `a${id}` }, names.agency(id))),
    table.team_ids.map((id) => h("option", { value: `t${id}` }, names.team(id))));
  const rationale = h("textarea", { id: uid("rationale"), name: "rationale", maxlength: 1000, rows: 3 });
  const form = h("form", { class: "decision", novalidate: true },
    h("fieldset", { "data-field": "threshold" }, h("legend", {}, "Is the threshold of acutely elevated risk met?"),
      h("div", { class: "choice" }, h("input", { type: "radio", id: `${met}-yes`, name: "threshold", value: "yes" }),
        h("label", { for: `${met}-yes` }, "Yes, met")),
      h("div", { class: "choice" }, h("input", { type: "radio", id: `${met}-no`, name: "threshold", value: "no" }),
        h("label", { for: `${met}-no` }, "No, not met (the situation is erased)"))),
    field("Lead agency or team", lead),
    toggles("Assisting agencies", `assist-${situation.id}`, table.agency_ids.map((id) => [String(id), names.agency(id)])),
    field("Rationale", rationale, "No names: it is shown to every member."),
    h("button", { type: "submit", class: "button" }, "Record the decision"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const choice = form.querySelector(`input[name="threshold"]:checked`);
    if (!choice) {
      showFieldErrors(form, { threshold: ["Choose met or not met."] });
      return;
    }
    const body = { threshold_met: choice.value === "yes" };
    if (body.threshold_met) {
      const value = lead.value;
      if (value.startsWith("a")) body.lead_agency_id = Number(value.slice(1));
      if (value.startsWith("t")) body.lead_team_id = Number(value.slice(1));
      body.assisting_agency_ids = checkedValues(form, `assist-${situation.id}`).map(Number)
        .filter((id) => id !== body.lead_agency_id);
      if (rationale.value.trim()) body.rationale = rationale.value.trim();
    }
    try {
      await api(`/situations/${situation.id}/decision`, { method: "POST", body });
      flash(body.threshold_met ? "Decision recorded: the acting agencies are alerted." : "Decision recorded: the situation was erased.");
      await redraw();
    } catch (error) {
      if (error.fields) showFieldErrors(form, error.fields);
      else flash(error.message || "The decision was not recorded.");
      await redraw();
    }
  });
  return form;
}

function card(ctx, situation, table, names, redraw) {
  const id = uid("situation");
  return h("li", { class: "card situation-card", "aria-labelledby": id },
    h("h2", { id }, `${situation.age_band || "Age not given"} · ${situation.gender || "gender not given"}`),
    h("p", { class: "summary" }, situation.summary),
    h("p", {}, h("strong", {}, "Risk factors: "), factorList(situation.risk_factors, RISK_FACTORS)),
    h("p", {}, h("strong", {}, "Protective factors: "), factorList(situation.protective_factors, PROTECTIVE_FACTORS)),
    h("p", { class: "hint" }, `Presented ${situation.presented_on} by ${names.originator(situation)}`),
    table.chair ? decisionForm(ctx, situation, table, names, redraw) : null);
}

export async function renderAgenda(ctx, { id }) {
  const body = h("div", {});
  let heading = "Agenda";
  const redraw = async () => {
    const tables = await load("/tables");
    const table = (tables || []).find((t) => String(t.id) === String(id));
    if (!tables) return fill(body, offlineNote("The agenda"));
    if (!table) return fill(body, emptyNote("No such table."));
    const [situations, names] = await Promise.all([load(`/tables/${id}/situations?status=presented`), directory(api)]);
    heading = table.name;
    fill(body, takeFlash(), h("p", { class: "hint" }, `${table.name}: situations waiting for a decision, oldest first. `
      + "No names: the table discusses situations without identity."),
    situations && situations.length
      ? h("ol", { class: "agenda" }, situations.map((s) => card(ctx, s, table, names, redraw)))
      : emptyNote("Nothing is waiting for the table."));
  };
  await redraw();
  const view = h("div", { class: "view" }, backLink("#/tables", "Situation tables"), h("h1", {}, `Agenda · ${heading}`), body);
  view.refresh = redraw;
  return view;
}

export async function renderPresent(ctx, { id, query }) {
  const ageBand = h("select", { id: uid("age"), name: "age_band" }, h("option", { value: "" }, "Not given"),
    AGE_BANDS.map((band) => h("option", { value: band }, band)));
  const gender = h("input", { type: "text", id: uid("gender"), name: "gender", maxlength: 40, autocomplete: "off" });
  const summary = h("textarea", { id: uid("summary"), name: "summary", "data-field": "summary", maxlength: 1000, rows: 5,
    required: true });
  const form = h("form", { novalidate: true },
    toggles("Risk factors", "risk_factors", RISK_FACTORS),
    toggles("Protective factors", "protective_factors", PROTECTIVE_FACTORS),
    field("Age band", ageBand),
    field("Gender", gender),
    field("Summary", summary, "At most 1000 characters, with no name, address or date of birth."),
    h("button", { type: "submit", class: "button" }, "Save for the table"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const risk = checkedValues(form, "risk_factors");
    const problems = {};
    if (!risk.length) problems.risk_factors = ["Choose at least one risk factor."];
    if (!summary.value.trim()) problems.summary = ["Write a short summary without names."];
    if (Object.keys(problems).length) {
      showFieldErrors(form, problems);
      return;
    }
    const data = { table_id: Number(id), risk_factors: risk, protective_factors: checkedValues(form, "protective_factors"),
      summary: summary.value.trim() };
    if (ageBand.value) data.age_band = ageBand.value;
    if (gender.value.trim()) data.gender = gender.value.trim();
    const person = query && query.get("person");
    if (person) data.person_id = person;
    await ctx.save([newEntry("situation", data, "Situation for the table")]);
    flash("Saved: it goes to the table with the next sync.");
    ctx.go("/tables");
  });
  return h("div", { class: "view" }, backLink("#/tables", "Situation tables"), h("h1", {}, "Present a situation"),
    h("p", { class: "hint" }, "The table sees only what you write here. Works without a connection."), form);
}
