// Accounts: the list with filters, adding one, importing a CSV file (parsed on the server: one result
// per row), and one user's page (edit, reset the password, deactivate).

import { ApiError, api } from "../api.js";
import { h, uid } from "../dom.js";
import { backLink, choose, emptyNote, field, flash, showFieldErrors, takeFlash } from "../ui.js";
import { problemText } from "./admin.js";

const ROLES = [["officer", "Officer"], ["navigator", "Navigator"], ["supervisor", "Supervisor"], ["admin", "Administrator"]];
const roleLabel = (code) => (ROLES.find(([c]) => c === code) || [code, code])[1];

const select = (name, pairs, chosen, empty) => h("select", { id: uid(name), name, "data-field": name },
  empty === null ? null : h("option", { value: "" }, empty),
  pairs.map(([value, label]) => h("option", { value: String(value), selected: String(value) === String(chosen ?? "") }, label)));

async function reference() {
  const [teams, agencies] = await Promise.all([api("/teams"), api("/agencies")]);
  return { teams, agencies };
}

// Choosable: the active ones, plus the one the account already has (a deactivated one stays on it).
const choosable = (rows, current) => rows.filter((r) => r.active !== false || r.id === current).map((r) => [r.id, r.name]);

function failure(error) {
  return h("div", { class: "view" }, backLink("#/admin", "Administration"), h("h1", {}, "Users"),
    h("p", { class: "problem", role: "alert" }, problemText(error)));
}

export async function renderList(ctx, { query }) {
  let ref;
  try {
    ref = await reference();
  } catch (error) {
    return failure(error);
  }
  const role = select("role", ROLES, query.get("role"), "All roles");
  const team = select("team_id", ref.teams.map((team) => [team.id, team.name]), query.get("team_id"), "All teams");
  const active = select("active", [["true", "Active"], ["false", "Deactivated"]], query.get("active") ?? "true", "Active and deactivated");
  const search = h("input", { type: "search", id: uid("q"), name: "q", value: query.get("q") || "", autocomplete: "off" });
  const results = h("div", { "aria-live": "polite" });
  const teamName = new Map(ref.teams.map((team) => [team.id, team.name]));
  const agencyName = new Map(ref.agencies.map((a) => [a.id, a.short_name || a.name]));
  const show = async (page = 1) => {
    const params = new URLSearchParams({ per_page: "100", page: String(page) });
    for (const control of [role, team, active, search]) if (control.value) params.set(control.name, control.value);
    results.replaceChildren(h("p", { class: "hint" }, "Loading…"));
    try {
      const body = await api(`/users?${params}`);
      results.replaceChildren(
        h("p", { class: "hint" }, `${body.total} ${body.total === 1 ? "account" : "accounts"}`),
        body.items.length ? h("ul", { class: "entry-list user-list" }, body.items.map((u) => h("li", {},
          h("a", { href: `#/admin/users/${u.id}` }, u.display_name),
          h("span", { class: "entry-time" }, [u.username, roleLabel(u.role), teamName.get(u.team_id), agencyName.get(u.agency_id),
            u.active ? null : "deactivated"].filter(Boolean).join(" · ")))))
          : emptyNote("No account matches."),
        body.pages > page ? h("button", { type: "button", class: "button secondary", onclick: () => show(page + 1) }, "Next page") : null,
        page > 1 ? h("button", { type: "button", class: "button quiet", onclick: () => show(page - 1) }, "Previous page") : null);
    } catch (error) {
      results.replaceChildren(h("p", { class: "problem", role: "alert" }, problemText(error)));
    }
  };
  const form = h("form", { class: "entry-form filters", role: "search" },
    field("Name or username", search), field("Role", role), field("Team", team), field("Status", active),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button secondary" }, "Show")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  await show();
  return h("div", { class: "view" }, takeFlash(), backLink("#/admin", "Administration"), h("h1", {}, "Users"),
    h("ul", { class: "link-grid" },
      h("li", {}, h("a", { class: "button primary", href: "#/admin/users/new" }, "Add a user")),
      h("li", {}, h("a", { class: "button secondary", href: "#/admin/users/import" }, "Import from a file"))),
    form, results);
}

function secretCard(title, username, password) {
  return h("section", { class: "card secret-card", role: "status" },
    h("h2", {}, title),
    h("p", {}, `Give it to ${username} in person. It is shown this once; they choose their own at the next sign-in.`),
    h("p", { class: "secret" }, password));
}

function accountFields(ref, user = {}) {
  const display = h("input", { type: "text", id: uid("display_name"), name: "display_name", value: user.display_name || "",
    "data-field": "display_name", autocomplete: "off" });
  const role = select("role", ROLES, user.role || "officer", null);
  const team = select("team_id", choosable(ref.teams, user.team_id), user.team_id, "No team");
  const agency = select("agency_id", choosable(ref.agencies, user.agency_id), user.agency_id, "No agency");
  const values = () => ({ display_name: display.value.trim(), role: role.value,
    team_id: team.value ? Number(team.value) : null, agency_id: agency.value ? Number(agency.value) : null });
  return { controls: [field("Display name", display), field("Role", role), field("Team", team),
    field("Partner agency", agency, "Navigators belong to one.")], values };
}

export async function renderNew() {
  let ref;
  try {
    ref = await reference();
  } catch (error) {
    return failure(error);
  }
  const username = h("input", { type: "text", id: uid("username"), name: "username", "data-field": "username",
    autocapitalize: "none", spellcheck: "false", autocomplete: "off", required: true });
  const password = h("input", { type: "password", id: uid("password"), name: "password", "data-field": "password",
    autocomplete: "new-password" });
  const account = accountFields(ref);
  const problem = h("p", { class: "problem", role: "alert", hidden: true });
  const outcome = h("div", {});
  const form = h("form", { class: "entry-form", novalidate: true },
    field("Username", username, "3 to 40 of a–z, 0–9 and . _ - (letter case does not count)."),
    ...account.controls,
    field("Password (optional)", password, "Leave empty to get a temporary password to hand over."),
    problem, h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button primary" }, "Add user")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    showFieldErrors(form, {});
    try {
      const created = await api("/users", { method: "POST", body: { username: username.value.trim(), ...account.values(),
        display_name: account.values().display_name || username.value.trim(), password: password.value || null } });
      form.reset();
      outcome.replaceChildren(h("p", { class: "notice", role: "status" }, `Added ${created.display_name} (${created.username}).`),
        created.temporary_password ? secretCard("Temporary password", created.username, created.temporary_password) : null);
    } catch (error) {
      if (!(error instanceof ApiError && error.fields && showFieldErrors(form, error.fields))) {
        problem.textContent = problemText(error);
        problem.hidden = false;
      }
    }
  });
  return h("div", { class: "view" }, backLink("#/admin/users", "Users"), h("h1", {}, "Add a user"), outcome, form);
}

