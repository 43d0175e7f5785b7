// HELP Field's phone app: starts the service worker and the session, routes between screens, keeps the
// status line true. Screens live in views/; sessions and syncing in controller.js.

import * as controller from "./controller.js";
import { getEntry } from "./outbox.js";
import { state, statusDetail, statusText, statusTone, subscribe } from "./store.js";
import { choose, flash, working } from "./ui.js";
import * as caseIntake from "./views/case-intake.js";
import * as caseView from "./views/case.js";
import * as cases from "./views/cases.js";
import * as duplicates from "./views/duplicates.js";
import * as encounterForm from "./views/encounter-form.js";
import * as home from "./views/home.js";
import * as hub from "./views/hub.js";
import * as hubReport from "./views/hub-report.js";
import * as ourSituations from "./views/our-situations.js";
import * as outboxView from "./views/outbox.js";
import * as people from "./views/people.js";
import * as personEdit from "./views/person-edit.js";
import * as recent from "./views/recent.js";
import * as referralForm from "./views/referral-form.js";
import * as referrals from "./views/referrals.js";
import * as signin from "./views/signin.js";
import * as stats from "./views/stats.js";
import * as password from "./views/password.js";
import * as admin from "./views/admin.js";
import * as adminUsers from "./views/admin-users.js";
import * as adminDirectory from "./views/admin-directory.js";
import * as adminAudit from "./views/admin-audit.js";
import { h } from "./dom.js";
import { t, translatePage } from "./i18n.js";

const main = document.getElementById("main");
let currentView = null;
let renderCount = 0;

const ctx = {
  get db() { return controller.currentDb(); },
  go(path) {
    if (location.hash === `#${path}`) route();
    else location.hash = path;
  },
  save: controller.save,
  recount: controller.refreshCounts,
  sync: () => controller.requestSync("screen"),
  async resent() {
    await controller.refreshCounts();
    controller.requestSync("resent");
  },
  async signIn(username, password) {
    const user = await controller.signIn(username, password);
    flash(t("app.signedInAs", { name: user.display_name }));
    ctx.go("/");
  },
  signOut: signOutFlow,
  passwordChanged: controller.passwordChanged,
};

async function fix(id) {
  const entry = await getEntry(ctx.db, id);
  if (!entry || entry.state !== "attention") {
    flash(t("app.entryGone"));
    return outboxView.render(ctx);
  }
  if (entry.type === "encounter") return encounterForm.render(ctx, { entry });
  if (entry.type === "referral") return referralForm.render(ctx, { entry });
  if (entry.type === "person") return people.renderPersonFix(ctx, entry);
  if (entry.type === "person_update") return personEdit.render(ctx, { entry });
  if (entry.type === "encounter_amend") return recent.renderFixCorrection(ctx, entry);
  return outboxView.render(ctx);
}

