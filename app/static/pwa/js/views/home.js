// The home screen: one tap to each kind of encounter, what waits to sync, and the way to everything else.

import { fill, h, shortTime } from "../dom.js";
import { listEntries } from "../outbox.js";
import { alertsState, enableAlerts, disableAlerts } from "../push.js";
import { plural, state } from "../store.js";
import { takeFlash } from "../ui.js";
import { KINDS } from "../vocabulary.js";
import * as adminHome from "./admin.js";

const CAN_SEE_STATS = new Set(["supervisor", "admin"]);

// "Shelter check-in" breaks between words, never at the hyphen.
const unbroken = (label) => h("span", {}, label.split(" ").flatMap((word, i) =>
  [i ? " " : "", word.includes("-") ? h("span", { class: "nowrap" }, word) : word]));

function waitingList(entries) {
  const waiting = entries.filter((e) => e.state === "waiting");
  if (!waiting.length) return null;
  return h("section", { class: "card", "aria-labelledby": "waiting-heading" },
    h("h2", { id: "waiting-heading" }, plural(waiting.length, "entry waiting to sync", "entries waiting to sync")),
    h("ul", { class: "entry-list" }, waiting.slice(0, 5).map((e) =>
      h("li", {}, h("span", { class: "entry-label" }, e.label), h("span", { class: "entry-time" }, shortTime(e.created_at))))),
    waiting.length > 5 ? h("a", { href: "#/outbox" }, `See all ${waiting.length}`) : null);
}

async function alertsControl() {
  const status = h("p", { class: "hint", role: "status" });
  const button = h("button", { type: "button", class: "button secondary" });
  const show = async () => {
    const current = await alertsState();
    button.hidden = current === "unsupported" || current === "blocked";
    button.textContent = current === "on" ? "Turn off alerts" : "Enable alerts";
    if (current === "blocked") status.textContent = "Alerts are blocked in this browser's settings.";
    else if (current === "unsupported") status.textContent = "This browser cannot show alerts.";
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "";
    try {
      if ((await alertsState()) === "on") {
        await disableAlerts();
        status.textContent = "Alerts are off.";
      } else {
        await enableAlerts();
        status.textContent = "Alerts are on: new and changed referrals will show here.";
      }
    } catch (error) {
      status.textContent = `Alerts could not be changed: ${error.message}`;
    } finally {
      button.disabled = false;
      await show();
    }
  });
  await show();
  return h("div", { class: "alerts" }, button, status);
}

export async function render(ctx) {
  const user = state.user;
  if (user.role === "admin") return adminHome.render(ctx, { settings: await alertsControl() });
  const list = h("div", {});
  const refresh = async () => fill(list, waitingList(await listEntries(ctx.db)));
  await refresh();
  const links = [
    ["#/people", "People"],
    ["#/outbox", state.attention ? `Outbox · ${state.attention} ${state.attention === 1 ? "needs" : "need"} attention` : "Outbox"],
    ["#/inbox", user.role === "navigator" ? "Referral inbox" : "My referrals"],
    ["#/cases", CAN_SEE_STATS.has(user.role) ? "Cases" : "My cases"],
    ["#/tables", "Situation tables"],
  ];
  // A supervisor's home starts with the dashboard; the daily counts are its first and largest link.
  const dashboard = CAN_SEE_STATS.has(user.role) ? h("nav", { "aria-label": "Dashboard", class: "dashboard-link" },
    h("a", { class: "button primary", href: "#/stats" }, "Daily counts")) : null;
  if (user.role !== "admin") links.push(["#/recent", "My recent entries"]);
  const view = h("div", { class: "view home" },
    takeFlash(),
    dashboard,
    h("h1", {}, user.role === "admin" ? "HELP Field" : "Log an encounter"),
    user.role === "admin"
      ? h("p", { class: "hint" }, "Administrators manage the system; officers, navigators and supervisors log field work.")
      : h("div", { class: "quick-log" }, KINDS.map((kind) =>
        h("button", { type: "button", class: `kind-button kind-${kind.code}`, onclick: () => ctx.go(`/log/${kind.code}`) },
          unbroken(kind.label)))),
    list,
    h("nav", { "aria-label": "More", class: "more" },
      h("ul", { class: "link-grid" }, links.map(([href, text]) => h("li", {}, h("a", { class: "button secondary", href }, text))))),
    h("section", { class: "settings", "aria-label": "This phone" },
      await alertsControl(),
      h("a", { class: "button quiet", href: "#/password" }, "Change password"),
      h("button", { type: "button", class: "button quiet", onclick: () => ctx.signOut() }, "Sign out")));
  view.refresh = refresh;
  return view;
}
