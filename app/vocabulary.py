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
