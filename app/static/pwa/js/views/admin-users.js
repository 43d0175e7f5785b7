// Accounts: the list with filters, adding one, importing a CSV file (parsed on the server: one result
// per row), and one user's page (edit, reset the password, deactivate).

import { ApiError, api } from "../api.js";
import { fill, h, uid } from "../dom.js";
import { backLink, choose, emptyNote, field, flash, showFieldErrors, takeFlash } from "../ui.js";
import { problemText } from "./admin.js";
import { t } from "../i18n.js";

const ROLES = [["officer", t("users.officer")], ["navigator", t("users.navigator")], ["supervisor", t("users.supervisor")],
  ["admin", t("users.admin")]];
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
  return h("div", { class: "view" }, backLink("#/admin", t("admin.title")), h("h1", {}, t("admin.users")),
    h("p", { class: "problem", role: "alert" }, problemText(error)));
}

export async function renderList(ctx, { query }) {
  let ref;
  try {
    ref = await reference();
  } catch (error) {
    return failure(error);
  }
  const role = select("role", ROLES, query.get("role"), t("users.allRoles"));
  const team = select("team_id", ref.teams.map((team) => [team.id, team.name]), query.get("team_id"), t("users.allTeams"));
  const active = select("active", [["true", t("users.active")], ["false", t("users.deactivated")]], query.get("active") ?? "true",
    t("users.both"));
  const search = h("input", { type: "search", id: uid("q"), name: "q", value: query.get("q") || "", autocomplete: "off" });
  const results = h("div", { "aria-live": "polite" });
  const teamName = new Map(ref.teams.map((team) => [team.id, team.name]));
  const agencyName = new Map(ref.agencies.map((a) => [a.id, a.short_name || a.name]));
  const show = async (page = 1) => {
    const params = new URLSearchParams({ per_page: "100", page: String(page) });
    for (const control of [role, team, active, search]) if (control.value) params.set(control.name, control.value);
    results.replaceChildren(h("p", { class: "hint" }, t("audit.loading")));
    try {
      const body = await api(`/users?${params}`);
      fill(results,
        h("p", { class: "hint" }, t("users.count", { count: body.total })),
        body.items.length ? h("ul", { class: "entry-list user-list" }, body.items.map((u) => h("li", {},
          h("a", { href: `#/admin/users/${u.id}` }, u.display_name),
          h("span", { class: "entry-time" }, [u.username, roleLabel(u.role), teamName.get(u.team_id), agencyName.get(u.agency_id),
            u.active ? null : t("users.isDeactivated")].filter(Boolean).join(" · ")))))
          : emptyNote(t("users.none")),
        body.pages > page
          ? h("button", { type: "button", class: "button secondary", onclick: () => show(page + 1) }, t("users.next")) : null,
        page > 1 ? h("button", { type: "button", class: "button quiet", onclick: () => show(page - 1) }, t("users.previous")) : null);
    } catch (error) {
      results.replaceChildren(h("p", { class: "problem", role: "alert" }, problemText(error)));
    }
  };
  const form = h("form", { class: "entry-form filters", role: "search" },
    field(t("users.nameOrUsername"), search), field(t("users.role"), role), field(t("case.team"), team),
    field(t("users.status"), active),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button secondary" }, t("audit.show"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  await show();
  return h("div", { class: "view" }, takeFlash(), backLink("#/admin", t("admin.title")), h("h1", {}, t("admin.users")),
    h("ul", { class: "link-grid" },
      h("li", {}, h("a", { class: "button primary", href: "#/admin/users/new" }, t("users.addAUser"))),
      h("li", {}, h("a", { class: "button secondary", href: "#/admin/users/import" }, t("users.importFile")))),
    form, results);
}

function secretCard(title, username, password) {
  return h("section", { class: "card secret-card", role: "status" },
    h("h2", {}, title),
    h("p", {}, t("users.giveIt", { username })),
    h("p", { class: "secret" }, password));
}

function accountFields(ref, user = {}) {
  const display = h("input", { type: "text", id: uid("display_name"), name: "display_name", value: user.display_name || "",
    "data-field": "display_name", autocomplete: "off" });
  const role = select("role", ROLES, user.role || "officer", null);
  const team = select("team_id", choosable(ref.teams, user.team_id), user.team_id, t("users.noTeam"));
  const agency = select("agency_id", choosable(ref.agencies, user.agency_id), user.agency_id, t("directory.noAgency"));
  const values = () => ({ display_name: display.value.trim(), role: role.value,
    team_id: team.value ? Number(team.value) : null, agency_id: agency.value ? Number(agency.value) : null });
  return { controls: [field(t("users.displayName"), display), field(t("users.role"), role), field(t("case.team"), team),
    field(t("users.agency"), agency, t("users.agencyHint"))], values };
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
    field(t("signin.username"), username, t("users.usernameHint")),
    ...account.controls,
    field(t("users.password"), password, t("users.passwordHint")),
    problem, h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button primary" }, t("users.addUser"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    showFieldErrors(form, {});
    try {
      const created = await api("/users", { method: "POST", body: { username: username.value.trim(), ...account.values(),
        display_name: account.values().display_name || username.value.trim(), password: password.value || null } });
      form.reset();
      fill(outcome,
        h("p", { class: "notice", role: "status" }, t("users.added", { name: created.display_name, username: created.username })),
        created.temporary_password ? secretCard(t("users.temporary"), created.username, created.temporary_password) : null);
    } catch (error) {
      if (!(error instanceof ApiError && error.fields && showFieldErrors(form, error.fields))) {
        problem.textContent = problemText(error);
        problem.hidden = false;
      }
    }
  });
  return h("div", { class: "view" }, backLink("#/admin/users", t("admin.users")), h("h1", {}, t("users.addAUser")), outcome, form);
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
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button primary" }, t("edit.save"))));
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
    send(account.values(), (saved) => t("directory.saved", { name: saved.display_name }));
  });
  const reset = async () => {
    const choice = await choose({ title: t("users.resetTitle", { name: user.display_name }),
      body: [t("users.resetBody")],
      choices: [{ label: t("users.reset"), value: "reset", tone: "danger" },
        { label: t("ui.cancel"), value: "cancel", tone: "secondary" }] });
    if (choice !== "reset") return;
    try {
      const body = await api(`/users/${id}/reset-password`, { method: "POST" });
      outcome.replaceChildren(secretCard(t("users.temporary"), user.username, body.temporary_password));
      outcome.querySelector("h2").focus?.();
    } catch (error) {
      outcome.replaceChildren(h("p", { class: "problem", role: "alert" }, problemText(error)));
    }
  };
  const toggleActive = async () => {
    if (user.active) {
      const choice = await choose({ title: t("users.deactivateTitle", { name: user.display_name }),
        body: [t("users.deactivateBody")],
        choices: [{ label: t("directory.deactivate"), value: "off", tone: "danger" },
          { label: t("ui.cancel"), value: "cancel", tone: "secondary" }] });
      if (choice !== "off") return;
    }
    send({ active: !user.active }, (saved) => (saved.active ? t("users.activeAgain", { name: saved.display_name })
      : t("users.nowDeactivated", { name: saved.display_name })));
  };
  return h("div", { class: "view" }, takeFlash(), backLink("#/admin/users", t("admin.users")),
    h("h1", {}, user.display_name),
    h("p", { class: "hint" }, [user.username, roleLabel(user.role), user.active ? t("users.isActive") : t("users.isDeactivated"),
      user.must_change_password ? t("users.mustChange") : null].filter(Boolean).join(" · ")),
    outcome, form,
    h("section", { class: "card", "aria-label": t("users.account") },
      h("button", { type: "button", class: "button secondary", onclick: reset }, t("users.reset")),
      h("button", { type: "button", class: user.active ? "button danger" : "button secondary", onclick: toggleActive },
        user.active ? t("directory.deactivate") : t("directory.reactivate"))));
}

