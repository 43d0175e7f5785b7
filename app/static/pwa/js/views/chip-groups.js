// The encounter form's needs, outcomes and risk flags as groups of large toggles, with only the few nearly always
// used in sight and the rest behind a "More …" disclosure button. A chip chosen in a collapsed group stays in
// sight; every chip stays in the form (hidden, never removed), so nothing chosen is lost or left out of Save.

import { h, uid } from "../dom.js";

/** The `count` codes to show first: the most used (`use`: {code: times}), ties in the vocabulary's order. */
export function firstShown(pairs, use, count) {
  const ranked = pairs.map(([code], index) => ({ code, index, times: Number((use || {})[code]) || 0 }));
  ranked.sort((a, b) => b.times - a.times || a.index - b.index);
  return new Set(ranked.slice(0, count).map((r) => r.code));
}

/** `use` after an encounter that named `codes`: one more time each (kept small: codes and counts only). */
export function countUse(use, codes) {
  const next = { ...(use || {}) };
  for (const code of codes || []) next[code] = (Number(next[code]) || 0) + 1;
  return next;
}

// `shown`: the codes always in sight (in the vocabulary's order, first); `more(count)`: the disclosure's words
// for the chips behind it, e.g. "More needs (8)". With no code shown the group is a legend and the button
// (risk flags).
export function chipGroup(legend, name, pairs, { selected = [], shown = new Set(), more }) {
  const chipsId = uid(`${name}-chips`);
  const chip = ([code, label]) => {
    const id = `${name}-${code}`;
    const input = h("input", { type: "checkbox", id, name, value: code, checked: selected.includes(code) });
    return h("div", { class: "chip" }, input, h("label", { for: id }, label));
  };
  const first = pairs.filter(([code]) => shown.has(code)).map(chip);
  const rest = pairs.filter(([code]) => !shown.has(code)).map(chip);
  let open = false;
  // Chips chosen since the group was last collapsed stay in sight even when unticked (nothing jumps away
  // under a finger); collapsing again hides the unticked ones.
  const kept = new WeakSet();
  const toggle = rest.length ? h("button", { type: "button", class: "button secondary more-chips",
    "aria-expanded": "false", "aria-controls": chipsId },
  more(rest.length), h("span", { class: "more-sign", "aria-hidden": "true" })) : null;

  const layout = () => {
    for (const el of rest) el.hidden = !open && !el.querySelector("input").checked && !kept.has(el);
    if (toggle) toggle.setAttribute("aria-expanded", String(open));
  };
  if (toggle) {
    toggle.addEventListener("click", () => {
      open = !open;
      if (!open) for (const el of rest) kept.delete(el);
      layout();
    });
  }
  // The button sits on the legend's row, so it takes no row of its own and stays put when the chips open.
  const element = h("fieldset", { class: toggle ? "toggles collapsible" : "toggles", "data-field": name },
    h("legend", {}, legend), toggle,
    h("div", { class: "chips", id: chipsId }, first, rest));
  // Ticked from elsewhere ("Same as last") or by hand: a chosen chip shows, wherever it is.
  element.addEventListener("change", (event) => {
    const holder = event.target.closest(".chip");
    if (holder && event.target.checked) kept.add(holder);
    layout();
  });
  layout();
  return element;
}
