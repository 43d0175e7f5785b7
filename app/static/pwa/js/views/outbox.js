// The outbox: what waits to sync, and what needs attention (the server's message, fix and resend, or discard).

import { CORRECTION_TYPES, correctionProblem } from "../corrections.js";
import { fill, h, shortTime } from "../dom.js";
import { transact } from "../idb.js";
import { discard, listEntries, resend } from "../outbox.js";
import { state } from "../store.js";
import { backLink, choose, emptyNote, flash, takeFlash } from "../ui.js";
import { getPerson, getReferral, personLabel } from "../records.js";
import { NEEDS, REFERRAL_STATUS, labelOf } from "../vocabulary.js";
import { t } from "../i18n.js";

// Which moves a referral can still take from each status (as app/referrals/lifecycle.py), and the user's words.
const REFERRAL_MOVES = { pending: ["accepted", "declined", "withdrawn"], accepted: ["completed", "no_show", "withdrawn"] };
const MOVE_WORDS = { accepted: t("outbox.m_accepted"), declined: t("outbox.m_declined"), completed: t("outbox.m_completed"),
  no_show: t("outbox.m_no_show"), withdrawn: t("outbox.m_withdrawn") };

// A referral update sent back: can it still be made on the referral as it is now, and how to say what happened.
async function referralRecovery(db, entry) {
  const referral = await getReferral(db, entry.data.referral_id);
  const status = (entry.current && entry.current.status) || (referral && referral.status) || null;
  const person = referral && referral.person_id ? await getPerson(db, referral.person_id) : null;
  const service = referral ? t("outbox.serviceReferral", { service: labelOf(NEEDS, referral.service).toLowerCase() })
    : t("outbox.referral");
  const subject = person ? t("outbox.whose", { person: personLabel(person), service }) : t("outbox.this", { service });
  const wanted = MOVE_WORDS[entry.data.status] || entry.data.status;
  const now = status ? (REFERRAL_STATUS[status] || status).toLowerCase() : null;
  const canWork = Boolean(status && (REFERRAL_MOVES[status] || []).includes(entry.data.status));
  const message = !now ? t("outbox.notTaken", { subject, message: entry.error.message })
    : canWork ? t("outbox.canStill", { subject, now, wanted })
      : t("outbox.noLonger", { subject, now, wanted });
  return { canWork, message, label: t("outbox.markNow", { wanted }) };
}

const EDITABLE = new Set(["encounter", "referral", "person", "person_update", "encounter_amend"]);
// A correction the server will never take as it is (the encounter was voided, or not the user's to change).
const FINAL_REFUSALS = new Set(["invalid_transition", "forbidden"]);

function fieldMessages(error) {
  if (!error || !error.fields) return null;
  return h("ul", { class: "field-messages" },
    Object.entries(error.fields).map(([name, messages]) => h("li", {},
      t("outbox.fieldMessage", { field: name.replace(/_/g, " "), messages: [].concat(messages).join(" ") }))));
}

// Drops the local copy a discarded entry left behind (a person or referral made on this phone).
function dropLocalCopy(db, entry) {
  const store = { person: "persons", referral: "referrals", case_intake: "cases" }[entry.type];
  if (!store) return Promise.resolve();
  return transact(db, store, "readwrite", (s) => { s[store].delete(entry.id); });
}