function importResults(body) {
  const rejected = body.results.filter((r) => r.status === "rejected");
  const created = body.results.filter((r) => r.status === "created");
  const reason = (error) => [error.message, ...Object.entries(error.fields || {}).map(([name, messages]) =>
    t("outbox.fieldMessage", { field: name, messages: [].concat(messages).join(" ") }))].join(" ");
  return h("div", { class: "import-results" },
    h("p", { class: "notice", role: "status" }, t("users.imported", { created: body.created, rejected: body.rejected })),
    rejected.length ? h("section", { class: "card", "aria-labelledby": "rejected-heading" },
      h("h2", { id: "rejected-heading" }, t("users.rejectedRows")),
      h("ul", { class: "entry-list rejected-rows" }, rejected.map((r) => h("li", {},
        h("span", { class: "entry-label" }, t("users.row", { row: r.row })), h("span", {}, reason(r.error)))))) : null,
    created.length ? h("section", { class: "card", "aria-labelledby": "created-heading" },
      h("h2", { id: "created-heading" }, t("users.created")),
      created.some((r) => r.temporary_password)
        ? h("p", { class: "hint" }, t("users.temporaryHint")) : null,
      h("ul", { class: "entry-list created-rows" }, created.map((r) => h("li", {},
        h("span", { class: "entry-label" }, r.username), r.temporary_password ? h("span", { class: "secret" }, r.temporary_password) : null))))
      : null);
}

export function renderImport() {
  const file = h("input", { type: "file", id: uid("file"), name: "file", accept: ".csv,text/csv", "data-field": "csv" });
  const problem = h("p", { class: "problem", role: "alert", hidden: true });
  const results = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "button primary" }, t("users.import"));
  const form = h("form", { class: "entry-form", novalidate: true },
    field(t("users.csv"), file, t("users.csvHint")),
    problem, h("div", { class: "form-actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    if (!file.files.length) {
      problem.textContent = t("users.chooseFile");
      problem.hidden = false;
      return;
    }
    button.disabled = true;
    button.textContent = t("users.importing");
    results.replaceChildren(h("p", { class: "hint" }, t("users.creating")));
    try {
      const text = await file.files[0].text();
      results.replaceChildren(importResults(await api("/users/import", { method: "POST", body: { csv: text } })));
    } catch (error) {
      results.replaceChildren();
      problem.textContent = problemText(error);
      problem.hidden = false;
    } finally {
      button.disabled = false;
      button.textContent = t("users.import");
    }
  });
  return h("div", { class: "view" }, backLink("#/admin/users", t("admin.users")), h("h1", {}, t("admin.import")), form, results);
}
