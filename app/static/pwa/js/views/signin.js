// Signing in. After an expired session it says so: the entries waiting on this phone sync once signed in.
// After an administrator signed the phone out it says that, and offers no way around signing in.

import { ApiError, NetworkError } from "../api.js";
import { h, uid } from "../dom.js";
import { state } from "../store.js";
import { field, takeFlash } from "../ui.js";
import { t } from "../i18n.js";

export function render(ctx) {
  const again = Boolean(state.user && state.authRequired);
  const revoked = again && state.revoked;
  const username = h("input", { type: "text", id: uid("username"), name: "username", autocomplete: "username",
    autocapitalize: "none", spellcheck: "false", required: true, value: again ? state.user.username : "" });
  const password = h("input", { type: "password", id: uid("password"), name: "password",
    autocomplete: "current-password", required: true });
  const problem = h("p", { class: "problem", role: "alert", hidden: true });
  const button = h("button", { type: "submit", class: "button primary" }, t("app.signIn"));
  const form = h("form", { class: "entry-form signin", novalidate: true },
    field(t("signin.username"), username), field(t("signin.password"), password), problem, h("div", { class: "form-actions" }, button));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    if (!username.value.trim() || !password.value) {
      problem.textContent = t("signin.giveBoth");
      problem.hidden = false;
      (username.value.trim() ? password : username).focus();
      return;
    }
    button.disabled = true;
    button.textContent = t("signin.signingIn");
    try {
      await ctx.signIn(username.value.trim(), password.value);
    } catch (error) {
      problem.textContent = error instanceof NetworkError
        ? t("signin.noConnection")
        : error instanceof ApiError ? error.message : String(error);
      problem.hidden = false;
      password.value = "";
      password.focus();
    } finally {
      button.disabled = false;
      button.textContent = t("app.signIn");
    }
  });

  const waiting = state.waiting + state.attention;
  const intro = revoked
    ? h("p", { class: "notice", role: "alert" }, t("signin.revoked"), waiting
      ? [" ", t("signin.revokedKept", { name: state.user.display_name, count: waiting })] : null)
    : again
      ? h("p", { class: "notice" }, waiting ? t("signin.endedWaiting", { count: waiting }) : t("signin.ended"))
      : h("p", {}, t("signin.intro"));
  return h("div", { class: "view signin-view" }, takeFlash(), h("h1", {}, again ? t("signin.again") : t("app.signIn")),
    intro, form,
    again && !revoked ? h("p", {}, h("a", { href: "#/" }, t("signin.notNow"))) : null);
}
