// The situation table on a phone or tablet: my tables, the agenda for the next meeting (presented
// situations, oldest first, one large card each, de-identified whoever looks), the chair's decision form,
// and presenting a situation (a `situation` entry: prepared offline, sent with the outbox).

import { api } from "../api.js";
import { fill, h, uid } from "../dom.js";
import { newEntry } from "../outbox.js";
import { state } from "../store.js";
import { backLink, checkedValues, emptyNote, field, flash, showFieldErrors, takeFlash, toggles } from "../ui.js";
import { AGE_BANDS, PROTECTIVE_FACTORS, RISK_FACTORS, directory, label } from "./hub-vocabulary.js";
import { t } from "../i18n.js";

const offlineNote = (text) => h("p", { class: "stale", role: "status" }, text);

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
  const items = (tables || []).map((table) => h("li", { class: "card" },
    h("h2", {}, table.name, table.active ? null : h("span", { class: "tag" }, t("hub.inactive"))),
    h("ul", { class: "link-grid" },
      h("li", {}, h("a", { class: "button secondary", href: `#/table/${table.id}` }, t("hub.agenda"))),
      table.active && state.user.role !== "admin"
        ? h("li", {}, h("a", { class: "button secondary", href: `#/table/${table.id}/present` }, t("hub.present"))) : null,
      table.chair || readsReport ? h("li", {}, h("a", { class: "button secondary", href: `#/table/${table.id}/report` }, t("hub.report"))) : null)));
  return h("div", { class: "view" }, backLink(), h("h1", {}, t("home.tables")), takeFlash(),
    tables === null ? offlineNote(t("hub.tablesOffline"))
      : items.length ? h("ul", { class: "table-list" }, items) : emptyNote(t("hub.noTable")),
    h("p", {}, h("a", { href: "#/situations" }, t("hub.ours"))));
}

function factorList(codes, list) {
  return codes && codes.length ? codes.map((c) => label(list, c)).join(", ") : t("hub.noneRecorded");
}

function decisionForm(ctx, situation, table, names, redraw) {
  const met = uid("met");
  const lead = h("select", { id: uid("lead"), name: "lead", "data-field": "lead_agency_id" },
    h("option", { value: "" }, t("hub.chooseLead")),
    table.agency_ids.map((id) => h("option", { value: `a${id}` }, names.agency(id))),
    table.team_ids.map((id) => h("option", { value: `t${id}` }, names.team(id))));
  const rationale = h("textarea", { id: uid("rationale"), name: "rationale", maxlength: 1000, rows: 3 });
  const form = h("form", { class: "decision", novalidate: true },
    h("fieldset", { "data-field": "threshold" }, h("legend", {}, t("hub.thresholdMet")),
      h("div", { class: "choice" }, h("input", { type: "radio", id: `${met}-yes`, name: "threshold", value: "yes" }),
        h("label", { for: `${met}-yes` }, t("hub.yesMet"))),
      h("div", { class: "choice" }, h("input", { type: "radio", id: `${met}-no`, name: "threshold", value: "no" }),
        h("label", { for: `${met}-no` }, t("hub.notMet")))),
    field(t("hub.leadField"), lead),
    toggles(t("report.assisting"), `assist-${situation.id}`, table.agency_ids.map((id) => [String(id), names.agency(id)])),
    field(t("hub.rationale"), rationale, t("hub.rationaleHint")),
    h("button", { type: "submit", class: "button" }, t("hub.record")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const choice = form.querySelector(`input[name="threshold"]:checked`);
    if (!choice) {
      showFieldErrors(form, { threshold: [t("hub.chooseMet")] });
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
      flash(body.threshold_met ? t("hub.recordedMet") : t("hub.recordedErased"));
      await redraw();
    } catch (error) {
      if (error.fields) showFieldErrors(form, error.fields);
      else flash(error.message || t("hub.notRecorded"));
      await redraw();
    }
  });
  return form;
}

function card(ctx, situation, table, names, redraw) {
  const id = uid("situation");
  return h("li", { class: "card situation-card", "aria-labelledby": id },
    h("h2", { id }, t("hub.who", { age: situation.age_band || t("hub.noAge"), gender: situation.gender || t("hub.noGender") })),
    h("p", { class: "summary" }, situation.summary),
    h("p", {}, h("strong", {}, t("hub.riskLabel")), factorList(situation.risk_factors, RISK_FACTORS)),
    h("p", {}, h("strong", {}, t("hub.protectiveLabel")), factorList(situation.protective_factors, PROTECTIVE_FACTORS)),
    h("p", { class: "hint" }, t("hub.presentedBy", { day: situation.presented_on, by: names.originator(situation) })),
    table.chair ? decisionForm(ctx, situation, table, names, redraw) : null);
}

export async function renderAgenda(ctx, { id }) {
  const body = h("div", {});
  let heading = t("hub.agenda");
  const redraw = async () => {
    const tables = await load("/tables");
    const table = (tables || []).find((one) => String(one.id) === String(id));
    if (!tables) return fill(body, offlineNote(t("hub.agendaOffline")));
    if (!table) return fill(body, emptyNote(t("hub.noSuchTable")));
    const [situations, names] = await Promise.all([load(`/tables/${id}/situations?status=presented`), directory(api)]);
    heading = table.name;
    fill(body, takeFlash(), h("p", { class: "hint" }, t("hub.agendaHint", { table: table.name })),
    situations && situations.length
      ? h("ol", { class: "agenda" }, situations.map((s) => card(ctx, s, table, names, redraw)))
      : emptyNote(t("hub.nothingWaiting")));
  };
  await redraw();
  const view = h("div", { class: "view" }, backLink("#/tables", t("home.tables")),
    h("h1", {}, t("hub.agendaTitle", { table: heading })), body);
  view.refresh = redraw;
  return view;
}

export async function renderPresent(ctx, { id, query }) {
  const ageBand = h("select", { id: uid("age"), name: "age_band" }, h("option", { value: "" }, t("hub.notGiven")),
    AGE_BANDS.map((band) => h("option", { value: band }, band)));
  const gender = h("input", { type: "text", id: uid("gender"), name: "gender", maxlength: 40, autocomplete: "off" });
  const summary = h("textarea", { id: uid("summary"), name: "summary", "data-field": "summary", maxlength: 1000, rows: 5,
    required: true });
  const form = h("form", { novalidate: true },
    toggles(t("report.riskFactors"), "risk_factors", RISK_FACTORS),
    toggles(t("hub.protective"), "protective_factors", PROTECTIVE_FACTORS),
    field(t("hub.ageBand"), ageBand),
    field(t("dupes.gender"), gender),
    field(t("hub.summary"), summary, t("hub.summaryHint")),
    h("button", { type: "submit", class: "button" }, t("hub.save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const risk = checkedValues(form, "risk_factors");
    const problems = {};
    if (!risk.length) problems.risk_factors = [t("hub.chooseRisk")];
    if (!summary.value.trim()) problems.summary = [t("hub.writeSummary")];
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
    await ctx.save([newEntry("situation", data, t("hub.entry"))]);
    flash(t("hub.saved"));
    ctx.go("/tables");
  });
  return h("div", { class: "view" }, backLink("#/tables", t("home.tables")), h("h1", {}, t("hub.present")),
    h("p", { class: "hint" }, t("hub.presentHint")), form);
}
