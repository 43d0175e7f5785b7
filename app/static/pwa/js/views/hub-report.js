// The centre of responsibility's report for one table: de-identified counts, with bar charts (views/chart.js)
// and the numbers as lists beside them. Chairs, supervisors and admins.

import { api, apiUrl } from "../api.js";
import { fill, h } from "../dom.js";
import { backLink, emptyNote } from "../ui.js";
import { barChart, pairsTable } from "./chart.js";
import { CLOSURE_REASONS, RISK_FACTORS, STATUS_WORDS, directory, label } from "./hub-vocabulary.js";
import { t } from "../i18n.js";

const rows = (pairs) => pairs.map(([label, value]) => ({ label, value }));

function section(title, pairs) {
  const id = `report-${title.toLowerCase().replaceAll(" ", "-")}`;
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title),
    pairs.length ? [barChart(rows(pairs), title, `${id}-chart`), pairsTable(rows(pairs), title)]
      : emptyNote(t("report.none")));
}

const days = (value) => (value === null ? t("report.noData") : t("report.days", { count: value }));

export async function renderReport(ctx, { id }) {
  const body = h("div", {});
  let report;
  try {
    report = await api(`/tables/${id}/report`);
  } catch (error) {
    if (error && error.name === "NetworkError") {
      fill(body, h("p", { class: "stale", role: "status" }, t("report.needsConnection")));
      return h("div", { class: "view" }, backLink("#/tables", t("home.tables")), h("h1", {}, t("report.title")), body);
    }
    throw error;
  }
  const names = await directory(api);
  const share = report.threshold_met_share === null ? t("report.noDecisions")
    : t("report.percent", { value: Math.round(report.threshold_met_share * 100) });
  fill(body,
    h("p", { class: "hint" }, t("report.period", { from: report.from, to: report.to, count: report.total })),
    h("ul", { class: "counts-list" },
      h("li", {}, t("report.thresholdMet", { share })),
      h("li", {}, t("report.toDecision", { days: days(report.median_days_to_decision) })),
      h("li", {}, t("report.toClosure", { days: days(report.median_days_to_close) }))),
    section(t("report.byStatus"), Object.entries(report.by_status).map(([k, n]) => [STATUS_WORDS[k] || k, n])),
    section(t("report.riskFactors"), Object.entries(report.risk_factors).map(([k, n]) => [label(RISK_FACTORS, k), n])),
    section(t("report.lead"), Object.entries(report.lead_agencies).map(([k, n]) => [names.agency(Number(k)), n])),
    section(t("report.assisting"), Object.entries(report.assisting_agencies).map(([k, n]) => [names.agency(Number(k)), n])),
    section(t("report.closure"), Object.entries(report.closure_reasons).map(([k, n]) => [label(CLOSURE_REASONS, k), n])),
    section(t("report.byOriginator"), report.by_originator.map((o) => [
      o.agency_id ? names.agency(o.agency_id) : names.team(o.team_id), o.situations])),
    h("p", {}, h("a", { href: apiUrl(`/tables/${id}/report.csv`), download: "" }, t("report.csv"))));
  return h("div", { class: "view" }, backLink("#/tables", t("home.tables")), h("h1", {}, t("report.title")), body);
}
