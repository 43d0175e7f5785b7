// The field's words, as app/vocabulary.py lists them, with the labels people see.

// `short`: column headings of the daily counts table, which must fit a 360 px screen.
export const KINDS = [
  { code: "interaction", label: "Interaction", short: "Int." },
  { code: "primary_response", label: "Primary response", short: "Resp.", callNumber: true },
  { code: "consultation", label: "Consultation", short: "Cons." },
  { code: "on_scene_assist", label: "On-scene assist", short: "Assist", callNumber: true },
  { code: "shelter_check_in", label: "Shelter check-in", short: "Shelt.", site: true },
];

export const kindByCode = (code) => KINDS.find((k) => k.code === code);

export const NEEDS = [
  ["addictions", "Addictions"], ["mental_health", "Mental health"], ["housing", "Housing"],
  ["medical", "Medical"], ["food", "Food"], ["id_documents", "ID documents"], ["income", "Income"],
  ["employment", "Employment"], ["legal", "Legal"], ["safety", "Safety"], ["family", "Family"],
  ["transportation", "Transportation"], ["other", "Other"],
];

export const RISK_FLAGS = [
  ["overdose_risk", "Overdose risk"], ["suicidal", "Suicidal"], ["medical_distress", "Medical distress"],
  ["violence", "Violence"], ["exposure_cold", "Exposure / cold"], ["no_shelter_tonight", "No shelter tonight"],
  ["intoxicated", "Intoxicated"], ["self_neglect", "Self-neglect"], ["other", "Other risk"],
];

export const OUTCOMES = [
  ["info_provided", "Information provided"], ["referred", "Referred"],
  ["transported_hospital", "Taken to hospital"], ["transported_shelter", "Taken to shelter"],
  ["crisis_team", "Crisis team"], ["diverted_from_custody", "Diverted from custody"], ["arrest", "Arrest"],
  ["declined_services", "Declined services"], ["no_contact", "No contact"], ["other", "Other"],
];

export const URGENCIES = [["routine", "Routine"], ["urgent", "Urgent"], ["emergent", "Emergent"]];

export const REFERRAL_STATUS = {
  pending: "New", accepted: "Accepted", declined: "Declined", withdrawn: "Withdrawn",
  completed: "Completed", no_show: "No-show",
};

export const CASE_STATUS = { open: "Open", transitioned: "Transitioned", closed: "Closed" };

export const GOAL_STATUS = { set: "Set", in_progress: "In progress", met: "Met", dropped: "Dropped" };

export const labelOf = (pairs, code) => (pairs.find(([c]) => c === code) || [code, code])[1];
