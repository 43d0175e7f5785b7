// The encounter form's triage panel: the level the rules give for the ticked needs and risk flags (worked
// out on the phone, offline too), the partner agencies serving the needs, and the officer's own choice of
// level. Only a chosen level is sent (`triage_level`); otherwise the server records the rules' level.

import { fill, h, uid } from "../dom.js";
import { agencies as listAgencies } from "../records.js";
import { assess, levelLabels, rulesOnPhone, suggestAgencies } from "../triage.js";
import { NEEDS, RISK_FLAGS, labelOf } from "../vocabulary.js";
import { t } from "../i18n.js";

const codeLabel = (code) => (NEEDS.some(([c]) => c === code) ? labelOf(NEEDS, code) : labelOf(RISK_FLAGS, code));

export function badge(level, label, extra = "") {
  // "Level 1" stays on one line when the badge wraps.
  return h("span", { class: `triage-badge level-${level} ${extra}`.trim() }, t("triage.badge", { level, label }));
}

function agencyItem({ agency, matched }) {
  return h("li", {},
    h("span", { class: "entry-label" }, agency.name),
    h("span", { class: "hint" }, matched.map((code) => labelOf(NEEDS, code)).join(", ")),
    agency.phone ? h("a", { href: `tel:${agency.phone.replace(/[^\d+]/g, "")}` }, agency.phone) : null);
}

// `form`: the encounter form (its needs and risk_flags checkboxes); `chosen`: a level already chosen (fixing).
export async function triagePanel(db, form, { chosen = null } = {}) {
  const rules = await rulesOnPhone(db);
  const agencies = await listAgencies(db);
  const labels = levelLabels(rules);
  let override = chosen ? Number(chosen) : null;

  const headingId = uid("triage-heading");
  const result = h("div", { class: "triage-result", "aria-live": "polite" });
  const choiceNote = h("div", { class: "triage-choice" });
  const sticky = h("span", { class: "triage-sticky", "aria-hidden": "true" });
  const name = uid("triage-level");
  const radios = [1, 2, 3, 4].map((level) => h("input", { type: "radio", id: `${name}-${level}`, name, value: String(level) }));
  const control = h("fieldset", { class: "segmented levels", "data-field": "triage_level" },
    h("legend", {}, t("triage.toRecord")),
    h("div", { class: "segments" }, radios.map((radio, i) => h("div", { class: "segment" }, radio,
      h("label", { for: radio.id }, t("triage.option", { level: i + 1, label: labels[i + 1] }))))));
  const suggestions = h("div", {});

  const ticked = (field) => [...form.querySelectorAll(`input[name="${field}"]:checked`)].map((input) => input.value);
  let shown = null;

  function update() {
    const needs = ticked("needs");
    const computed = rules ? assess(rules, needs, ticked("risk_flags")) : null;
    const level = override || (computed && computed.level);
    for (const radio of radios) radio.checked = Number(radio.value) === level;
    const key = JSON.stringify([computed, override]);
    if (key !== shown) {
      shown = key;
      fill(result, computed
        ? [h("p", { class: "triage-level" }, badge(computed.level, computed.label)),
          h("p", { class: "hint" }, computed.reasons.length
            ? t("triage.because", { reasons: computed.reasons.map(codeLabel).join(", ") }) : t("triage.nothing"))]
        : h("p", { class: "hint" }, t("triage.noRules")));
      fill(choiceNote, override && computed && override !== computed.level
        ? [h("p", { class: "notice" }, t("triage.chose", { level: override, label: labels[override], suggested: computed.level,
          suggestedLabel: computed.label })),
          h("button", { type: "button", class: "button secondary", onclick: () => {
            override = null;
            update();
            radios.find((radio) => radio.checked).focus(); // the button is gone: focus the level now chosen
          } }, t("triage.useSuggested"))]
        : null);
      fill(sticky, level ? badge(level, labels[level], "compact") : null);
    }
    const found = suggestAgencies(agencies, needs);
    fill(suggestions, needs.length
      ? [h("h3", {}, t("triage.agencies")),
        found.length ? h("ul", { class: "agency-list" }, found.map(agencyItem))
          : h("p", { class: "empty" }, t("triage.noAgencies"))]
      : null);
  }

  for (const radio of radios) {
    radio.addEventListener("change", () => {
      override = Number(radio.value);
      update();
    });
  }
  form.addEventListener("change", (event) => {
    if (event.target.name === "needs" || event.target.name === "risk_flags") update();
  });

  const element = h("section", { class: "triage card", "aria-labelledby": headingId },
    h("h2", { id: headingId }, t("triage.title")), result, control, choiceNote, suggestions);
  return {
    element,
    sticky,
    update,
    // The level to send as `triage_level`: only one the officer chose (the rules' level is the server's).
    chosenLevel: () => override,
  };
}
