// Change password: for every user, and the one screen open after an administrator's reset until a new
// password is chosen (the server refuses everything else meanwhile).

import { ApiError, NetworkError, api } from "../api.js";
import { h, uid } from "../dom.js";
import { t } from "../i18n.js";
import { state } from "../store.js";
import { backLink, checkWith, field, flash, showFieldErrors, takeFlash } from "../ui.js";

const MISMATCH = t("password.mismatch");

export function render(ctx) {
  const forced = Boolean(state.passwordChangeRequired);
  const input = (name, autocomplete) => h("input", { type: "password", id: uid(name), name, autocomplete,
    required: true, "data-field": name });
  const current = input("current_password", "current-password");
  const fresh = input("new_password", "new-password");
  const again = input("confirm_password", "new-password");
  const problem = h("p", { class: "problem", role: "alert", hidden: true });
  const button = h("button", { type: "submit", class: "button primary" }, t("home.changePassword"));
  const form = h("form", { class: "entry-form", novalidate: true },
    field(forced ? t("users.temporary") : t("password.current"), current),
    field(t("password.new"), fresh, t("password.newHint")),
    field(t("password.again"), again),
    problem, h("div", { class: "form-actions" }, button));

  // The form's own check: a message goes when its field is right, not merely when it holds something
  // (the mismatch stays while the two new passwords differ).
  const check = () => {
    if (!current.value) return { current_password: [t("password.giveCurrent")] };
    if (!fresh.value) return { new_password: [t("password.chooseNew")] };
    return fresh.value === again.value ? {} : { confirm_password: [MISMATCH] };
  };
  checkWith(form, check);
  // Once the confirmation has been given (or Save pressed), the mismatch follows both fields as they are
  // typed: shown while they differ, gone as soon as they match. Only the confirmation's own message is
  // touched (a message on another field stays), and the cursor stays where it is.
  let comparing = false;
  const compare = () => {
    if (!comparing || !again.value) return;
    const shown = form.querySelector("#confirm_password-error");
    const differ = fresh.value !== again.value;
    if (differ && !shown) {
      const message = h("p", { class: "field-error", id: "confirm_password-error" }, MISMATCH);
      again.closest(".field").append(message);
      again.setAttribute("aria-invalid", "true");
      again.setAttribute("aria-describedby", message.id);
    } else if (!differ && shown) {
      shown.remove();
      again.removeAttribute("aria-invalid");
      again.removeAttribute("aria-describedby");
    }
  };
  fresh.addEventListener("input", compare);
  again.addEventListener("input", compare);
  again.addEventListener("change", () => {
    comparing = true;
    compare();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    comparing = true;
    if (showFieldErrors(form, check())) return;
    button.disabled = true;
    try {
      await api("/auth/password", { method: "POST", body: { current_password: current.value, new_password: fresh.value } });
      flash(t("password.changed"));
      await ctx.passwordChanged();
      ctx.go("/");
    } catch (error) {
      const shown = error instanceof ApiError && error.fields && showFieldErrors(form, error.fields);
      if (!shown) {
        problem.textContent = error instanceof NetworkError ? t("password.noConnection")
          : String(error.message || error);
        problem.hidden = false;
      }
    } finally {
      button.disabled = false;
    }
  });

  return h("div", { class: "view" }, takeFlash(),
    forced ? null : backLink(),
    h("h1", {}, forced ? t("password.chooseTitle") : t("home.changePassword")),
    forced ? h("p", { class: "notice", role: "status" }, t("password.wasReset")) : null,
    form,
    forced ? h("button", { type: "button", class: "button quiet", onclick: () => ctx.signOut() }, t("home.signOut")) : null);
}
