// The situation table's codes and their words (docs/situation-table.md).

import { t } from "../i18n.js";

const words = (code) => code.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());
// The factors' words are in the catalogue under factor.<code>.
const pairs = (codes) => codes.map((code) => [code, t(`factor.${code}`)]);

export const RISK_FACTORS = pairs(["mental_health", "drugs", "alcohol", "housing", "basic_needs", "physical_health",
  "suicide_risk", "self_harm", "criminal_involvement", "victimization", "physical_violence", "sexual_violence",
  "emotional_violence", "gangs", "negative_peers", "antisocial_behaviour", "missing_runaway", "missing_school",
  "parenting", "elder_abuse", "cognitive_functioning", "poverty", "unemployment", "supervision",
  "threat_to_public_health", "gambling", "other"]);
export const PROTECTIVE_FACTORS = pairs(["family", "friends", "housing", "income", "employment", "school", "culture",
  "faith", "health_care", "agency_connection", "other"]);
export const AGE_BANDS = ["0-5", "6-11", "12-17", "18-24", "25-29", "30-39", "40-49", "50-59", "60-69", "70+"];
export const CLOSURE_REASONS = [
  ["connected_to_services", t("closure.connected_to_services")], ["informed_of_services", t("closure.informed_of_services")],
  ["risk_lowered_other", t("closure.risk_lowered_other")], ["refused_services", t("closure.refused_services")],
  ["still_aer_other", t("closure.still_aer_other")], ["transferred", t("closure.transferred")]];
export const STATUS_WORDS = { presented: t("hubStatus.presented"), open: t("hubStatus.open"), rejected: t("hubStatus.rejected"),
  closed: t("hubStatus.closed") };
export const label = (list, code) => (list.find(([c]) => c === code) || [code, words(code)])[1];

// Names of agencies and teams, read once per screen (they are reference data every user may read).
export async function directory(api) {
  const [agencies, teams] = await Promise.all([api("/agencies"), api("/teams")]);
  const agencyName = new Map(agencies.map((a) => [a.id, a.short_name || a.name]));
  const teamName = new Map(teams.map((team) => [team.id, team.name]));
  return {
    agency: (id) => agencyName.get(id) || t("hub.agencyId", { id }),
    team: (id) => teamName.get(id) || t("hub.teamId", { id }),
    originator: (s) => (s.originating_agency_id ? agencyName.get(s.originating_agency_id) || t("hub.agencyId", { id: s.originating_agency_id })
      : teamName.get(s.originating_team_id) || t("hub.teamId", { id: s.originating_team_id })),
  };
}