export async function renderUser(ctx, { id }) {
  let ref;
  let user;
  try {
    [ref, user] = await Promise.all([reference(), api(`/users/${id}`)]);
  } catch (error) {
    return failure(error);
  }
  const account = accountFields(ref, user);
  const problem = h("p", { class: "problem", role: "alert", hidden: true });
  const outcome = h("div", {});
  const form = h("form", { class: "entry-form", novalidate: true }, ...account.controls, problem,
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button primary" }, "Save changes")));
  const send = async (changes, done) => {
    problem.hidden = true;
    showFieldErrors(form, {});
    try {
      const saved = await api(`/users/${id}`, { method: "PATCH", body: changes });
      flash(done(saved));
      ctx.go(`/admin/users/${id}`);
    } catch (error) {
      if (!(error instanceof ApiError && error.fields && showFieldErrors(form, error.fields))) {
        problem.textContent = problemText(error);
        problem.hidden = false;
      }
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(account.values(), (saved) => `Saved ${saved.display_name}.`);
  });
  const reset = async () => {
    const choice = await choose({ title: `Reset ${user.display_name}'s password?`,
      body: ["They are signed out on every phone and must choose a new password when they sign in with the temporary one."],
      choices: [{ label: "Reset password", value: "reset", tone: "danger" }, { label: "Cancel", value: "cancel", tone: "secondary" }] });
    if (choice !== "reset") return;
    try {
      const body = await api(`/users/${id}/reset-password`, { method: "POST" });
      outcome.replaceChildren(secretCard("Temporary password", user.username, body.temporary_password));
      outcome.querySelector("h2").focus?.();
    } catch (error) {
      outcome.replaceChildren(h("p", { class: "problem", role: "alert" }, problemText(error)));
    }
  };
  const toggleActive = async () => {
    if (user.active) {
      const choice = await choose({ title: `Deactivate ${user.display_name}?`,
        body: ["They are signed out on every phone at once and cannot sign in; their records stay."],
        choices: [{ label: "Deactivate", value: "off", tone: "danger" }, { label: "Cancel", value: "cancel", tone: "secondary" }] });
      if (choice !== "off") return;
    }
    send({ active: !user.active }, (saved) => `${saved.display_name} is ${saved.active ? "active again" : "deactivated"}.`);
  };
  return h("div", { class: "view" }, takeFlash(), backLink("#/admin/users", "Users"),
    h("h1", {}, user.display_name),
    h("p", { class: "hint" }, [user.username, roleLabel(user.role), user.active ? "active" : "deactivated",
      user.must_change_password ? "must choose a new password" : null].filter(Boolean).join(" · ")),
    outcome, form,
    h("section", { class: "card", "aria-label": "Account" },
      h("button", { type: "button", class: "button secondary", onclick: reset }, "Reset password"),
      h("button", { type: "button", class: user.active ? "button danger" : "button secondary", onclick: toggleActive },
        user.active ? "Deactivate" : "Reactivate")));
}

function importResults(body) {
  const rejected = body.results.filter((r) => r.status === "rejected");
  const created = body.results.filter((r) => r.status === "created");
  const reason = (error) => [error.message, ...Object.entries(error.fields || {}).map(([name, messages]) =>
    `${name}: ${[].concat(messages).join(" ")}`)].join(" ");
  return h("div", { class: "import-results" },
    h("p", { class: "notice", role: "status" }, `${body.created} created, ${body.rejected} rejected.`),
    rejected.length ? h("section", { class: "card", "aria-labelledby": "rejected-heading" },
      h("h2", { id: "rejected-heading" }, "Rejected rows (nothing was created for them)"),
      h("ul", { class: "entry-list rejected-rows" }, rejected.map((r) => h("li", {},
        h("span", { class: "entry-label" }, `Row ${r.row}`), h("span", {}, reason(r.error)))))) : null,
    created.length ? h("section", { class: "card", "aria-labelledby": "created-heading" },
      h("h2", { id: "created-heading" }, "Created"),
      created.some((r) => r.temporary_password)
        ? h("p", { class: "hint" }, "Temporary passwords are shown this once: hand each to its owner, who chooses their own at the first sign-in.") : null,
      h("ul", { class: "entry-list created-rows" }, created.map((r) => h("li", {},
        h("span", { class: "entry-label" }, r.username), r.temporary_password ? h("span", { class: "secret" }, r.temporary_password) : null))))
      : null);
}

export function renderImport() {
  const file = h("input", { type: "file", id: uid("file"), name: "file", accept: ".csv,text/csv", "data-field": "csv" });
  const problem = h("p", { class: "problem", role: "alert", hidden: true });
  const results = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "button primary" }, "Import");
  const form = h("form", { class: "entry-form", novalidate: true },
    field("CSV file", file, "First line: username, display_name, role, team (or team_id), agency (or agency_id), password. "
      + "A row without a password gets a temporary one."),
    problem, h("div", { class: "form-actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    if (!file.files.length) {
      problem.textContent = "Choose the file to import.";
      problem.hidden = false;
      return;
    }
    button.disabled = true;
    button.textContent = "Importing…";
    results.replaceChildren(h("p", { class: "hint" }, "Creating the accounts; this can take up to a minute."));
    try {
      const text = await file.files[0].text();
      results.replaceChildren(importResults(await api("/users/import", { method: "POST", body: { csv: text } })));
    } catch (error) {
      results.replaceChildren();
      problem.textContent = problemText(error);
      problem.hidden = false;
    } finally {
      button.disabled = false;
      button.textContent = "Import";
    }
  });
  return h("div", { class: "view" }, backLink("#/admin/users", "Users"), h("h1", {}, "Import users"), form, results);
}