const ROUTES = [
  [/^\/$/, () => home.render(ctx)],
  [/^\/signin$/, () => signin.render(ctx)],
  [/^\/log\/([a-z_]+)$/, (m, query) => encounterForm.render(ctx, { kind: m[1], query })],
  [/^\/fix\/([\w-]+)$/, (m) => fix(m[1])],
  [/^\/outbox$/, () => outboxView.render(ctx)],
  [/^\/people$/, () => people.renderList(ctx)],
  [/^\/person\/([\w-]+)$/, (m) => people.renderPerson(ctx, { id: m[1] })],
  [/^\/person\/([\w-]+)\/edit$/, (m) => personEdit.render(ctx, { id: m[1] })],
  [/^\/duplicates$/, () => duplicates.render(ctx)],
  [/^\/refer$/, (m, query) => referralForm.render(ctx, { query })],
  [/^\/inbox$/, () => referrals.renderInbox(ctx)],
  [/^\/referral\/([\w-]+)$/, (m) => referrals.renderReferral(ctx, { id: decodeURIComponent(m[1]) })],
  [/^\/stats$/, () => stats.render(ctx)],
  [/^\/recent$/, () => recent.renderList(ctx)],
  [/^\/recent\/([\w-]+)\/correct$/, (m) => recent.renderCorrect(ctx, { id: m[1] })],
  [/^\/recent\/([\w-]+)\/void$/, (m) => recent.renderVoid(ctx, { id: m[1] })],
  [/^\/cases$/, () => cases.renderList(ctx)],
  [/^\/case\/new$/, (m, query) => caseIntake.render(ctx, { query })],
  [/^\/case\/([\w-]+)$/, (m) => caseView.renderCase(ctx, { id: m[1] })],
  [/^\/password$/, () => password.render(ctx)],
  [/^\/admin$/, () => admin.render(ctx)],
  [/^\/admin\/users$/, (m, query) => adminUsers.renderList(ctx, { query })],
  [/^\/admin\/users\/new$/, () => adminUsers.renderNew(ctx)],
  [/^\/admin\/users\/import$/, () => adminUsers.renderImport(ctx)],
  [/^\/admin\/users\/(\d+)$/, (m) => adminUsers.renderUser(ctx, { id: Number(m[1]) })],
  [/^\/admin\/(teams|agencies|sites)$/, (m) => adminDirectory.render(ctx, { kind: m[1] })],
  [/^\/admin\/audit$/, (m, query) => adminAudit.render(ctx, { query })],
  [/^\/tables$/, () => hub.renderTables(ctx)],
  [/^\/table\/(\d+)$/, (m) => hub.renderAgenda(ctx, { id: m[1] })],
  [/^\/table\/(\d+)\/present$/, (m, query) => hub.renderPresent(ctx, { id: m[1], query })],
  [/^\/table\/(\d+)\/report$/, (m) => hubReport.renderReport(ctx, { id: m[1] })],
  [/^\/situations$/, () => ourSituations.renderOurs(ctx)],
  [/^\/situation\/([\w-]+)$/, (m) => ourSituations.renderSituation(ctx, { id: m[1] })],
];

async function route() {
  const mine = ++renderCount;
  const raw = location.hash.startsWith("#/") ? location.hash.slice(1) : "/";
  const [path, search] = raw.split("?");
  if ((!state.user || state.revoked) && path !== "/signin") return location.replace("#/signin");
  if (state.user && !state.authRequired && path === "/signin") return location.replace("#/");
  if (state.user && state.passwordChangeRequired && path !== "/password") return location.replace("#/password");
  let view;
  try {
    const found = ROUTES.map(([pattern, make]) => [path.match(pattern), make]).find(([m]) => m);
    view = found ? await found[1](found[0], new URLSearchParams(search || ""))
      : h("div", { class: "view" }, h("h1", {}, t("app.notFound")), h("p", {}, h("a", { href: "#/" }, t("app.backHome"))));
  } catch (error) {
    view = h("div", { class: "view" }, h("h1", {}, t("app.wentWrong")),
      h("p", { class: "problem", role: "alert" }, String(error.message || error)),
      h("p", {}, h("a", { href: "#/" }, t("app.backHome"))));
  }
  if (mine !== renderCount) return;
  main.replaceChildren(view);
  main.hidden = false;
  renderStatus();
  currentView = view;
  const heading = view.querySelector("h1");
  document.title = heading ? t("shell.title", { screen: heading.firstChild.textContent }) : t("shell.brand");
  if (heading && renderCount > 1) {
    heading.tabIndex = -1;
    heading.focus();
  }
  window.scrollTo(0, 0);
}

// A screen with something typed into it is not redrawn under the user's fingers. Nor is one whose user's
// database has closed: a sync (often the service worker's) can finish just after a sign-out closed it.
function refreshView() {
  const db = controller.currentDb();
  const active = document.activeElement;
  const typing = active && main.contains(active) && active.matches("input[type=text], input[type=search], textarea") && active.value;
  if (!db || !currentView || !currentView.refresh || typing) return;
  Promise.resolve(currentView.refresh()).catch((error) => {
    if (controller.currentDb() === db) throw error; // still signed in: a real failure, left uncaught
  });
}

