// The administrator's home: setting up and running the unit (accounts, teams, agencies, sites, the audit
// log), not field work. Everything here needs a connection: nothing of it is kept on the phone.

import { h } from "../dom.js";
import { takeFlash } from "../ui.js";

const LINKS = [
  ["#/admin/users", "Users"],
  ["#/admin/users/import", "Import users"],
  ["#/admin/teams", "Teams"],
  ["#/admin/agencies", "Partner agencies"],
  ["#/admin/sites", "Sites"],
  ["#/admin/audit", "Audit log"],
  ["#/stats", "Daily counts"],
  ["#/cases", "Cases"],
];

export function render(ctx, { settings = null } = {}) {
  return h("div", { class: "view home admin-home" },
    takeFlash(),
    h("h1", {}, "Administration"),
    h("p", { class: "hint" }, "Add and change accounts, teams, partner agencies and sites; every change is in the audit log."),
    h("nav", { "aria-label": "Administration", class: "more" },
      h("ul", { class: "link-grid" }, LINKS.map(([href, text]) => h("li", {}, h("a", { class: "button secondary", href }, text))))),
    h("section", { class: "settings", "aria-label": "This phone" },
      settings,
      h("a", { class: "button quiet", href: "#/password" }, "Change password"),
      h("button", { type: "button", class: "button quiet", onclick: () => ctx.signOut() }, "Sign out")));
}

// Shared by the administration screens: a sentence for a failed call.
export function problemText(error) {
  if (error && error.name === "NetworkError") return "No connection: administration needs the network.";
  return String((error && error.message) || error);
}
