// Shared pieces of the screens: the dialog, flash messages, form errors, list helpers.

import { fill, h } from "./dom.js";
import { t } from "./i18n.js";

let pendingFlash = null;

// A message shown at the top of the next screen (role="status", so it is announced).
export function flash(text, action = null) {
  pendingFlash = { text, action };
}

export function takeFlash() {
  const message = pendingFlash;
  pendingFlash = null;
  if (!message) return null;
  return h("div", { class: "flash", role: "status" },
    h("p", {}, message.text),
    message.action ? h("a", { class: "button secondary", href: message.action.href }, message.action.label) : null);
}

// A modal choice. Resolves with the chosen value, or null when dismissed (Escape).
export function choose({ title, body, choices }) {
  const dialog = document.getElementById("dialog");
  const titleId = "dialog-title";
  fill(dialog,
    h("h2", { id: titleId }, title),
    ...(Array.isArray(body) ? body : [body]).filter(Boolean).map((p) => (p instanceof Node ? p : h("p", {}, p))),
    h("div", { class: "dialog-actions" }, choices.map((choice) =>
      h("button", { type: "button", class: `button ${choice.tone || "secondary"}`, value: choice.value,
        onclick: () => dialog.close(choice.value) }, choice.label))),
  );
  dialog.setAttribute("aria-labelledby", titleId);
  dialog.returnValue = "";
  return new Promise((resolve) => {
    // A "close" still queued from the dialog's previous use arrives while this one is open: not ours.
    const closed = () => {
      if (dialog.open) return;
      dialog.removeEventListener("close", closed);
      resolve(dialog.returnValue || null);
    };
    dialog.addEventListener("close", closed);
    dialog.showModal();
  });
}

// A dialog that only says something is happening; close it with the returned function.
export function working(title, text) {
  const dialog = document.getElementById("dialog");
  dialog.replaceChildren(h("h2", { id: "dialog-title" }, title), h("p", { role: "status" }, text));
  dialog.setAttribute("aria-labelledby", "dialog-title");
  dialog.showModal();
  return () => dialog.open && dialog.close();
}

function unmark(el) {
  el.removeAttribute("aria-invalid");
  const described = (el.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.endsWith("-error"));
  if (described.length) el.setAttribute("aria-describedby", described.join(" "));
  else el.removeAttribute("aria-describedby");
}

// A form's own check (the one its Save runs, returning {name: [messages]}), so that a message goes away as soon
// as its field is valid. Without one, a message goes when its field is given a value.
const checks = new WeakMap();
export function checkWith(form, check) {
  checks.set(form, check);
}

const hasValue = (holder) => [...holder.querySelectorAll("input, select, textarea")].concat(
  holder.matches("input, select, textarea") ? [holder] : [])
  .some((c) => (c.type === "checkbox" || c.type === "radio" ? c.checked : c.value.trim() !== ""));

function watchErrors(form) {
  if (form.dataset.errorsWatched) return;
  form.dataset.errorsWatched = "true";
  const recheck = (event) => {
    for (const message of [...form.querySelectorAll(".field-error")]) {
      const holder = message.parentElement;
      const name = message.id.replace(/-error$/, "");
      const target = form.querySelector(`[data-field="${CSS.escape(name)}"]`) || holder;
      if (!holder.contains(event.target) && !target.contains(event.target)) continue;
      const check = checks.get(form);
      const stillWrong = check ? name in check() : !hasValue(target);
      if (stillWrong) continue;
      message.remove();
      for (const el of holder.querySelectorAll("[aria-invalid]")) unmark(el);
    }
  };
  form.addEventListener("input", recheck);
  form.addEventListener("change", recheck);
}

// Marks fields invalid with their messages; focuses the first one. `errors`: {name: [messages]}.
// Each message clears by itself once its field is valid (see checkWith).
export function showFieldErrors(form, errors) {
  watchErrors(form);
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  for (const el of form.querySelectorAll("[aria-invalid]")) unmark(el);
  let first = null;
  for (const [name, messages] of Object.entries(errors || {})) {
    const target = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (!target) continue;
    const control = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
    const message = h("p", { class: "field-error", id: `${name}-error` }, [].concat(messages).join(" "));
    (target.closest(".field") || target).append(message);
    if (control) {
      control.setAttribute("aria-invalid", "true");
      const described = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      control.setAttribute("aria-describedby", [...described, message.id].join(" "));
      first ||= control;
    }
  }
  if (first) first.focus();
  return Boolean(first);
}

export function field(label, control, hint = null) {
  const hintEl = hint ? h("p", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), hintEl, control);
}

export function backLink(href = "#/", text = t("ui.home")) {
  return h("a", { class: "back", href }, h("span", { "aria-hidden": "true" }, "‹ "), text);
}

export function emptyNote(text) {
  return h("p", { class: "empty" }, text);
}

// Needs, risk flags, outcomes: large on/off toggles (checkboxes under the hood, so they are announced as such).
export function toggles(legend, name, pairs, selected = []) {
  return h("fieldset", { class: "toggles", "data-field": name },
    h("legend", {}, legend),
    h("div", { class: "chips" }, pairs.map(([code, label]) => {
      const id = `${name}-${code}`;
      return h("div", { class: "chip" },
        h("input", { type: "checkbox", id, name, value: code, checked: selected.includes(code) }),
        h("label", { for: id }, label));
    })));
}

export function checkedValues(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);
}
