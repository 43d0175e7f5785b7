// The centre of responsibility's report for one table: de-identified counts, with bar charts (views/chart.js)
// and the numbers as lists beside them. Chairs, supervisors and admins.

import { api, apiUrl } from "../api.js";
import { fill, h } from "../dom.js";
import { backLink, emptyNote } from "../ui.js";
import { barChart, pairsTable } from "./chart.js";
import { CLOSURE_REASONS, RISK_FACTORS, STATUS_WORDS, directory, label } from "./hub-vocabulary.js";

const rows = (pairs) => pairs.map(([label, value]) => ({ label, value }));

function section(title, pairs) {
  const id = `report-${title.toLowerCase().replaceAll(" ", "-")}`;
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title),
    pairs.length ? [barChart(rows(pairs), title, `${id}-chart`), pairsTable(rows(pairs), title)]
      : emptyNote("None in this period."));
}

const days = (value) => (value === null ? "no data" : `${value} days`);

export async function renderReport(ctx, { id }) {
  const body = h("div", {});
  let report;
  try {
    report = await api(`/tables/${id}/report`);
  } catch (error) {
    if (error && error.name === "NetworkError") {
      fill(body, h("p", { class: "stale", role: "status" }, "The report needs a connection."));
      return h("div", { class: "view" }, backLink("#/tables", "Situation tables"), h("h1", {}, "Table report"), body);
    }
    throw error;
  }
  const names = await directory(api);
  const share = report.threshold_met_share === null ? "no decisions yet" : `${Math.round(report.threshold_met_share * 100)} %`;
  fill(body,
    h("p", { class: "hint" }, `${report.from} to ${report.to}: ${report.total} situations. Counts only, never a person.`),
    h("ul", { class: "counts-list" },
      h("li", {}, `Threshold met: ${share}`),
      h("li", {}, `Median time to decision: ${days(report.median_days_to_decision)}`),
      h("li", {}, `Median time to closure: ${days(report.median_days_to_close)}`)),
    section("By status", Object.entries(report.by_status).map(([k, n]) => [STATUS_WORDS[k] || k, n])),
    section("Risk factors", Object.entries(report.risk_factors).map(([k, n]) => [label(RISK_FACTORS, k), n])),
    section("Lead agencies", Object.entries(report.lead_agencies).map(([k, n]) => [names.agency(Number(k)), n])),
    section("Assisting agencies", Object.entries(report.assisting_agencies).map(([k, n]) => [names.agency(Number(k)), n])),
    section("Closure reasons", Object.entries(report.closure_reasons).map(([k, n]) => [label(CLOSURE_REASONS, k), n])),
    section("Situations by originator", report.by_originator.map((o) => [
      o.agency_id ? names.agency(o.agency_id) : names.team(o.team_id), o.situations])),
    h("p", {}, h("a", { href: apiUrl(`/tables/${id}/report.csv`), download: "" }, "Download as CSV")));
  return h("div", { class: "view" }, backLink("#/tables", "Situation tables"), h("h1", {}, "Table report"), body);
}
