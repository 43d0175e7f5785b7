"""The field's controlled vocabularies, shared by models, schemas, rules and the phone."""

ROLES = ("officer", "navigator", "supervisor", "admin")

ENCOUNTER_KINDS = ("interaction", "primary_response", "consultation", "on_scene_assist", "shelter_check_in")
KINDS_WITH_CALL_NUMBER = ("primary_response", "on_scene_assist")

NEEDS = ("addictions", "mental_health", "housing", "medical", "food", "id_documents", "income",
         "employment", "legal", "safety", "family", "transportation", "other")

RISK_FLAGS = ("overdose_risk", "suicidal", "medical_distress", "violence", "exposure_cold",
              "no_shelter_tonight", "intoxicated", "self_neglect", "other")

OUTCOMES = ("info_provided", "referred", "transported_hospital", "transported_shelter", "crisis_team",
            "diverted_from_custody", "arrest", "declined_services", "no_contact", "other")

URGENCIES = ("routine", "urgent", "emergent")

REFERRAL_STATUSES = ("pending", "accepted", "declined", "withdrawn", "completed", "no_show")

CASE_STATUSES = ("open", "transitioned", "closed")

GOAL_STATUSES = ("set", "in_progress", "met", "dropped")

SITE_KINDS = ("shelter", "drop_in", "clinic", "other")

TEAM_GROUPS = ("core", "branch")
# The situation table (Hub): see docs/situation-table.md.
SITUATION_STATUSES = ("presented", "open", "rejected", "closed")

RISK_FACTORS = ("mental_health", "drugs", "alcohol", "housing", "basic_needs", "physical_health", "suicide_risk",
                "self_harm", "criminal_involvement", "victimization", "physical_violence", "sexual_violence",
                "emotional_violence", "gangs", "negative_peers", "antisocial_behaviour", "missing_runaway",
                "missing_school", "parenting", "elder_abuse", "cognitive_functioning", "poverty", "unemployment",
                "supervision", "threat_to_public_health", "gambling", "other")

PROTECTIVE_FACTORS = ("family", "friends", "housing", "income", "employment", "school", "culture", "faith",
                      "health_care", "agency_connection", "other")

AGE_BANDS = ("0-5", "6-11", "12-17", "18-24", "25-29", "30-39", "40-49", "50-59", "60-69", "70+")

SITUATION_CLOSURE_REASONS = ("connected_to_services", "informed_of_services", "risk_lowered_other",
                             "refused_services", "still_aer_other", "transferred")
