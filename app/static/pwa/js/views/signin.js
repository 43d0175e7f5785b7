// Signing in. After an expired session it says so: the entries waiting on this phone sync once signed in.
// After an administrator signed the phone out it says that, and offers no way around signing in.

import { ApiError, NetworkError } from "../api.js";
import { h, uid } from "../dom.js";
import { plural, state } from "../store.js";
import { field, takeFlash } from "../ui.js";

export function render(ctx) {
  const again = Boolean(state.user && state.authRequired);
  const revoked = again && state.revoked;
  const username = h("input", { type: "text", id: uid("username"), name: "username", autocomplete: "username",
    autocapitalize: "none", spellcheck: "false", required: true, value: again ? state.user.username : "" });
  const password = h("input", { type: "password", id: uid("password"), name: "password",
    autocomplete: "current-password", required: true });
  const problem = h("p", { class: "problem", role: "alert", hidden: true });
  const button = h("button", { type: "submit", class: "button primary" }, "Sign in");
  const form = h("form", { class: "entry-form signin", novalidate: true },
    field("Username", username), field("Password", password), problem, h("div", { class: "form-actions" }, button));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    if (!username.value.trim() || !password.value) {
      problem.textContent = "Give your username and password.";
      problem.hidden = false;
      (username.value.trim() ? password : username).focus();
      return;
    }
    button.disabled = true;
    button.textContent = "Signing in…";
    try {
      await ctx.signIn(username.value.trim(), password.value);
    } catch (error) {
      problem.textContent = error instanceof NetworkError
        ? "No connection: signing in needs the network. Entries you made stay on this phone."
        : error instanceof ApiError ? error.message : String(error);
      problem.hidden = false;
      password.value = "";
      password.focus();
    } finally {
      button.disabled = false;
      button.textContent = "Sign in";
    }
  });

  const waiting = state.waiting + state.attention;
  const intro = revoked
    ? h("p", { class: "notice", role: "alert" }, "An administrator signed this phone out, so the people, referrals ",
      "and cases it held have been removed.", waiting
        ? ` Unsent entries kept on this phone, locked until ${state.user.display_name} signs in again: ${waiting}.` : "")
    : again
      ? h("p", { class: "notice" }, "Your session has ended. Sign in again",
        waiting ? ` to send the ${plural(waiting, "entry", "entries")} on this phone; nothing has been lost.` : ".")
      : h("p", {}, "For HELP teams: log encounters and referrals, with or without a connection.");
  return h("div", { class: "view signin-view" }, takeFlash(), h("h1", {}, again ? "Sign in again" : "Sign in"),
    intro, form,
    again && !revoked ? h("p", {}, h("a", { href: "#/" }, "Not now: keep working on this phone")) : null);
}