async function attentionItem(ctx, entry, rerender) {
  const again = async () => {
    const rebase = (entry.type === "referral_update" || entry.type === "encounter_amend") && entry.current && entry.current.version;
    const data = rebase ? { ...entry.data, base_version: entry.current.version } : entry.data;
    await resend(ctx.db, entry.id, data);
    await ctx.resent();
    flash(t("outbox.sentAgain", { label: entry.label }));
    await rerender();
  };
  const drop = async () => {
    const choice = await choose({ title: t("outbox.discardTitle"), body: [t("outbox.discardBody", { label: entry.label })],
      choices: [{ label: t("outbox.keepIt"), value: "keep", tone: "secondary" },
        { label: t("outbox.discardIt"), value: "discard", tone: "danger" }] });
    if (choice !== "discard") return;
    await discard(ctx.db, entry.id);
    await dropLocalCopy(ctx.db, entry);
    await ctx.recount();
    flash(t("outbox.discarded", { label: entry.label }));
    await rerender();
  };
  const conflict = Boolean(entry.current);
  // The server failed on it (500): nothing in it to fix, it is sent again as it is.
  const serverFailed = Boolean(entry.error && entry.error.code === "server_error");
  // A person change met another one: made again, on the server's version, in the form.
  const fixable = EDITABLE.has(entry.type) && (!conflict || entry.type === "person_update") && !serverFailed;
  const correction = CORRECTION_TYPES.has(entry.type);
  const final = correction && entry.error && FINAL_REFUSALS.has(entry.error.code);
  // A second intake for a person with an open case: the way on is that case, not this entry.
  const otherCase = entry.type === "case_intake" && conflict && entry.current.id && entry.current.id !== entry.id
    ? entry.current.id : null;
  // A referral move: offered again only when the referral can still take it, said in the user's words.
  const recovery = entry.type === "referral_update" && entry.error && entry.error.code !== "server_error"
    ? await referralRecovery(ctx.db, entry) : null;
  return h("li", { class: "attention-item" },
    h("p", { class: "entry-label" }, entry.label, h("span", { class: "entry-time" }, t("outbox.at", { time: shortTime(entry.created_at) }))),
    h("p", { class: "server-message" }, correction ? correctionProblem(entry) : recovery ? recovery.message
      : entry.error ? entry.error.message : t("outbox.sentBack")),
    recovery ? null : fieldMessages(entry.error),
    correction ? h("a", { class: "button secondary", href: "#/recent" }, t("outbox.seeRecent")) : null,
    h("div", { class: "row-actions" },
      final || (recovery && !recovery.canWork) ? null
        : recovery ? h("button", { type: "button", class: "button primary", onclick: again }, recovery.label)
        : fixable ? h("a", { class: "button primary", href: `#/fix/${entry.id}` }, t("outbox.fix"))
        : otherCase ? h("a", { class: "button primary", href: `#/case/${otherCase}` }, t("outbox.openCase"))
          : h("button", { type: "button", class: "button primary", onclick: again },
            entry.type === "referral_update" ? t("outbox.applyReferral")
              : entry.type === "encounter_amend" && conflict ? t("outbox.applyVersion")
              : conflict ? t("outbox.sendAsNew") : t("outbox.sendAgain")),
      h("button", { type: "button", class: "button danger", onclick: drop }, t("outbox.discard"))));
}

// What tells two waiting entries apart: for an encounter, "anonymous" when it names nobody (the label names the
// person otherwise), its needs and the time it happened; for the rest, the time it was saved.
function waitingDetail(entry) {
  const data = entry.data || {};
  if (entry.type !== "encounter") return shortTime(entry.created_at);
  return [data.person_id ? null : t("outbox.anonymous"), ...(data.needs || []).map((code) => labelOf(NEEDS, code)),
    shortTime(data.occurred_at || entry.created_at)].filter(Boolean).join(" · ");
}

export async function render(ctx) {
  const body = h("div", {});
  const rerender = async () => {
    const entries = await listEntries(ctx.db);
    const waiting = entries.filter((e) => e.state === "waiting");
    const attention = entries.filter((e) => e.state === "attention");
    fill(body,
      takeFlash(),
      h("section", { "aria-labelledby": "attention-heading", class: "card" },
        h("h2", { id: "attention-heading" }, t("outbox.attention", { count: attention.length })),
        attention.length ? h("ul", { class: "attention-list" }, await Promise.all(attention.map((e) => attentionItem(ctx, e, rerender))))
          : emptyNote(t("outbox.noAttention"))),
      h("section", { "aria-labelledby": "waiting-heading", class: "card" },
        h("h2", { id: "waiting-heading" }, t("outbox.waiting", { count: waiting.length })),
        waiting.length ? h("ul", { class: "entry-list" }, waiting.map((e) =>
          h("li", {}, h("span", { class: "entry-label" }, e.label), h("span", { class: "entry-time" }, waitingDetail(e)))))
          : emptyNote(t("outbox.noWaiting"))),
      h("p", { class: "hint" }, state.persisted
        ? t("outbox.persisted")
        : t("outbox.kept")));
  };
  await rerender();
  const view = h("div", { class: "view" }, backLink(), h("h1", {}, t("home.outbox")), body);
  view.refresh = rerender;
  return view;
}
