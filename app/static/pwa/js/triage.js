// Triage on the phone: the level 1 (immediate) to 4 (routine) the rule file gives for an encounter's needs
// and risk flags, and the partner agencies serving those needs. The same algorithm as the server's
// app/encounters/triage.py, so the level shows offline while the form is filled in (docs/triage.md).

import { getMeta } from "./records.js";
import { t } from "./i18n.js";

export const ROUTINE = 4;

// Labels for the override control before any rule file has reached the phone.
export const LEVEL_LABELS = { 1: t("level.l1"), 2: t("level.l2"), 3: t("level.l3"), 4: t("level.l4") };

export const rulesOnPhone = (db) => getMeta(db, "triage_rules");

// The labels the rule file gives each level, falling back to the shipped ones.
export function levelLabels(rules) {
  const labels = { ...LEVEL_LABELS };
  for (const rule of (rules && rules.levels) || []) labels[rule.level] = rule.label;
  return labels;
}

// The first rule matching any of the needs or risk flags (a rule with neither list matches everything);
// {level, label, reasons} with the codes that decided it, risk flags first; 4 "Routine" when none matches.
export function assess(rules, needs, riskFlags) {
  const wantedNeeds = new Set(needs);
  const wantedFlags = new Set(riskFlags);
  for (const rule of (rules && rules.levels) || []) {
    const flags = rule.any_risk_flags || [];
    const ruleNeeds = rule.any_needs || [];
    if (!flags.length && !ruleNeeds.length) return { level: rule.level, label: rule.label, reasons: [] };
    const matched = [...flags.filter((c) => wantedFlags.has(c)).sort(), ...ruleNeeds.filter((c) => wantedNeeds.has(c)).sort()];
    if (matched.length) return { level: rule.level, label: rule.label, reasons: matched };
  }
  return { level: ROUTINE, label: LEVEL_LABELS[ROUTINE], reasons: [] };
}

// Plain code-point order, as the server sorts agency names.
const byCodePoint = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// Active agencies whose services overlap the needs, most needs covered first, then by name.
export function suggestAgencies(agencies, needs) {
  const wanted = new Set(needs);
  if (!wanted.size) return [];
  return agencies
    .filter((agency) => agency.active !== false)
    .map((agency) => ({ agency, matched: (agency.services || []).filter((code) => wanted.has(code)).sort() }))
    .filter(({ matched }) => matched.length)
    .sort((a, b) => b.matched.length - a.matched.length || byCodePoint(a.agency.name, b.agency.name));
}
