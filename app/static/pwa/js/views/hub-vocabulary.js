// The situation table's codes and their words (docs/situation-table.md).

const words = (code) => code.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());
const pairs = (codes) => codes.map((code) => [code, words(code)]);

export const RISK_FACTORS = pairs(["mental_health", "drugs", "alcohol", "housing", "basic_needs", "physical_health",
  "suicide_risk", "self_harm", "criminal_involvement", "victimization", "physical_violence", "sexual_violence",
  "emotional_violence", "gangs", "negative_peers", "antisocial_behaviour", "missing_runaway", "missing_school",
  "parenting", "elder_abuse", "cognitive_functioning", "poverty", "unemployment", "supervision",
  "threat_to_public_health", "gambling", "other"]);
export const PROTECTIVE_FACTORS = pairs(["family", "friends", "housing", "income", "employment", "school", "culture",
  "faith", "health_care", "agency_connection", "other"]);
export const AGE_BANDS = ["0-5", "6-11", "12-17", "18-24", "25-29", "30-39", "40-49", "50-59", "60-69", "70+"];
export const CLOSURE_REASONS = [
  ["connected_to_services", "Connected to services"], ["informed_of_services", "Informed of services"],
  ["risk_lowered_other", "Risk lowered for other reasons"], ["refused_services", "Refused services"],
  ["still_aer_other", "Still at acutely elevated risk (other reasons)"], ["transferred", "Transferred"]];
export const STATUS_WORDS = { presented: "Presented", open: "Threshold met", rejected: "Not met", closed: "Closed" };
export const label = (list, code) => (list.find(([c]) => c === code) || [code, words(code)])[1];

// Names of agencies and teams, read once per screen (they are reference data every user may read).
export async function directory(api) {
  const [agencies, teams] = await Promise.all([api("/agencies"), api("/teams")]);
  const agencyName = new Map(agencies.map((a) => [a.id, a.short_name || a.name]));
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
  return {
    agency: (id) => agencyName.get(id) || `Agency ${id}`,
    team: (id) => teamName.get(id) || `Team ${id}`,
    originator: (s) => (s.originating_agency_id ? agencyName.get(s.originating_agency_id) || `Agency ${s.originating_agency_id}`
      : teamName.get(s.originating_team_id) || `Team ${s.originating_team_id}`),
  };
}
