// The field's words, as app/vocabulary.py lists them, with the labels people see.

import { t } from "./i18n.js";

// `short`: column headings of the daily counts table, which must fit a 360 px screen.
export const KINDS = [
  { code: "interaction", label: t("kind.interaction"), short: t("kind.interaction_short") },
  { code: "primary_response", label: t("kind.primary_response"), short: t("kind.primary_response_short"), callNumber: true },
  { code: "consultation", label: t("kind.consultation"), short: t("kind.consultation_short") },
  { code: "on_scene_assist", label: t("kind.on_scene_assist"), short: t("kind.on_scene_assist_short"), callNumber: true },
  { code: "shelter_check_in", label: t("kind.shelter_check_in"), short: t("kind.shelter_check_in_short"), site: true },
];

export const kindByCode = (code) => KINDS.find((k) => k.code === code);

export const NEEDS = [
  ["addictions", t("need.addictions")], ["mental_health", t("need.mental_health")], ["housing", t("need.housing")],
  ["medical", t("need.medical")], ["food", t("need.food")], ["id_documents", t("need.id_documents")], ["income", t("need.income")],
  ["employment", t("need.employment")], ["legal", t("need.legal")], ["safety", t("need.safety")], ["family", t("need.family")],
  ["transportation", t("need.transportation")], ["other", t("need.other")],
];

export const RISK_FLAGS = [
  ["overdose_risk", t("risk.overdose_risk")], ["suicidal", t("risk.suicidal")], ["medical_distress", t("risk.medical_distress")],
  ["violence", t("risk.violence")], ["exposure_cold", t("risk.exposure_cold")], ["no_shelter_tonight", t("risk.no_shelter_tonight")],
  ["intoxicated", t("risk.intoxicated")], ["self_neglect", t("risk.self_neglect")], ["other", t("risk.other")],
];

export const OUTCOMES = [
  ["info_provided", t("outcome.info_provided")], ["referred", t("outcome.referred")],
  ["transported_hospital", t("outcome.transported_hospital")], ["transported_shelter", t("outcome.transported_shelter")],
  ["crisis_team", t("outcome.crisis_team")], ["diverted_from_custody", t("outcome.diverted_from_custody")], ["arrest", t("outcome.arrest")],
  ["declined_services", t("outcome.declined_services")], ["no_contact", t("outcome.no_contact")], ["other", t("outcome.other")],
];

export const URGENCIES = [["routine", t("urgency.routine")], ["urgent", t("urgency.urgent")], ["emergent", t("urgency.emergent")]];

export const REFERRAL_STATUS = {
  pending: t("referralStatus.pending"), accepted: t("referralStatus.accepted"), declined: t("referralStatus.declined"),
  withdrawn: t("referralStatus.withdrawn"),
  completed: t("referralStatus.completed"), no_show: t("referralStatus.no_show"),
};

export const CASE_STATUS = { open: t("caseStatus.open"), transitioned: t("caseStatus.transitioned"), closed: t("caseStatus.closed") };

export const GOAL_STATUS = { set: t("goalStatus.set"), in_progress: t("goalStatus.in_progress"), met: t("goalStatus.met"),
  dropped: t("goalStatus.dropped") };

export const labelOf = (pairs, code) => (pairs.find(([c]) => c === code) || [code, code])[1];
