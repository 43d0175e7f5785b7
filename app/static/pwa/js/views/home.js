// The home screen: one tap to each kind of encounter, what waits to sync, and the way to everything else.

import { fill, h, shortTime } from "../dom.js";
import { listEntries } from "../outbox.js";
import { alertsState, enableAlerts, disableAlerts } from "../push.js";
import { state } from "../store.js";
import { takeFlash } from "../ui.js";
import { KINDS } from "../vocabulary.js";
import * as adminHome from "./admin.js";
import { t } from "../i18n.js";

const CAN_SEE_STATS = new Set(["supervisor", "admin"]);

// "Shelter check-in" breaks between words, never at the hyphen.
const unbroken = (label) => h("span", {}, label.split(" ").flatMap((word, i) =>
  [i ? " " : "", word.includes("-") ? h("span", { class: "nowrap" }, word) : word]));

function waitingList(entries) {
  const waiting = entries.filter((e) => e.state === "waiting");
  if (!waiting.length) return null;
  return h("section", { class: "card", "aria-labelledby": "waiting-heading" },
    h("h2", { id: "waiting-heading" }, t("home.waiting", { count: waiting.length })),
    h("ul", { class: "entry-list" }, waiting.slice(0, 5).map((e) =>
      h("li", {}, h("span", { class: "entry-label" }, e.label), h("span", { class: "entry-time" }, shortTime(e.created_at))))),
    waiting.length > 5 ? h("a", { href: "#/outbox" }, t("home.seeAll", { count: waiting.length })) : null);
}

async function alertsControl() {
  const status = h("p", { class: "hint", role: "status" });
  const button = h("button", { type: "button", class: "button secondary" });
  const show = async () => {
    const current = await alertsState();
    button.hidden = current === "unsupported" || current === "blocked";
    button.textContent = current === "on" ? t("home.alertsOff") : t("home.alertsOn");
    if (current === "blocked") status.textContent = t("home.blocked");
    else if (current === "unsupported") status.textContent = t("home.unsupported");
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "";
    try {
      if ((await alertsState()) === "on") {
        await disableAlerts();
        status.textContent = t("home.turnedOff");
      } else {
        await enableAlerts();
        status.textContent = t("home.turnedOn");
      }
    } catch (error) {
      status.textContent = t("home.alertsFailed", { message: error.message });
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
    ["#/people", t("home.people")],
    ["#/outbox", state.attention ? t("home.outboxAttention", { count: state.attention }) : t("home.outbox")],
    ["#/inbox", user.role === "navigator" ? t("home.inbox") : t("home.myReferrals")],
    ["#/cases", CAN_SEE_STATS.has(user.role) ? t("home.cases") : t("home.myCases")],
    ["#/tables", t("home.tables")],
  ];
  // A supervisor's home starts with the dashboard; the daily counts are its first and largest link.
  const dashboard = CAN_SEE_STATS.has(user.role) ? h("nav", { "aria-label": t("home.dashboard"), class: "dashboard-link" },
    h("a", { class: "button primary", href: "#/stats" }, t("home.dailyCounts"))) : null;
  if (user.role !== "admin") links.push(["#/recent", t("home.recent")]);
  const view = h("div", { class: "view home" },
    takeFlash(),
    dashboard,
    h("h1", {}, user.role === "admin" ? t("shell.brand") : t("home.logEncounter")),
    user.role === "admin"
      ? h("p", { class: "hint" }, t("home.adminHint"))
      : h("div", { class: "quick-log" }, KINDS.map((kind) =>
        h("button", { type: "button", class: `kind-button kind-${kind.code}`, onclick: () => ctx.go(`/log/${kind.code}`) },
          unbroken(kind.label)))),
    list,
    h("nav", { "aria-label": t("home.more"), class: "more" },
      h("ul", { class: "link-grid" }, links.map(([href, text]) => h("li", {}, h("a", { class: "button secondary", href }, text))))),
    h("section", { class: "settings", "aria-label": t("home.thisPhone") },
      await alertsControl(),
      h("a", { class: "button quiet", href: "#/password" }, t("home.changePassword")),
      h("button", { type: "button", class: "button quiet", onclick: () => ctx.signOut() }, t("home.signOut"))));
  view.refresh = refresh;
  return view;
}