const statusBar = document.getElementById("status");
const statusLine = document.getElementById("status-text");
const statusMore = document.getElementById("status-detail");
const attentionLink = document.getElementById("status-attention");
const syncButton = document.getElementById("sync-now");
const who = document.getElementById("who");
let wasAuthRequired = false;

function renderStatus() {
  statusBar.hidden = !state.user;
  who.textContent = state.user ? state.user.display_name : "";
  statusLine.textContent = statusText();
  statusBar.className = `status tone-${statusTone()}`;
  statusMore.textContent = statusDetail();
  attentionLink.hidden = !state.attention || state.revoked;
  attentionLink.textContent = state.waiting || !state.online || state.authRequired
    ? t("app.needAttention", { count: state.attention }) : t("app.openOutbox");
  syncButton.textContent = state.authRequired ? t("app.signIn") : t("app.syncNow");
  // On the sign-in screen its own button is the one to use.
  syncButton.hidden = state.authRequired && location.hash.startsWith("#/signin");
  syncButton.setAttribute("aria-busy", String(state.syncing));
  if (state.revoked && !location.hash.startsWith("#/signin")) {
    // Signed out by an administrator: no screen of the app stays open, not even a half-filled form.
    location.hash = "/signin";
  } else if (state.authRequired && !wasAuthRequired) {
    // The session ended: ask to sign in again, unless the user is in the middle of a form.
    const path = location.hash.slice(1) || "/";
    if (["/", "/outbox", "/inbox"].includes(path)) location.hash = "/signin";
  }
  wasAuthRequired = state.authRequired;
}

syncButton.addEventListener("click", () => {
  if (state.authRequired) ctx.go("/signin");
  else controller.requestSync("button");
});

function reasonNotSent() {
  if (!state.online) return t("app.offline");
  if (state.authRequired) return t("app.sessionEnded");
  if (state.attention) return t("app.needYourAttention", { count: state.attention });
  return t("app.notTaken");
}

async function signOutFlow() {
  await controller.refreshCounts();
  if (state.waiting && !state.authRequired) {
    // Always worth a try, even when the last attempt found no connection.
    const done = working(t("app.signingOut"), t("app.sendingFirst", { count: state.waiting }));
    await controller.requestSync("sign-out");
    await controller.settle();
    done();
  }
  const unsent = state.waiting + state.attention;
  let keepUnsent = false;
  if (unsent) {
    const choice = await choose({
      title: t("app.notSent", { count: unsent }),
      body: [reasonNotSent(), t("app.ifSignOut")],
      choices: [
        { label: t("app.stay"), value: "stay", tone: "primary" },
        { label: t("app.keep"), value: "keep", tone: "secondary" },
        { label: t("app.signOutDelete", { count: unsent }), value: "delete", tone: "danger" },
      ],
    });
    if (choice !== "keep" && choice !== "delete") return;
    keepUnsent = choice === "keep";
  }
  await controller.signOut({ keepUnsent });
  flash(keepUnsent ? t("app.signedOutKept")
    : t("app.signedOutGone"));
  ctx.go("/signin");
}

function onWorkerMessage(event) {
  const message = event.data || {};
  if (message.type === "sync-finished") controller.backgroundSyncFinished(message.result);
  else if (message.type === "open" && message.hash) location.hash = message.hash;
  else if (message.type === "alert") controller.requestSync("alert");
}

async function boot() {
  translatePage();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", onWorkerMessage);
    navigator.serviceWorker.register("/sw.js", { type: "module", scope: "/" }).catch((error) => {
      console.warn("The app will not work offline: service worker not registered", error);
    });
  }
  window.addEventListener("online", controller.wentOnline);
  window.addEventListener("offline", controller.wentOffline);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") controller.requestSync("visible");
  });
  document.addEventListener("help:synced", refreshView);
  window.addEventListener("hashchange", route);
  await controller.start();
  // The status line appears with the first screen, in the same frame: nothing jumps while starting.
  await route();
  renderStatus();
  subscribe(renderStatus);
}

boot();
