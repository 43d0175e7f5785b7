// The administrator's home: setting up and running the unit (accounts, teams, agencies, sites, the audit
// log), not field work. Everything here needs a connection: nothing of it is kept on the phone.

import { h } from "../dom.js";
import { takeFlash } from "../ui.js";
import { t } from "../i18n.js";

const LINKS = [
  ["#/admin/users", t("admin.users")],
  ["#/admin/users/import", t("admin.import")],
  ["#/admin/teams", t("admin.teams")],
  ["#/admin/agencies", t("admin.agencies")],
  ["#/admin/sites", t("admin.sites")],
  ["#/admin/audit", t("admin.audit")],
  ["#/stats", t("home.dailyCounts")],
  ["#/cases", t("home.cases")],
];

export function render(ctx, { settings = null } = {}) {
  return h("div", { class: "view home admin-home" },
    takeFlash(),
    h("h1", {}, t("admin.title")),
    h("p", { class: "hint" }, t("admin.hint")),
    h("nav", { "aria-label": t("admin.title"), class: "more" },
      h("ul", { class: "link-grid" }, LINKS.map(([href, text]) => h("li", {}, h("a", { class: "button secondary", href }, text))))),
    h("section", { class: "settings", "aria-label": t("home.thisPhone") },
      settings,
      h("a", { class: "button quiet", href: "#/password" }, t("home.changePassword")),
      h("button", { type: "button", class: "button quiet", onclick: () => ctx.signOut() }, t("home.signOut"))));
}

// Shared by the administration screens: a sentence for a failed call.
export function problemText(error) {
  if (error && error.name === "NetworkError") return t("admin.noConnection");
  return String((error && error.message) || error);
}
