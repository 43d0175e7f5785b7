// HELP Field's phone app: starts the service worker and the session, routes between screens, keeps the
// status line true. Screens live in views/; sessions and syncing in controller.js.

import * as controller from "./controller.js";
import { getEntry } from "./outbox.js";
import { state, statusDetail, statusText, statusTone, subscribe } from "./store.js";
import { choose, flash, working } from "./ui.js";
import * as encounterForm from "./views/encounter-form.js";
import * as home from "./views/home.js";
import * as signin from "./views/signin.js";
import * as admin from "./views/admin.js";
import { h } from "./dom.js";
import { t, translatePage } from "./i18n.js";

// Every screen but the home, sign-in and the encounter form is loaded when first opened, not at start: the
// service worker precaches them with the rest of the shell, so they open offline too, and what a phone must
// load before its first screen stays small (fewer requests on a slow network; docs/field-app.md › "Loading").
const caseIntake = () => import("./views/case-intake.js");
const caseView = () => import("./views/case.js");
const cases = () => import("./views/cases.js");
const outboxView = () => import("./views/outbox.js");
const people = () => import("./views/people.js");
const personEdit = () => import("./views/person-edit.js");
const recent = () => import("./views/recent.js");
const referralForm = () => import("./views/referral-form.js");
const referrals = () => import("./views/referrals.js");
const password = () => import("./views/password.js");
const duplicates = () => import("./views/duplicates.js");
const hub = () => import("./views/hub.js");
const hubReport = () => import("./views/hub-report.js");
const ourSituations = () => import("./views/our-situations.js");
const stats = () => import("./views/stats.js");
const adminUsers = () => import("./views/admin-users.js");
const adminDirectory = () => import("./views/admin-directory.js");
const adminAudit = () => import("./views/admin-audit.js");

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
    return (await outboxView()).render(ctx);
  }
  if (entry.type === "encounter") return encounterForm.render(ctx, { entry });
  if (entry.type === "referral") return (await referralForm()).render(ctx, { entry });
  if (entry.type === "person") return (await people()).renderPersonFix(ctx, entry);
  if (entry.type === "person_update") return (await personEdit()).render(ctx, { entry });
  if (entry.type === "encounter_amend") return (await recent()).renderFixCorrection(ctx, entry);
  return (await outboxView()).render(ctx);
}

const ROUTES = [
  [/^\/$/, () => home.render(ctx)],
  [/^\/signin$/, () => signin.render(ctx)],
  [/^\/log\/([a-z_]+)$/, (m, query) => encounterForm.render(ctx, { kind: m[1], query })],
  [/^\/fix\/([\w-]+)$/, (m) => fix(m[1])],
  [/^\/outbox$/, async () => (await outboxView()).render(ctx)],
  [/^\/people$/, async () => (await people()).renderList(ctx)],
  [/^\/person\/([\w-]+)$/, async (m) => (await people()).renderPerson(ctx, { id: m[1] })],
  [/^\/person\/([\w-]+)\/edit$/, async (m) => (await personEdit()).render(ctx, { id: m[1] })],
  [/^\/duplicates$/, async () => (await duplicates()).render(ctx)],
  [/^\/refer$/, async (m, query) => (await referralForm()).render(ctx, { query })],
  [/^\/inbox$/, async () => (await referrals()).renderInbox(ctx)],
  [/^\/referral\/([\w-]+)$/, async (m) => (await referrals()).renderReferral(ctx, { id: decodeURIComponent(m[1]) })],
  [/^\/stats$/, async () => (await stats()).render(ctx)],
  [/^\/recent$/, async () => (await recent()).renderList(ctx)],
  [/^\/recent\/([\w-]+)\/correct$/, async (m) => (await recent()).renderCorrect(ctx, { id: m[1] })],
  [/^\/recent\/([\w-]+)\/void$/, async (m) => (await recent()).renderVoid(ctx, { id: m[1] })],
  [/^\/cases$/, async () => (await cases()).renderList(ctx)],
  [/^\/case\/new$/, async (m, query) => (await caseIntake()).render(ctx, { query })],
  [/^\/case\/([\w-]+)$/, async (m) => (await caseView()).renderCase(ctx, { id: m[1] })],
  [/^\/password$/, async () => (await password()).render(ctx)],
  [/^\/admin$/, () => admin.render(ctx)],
  [/^\/admin\/users$/, async (m, query) => (await adminUsers()).renderList(ctx, { query })],
  [/^\/admin\/users\/new$/, async () => (await adminUsers()).renderNew(ctx)],
  [/^\/admin\/users\/import$/, async () => (await adminUsers()).renderImport(ctx)],
  [/^\/admin\/users\/(\d+)$/, async (m) => (await adminUsers()).renderUser(ctx, { id: Number(m[1]) })],
  [/^\/admin\/(teams|agencies|sites)$/, async (m) => (await adminDirectory()).render(ctx, { kind: m[1] })],
  [/^\/admin\/audit$/, async (m, query) => (await adminAudit()).render(ctx, { query })],
  [/^\/tables$/, async () => (await hub()).renderTables(ctx)],
  [/^\/table\/(\d+)$/, async (m) => (await hub()).renderAgenda(ctx, { id: m[1] })],
  [/^\/table\/(\d+)\/present$/, async (m, query) => (await hub()).renderPresent(ctx, { id: m[1], query })],
  [/^\/table\/(\d+)\/report$/, async (m) => (await hubReport()).renderReport(ctx, { id: m[1] })],
  [/^\/situations$/, async () => (await ourSituations()).renderOurs(ctx)],
  [/^\/situation\/([\w-]+)$/, async (m) => (await ourSituations()).renderSituation(ctx, { id: m[1] })],
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

function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { type: "module", scope: "/" }).catch((error) => {
    console.warn("The app will not work offline: service worker not registered", error);
  });
}

async function boot() {
  translatePage();
  if ("serviceWorker" in navigator) navigator.serviceWorker.addEventListener("message", onWorkerMessage);
  window.addEventListener("online", controller.wentOnline);
  window.addEventListener("offline", controller.wentOffline);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") controller.requestSync("visible");
  });
  document.addEventListener("help:synced", refreshView);
  window.addEventListener("hashchange", route);
  try {
    await controller.start();
    // The status line appears with the first screen, in the same frame: nothing jumps while starting.
    await route();
    renderStatus();
    subscribe(renderStatus);
  } finally {
    // The service worker, and its precache of the whole shell, start once the first screen is drawn, so they
    // do not compete with it for the network and the main thread on a first load.
    registerWorker();
  }
}

boot();
