// The unit's published figures for a period the supervisor picks (GET /stats/summary), in the words the
// unit publishes them ("2,837 interactions, primary responders to 951 calls for service, ..."), with a
// button that copies the paragraph as text; then what followed for the same period: outcomes, the referral
// funnel (bars in the chart style, tables beside). The last answer for each period is kept on the phone (the
// user's own database, wiped with it), so that offline the card shows it "as of" the time it was fetched.

import { ApiError, NetworkError, api, apiUrl } from "../api.js";
import { fill, h, uid } from "../dom.js";
import { formatDate, formatDateTime, formatNumber, t } from "../i18n.js";
import { getMeta, setMeta } from "../records.js";
import { field } from "../ui.js";
import { OUTCOMES } from "../vocabulary.js";
import { barChart, pairsTable } from "./chart.js";

export const PERIODS = [
  ["today", t("figures.today")], ["7", t("figures.last7")], ["30", t("figures.last30")], ["year", t("figures.thisYear")],
  ["start", t("figures.sinceStart")], ["custom", t("figures.custom")],
];

// ISO day arithmetic on calendar days (no clock, no time zone): `today` is the server's.
function addDays(iso, days) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The query for a choice of PERIODS, given the service's today ("YYYY-MM-DD") and a custom range. */
export function periodQuery(choice, today, custom = {}) {
  if (choice === "start" || !today) return {};
  if (choice === "today") return { from: today, to: today };
  if (choice === "7" || choice === "30") return { from: addDays(today, 1 - Number(choice)), to: today };
  if (choice === "year") return { from: `${today.slice(0, 4)}-01-01`, to: today };
  return Object.fromEntries(Object.entries({ from: custom.from, to: custom.to }).filter(([, v]) => v));
}

/** A count as the unit prints it (2,837 in English); a day in words (June 1, 2021): the catalogue's formats. */
export const n = (value) => formatNumber(Number(value || 0));
export const longDay = (iso) => formatDate(`${iso}T12:00:00Z`,
  { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
// `count` for a catalogue plural ("{count} interactions"): a number, 0 when the server sent none.
const count = (value) => ({ count: Number(value || 0) });

function activity(f) {
  return t("figures.activity", { interactions: t("figures.interactions", count(f.interactions)),
    calls: t("figures.calls", count(f.calls_for_service)), consultations: t("figures.consultations", count(f.consultations)),
    assists: t("figures.assists", count(f.on_scene_assists)), checkIns: t("figures.checkIns", count(f.shelter_check_ins)) });
}

function followUp(f) {
  return t("figures.followUp", { referrals: t("figures.referrals", count(f.referrals_made)),
    accepted: n(f.referrals_accepted), completed: n(f.referrals_completed),
    intakes: t("figures.individuals", count(f.case_intakes)) });
}

const FUNNEL = [["made", t("figures.made")], ["accepted", t("referralStatus.accepted")],
  ["completed", t("referralStatus.completed")], ["pending", t("figures.waiting")], ["overdue", t("referrals.overdue")],
  ["declined", t("referralStatus.declined")], ["withdrawn", t("referralStatus.withdrawn")],
  ["no_show", t("referralStatus.no_show")]];

/** Bars for GET /stats/outcomes (every code, most first) and GET /stats/referrals (all agencies summed). */
export function outcomeRows(outcomes) {
  return OUTCOMES.map(([code, label]) => ({ label, value: (outcomes.outcomes || {})[code] || 0 }))
    .sort((a, b) => b.value - a.value);
}

export function funnelRows(funnel) {
  return FUNNEL.map(([key, label]) => ({ label,
    value: (funnel.agencies || []).reduce((sum, agency) => sum + (agency[key] || 0), 0) }));
}

function followThrough(outcomes, funnel) {
  const outs = outcomeRows(outcomes);
  const refs = funnelRows(funnel);
  return [
    h("h3", {}, t("figures.afterContact")),
    barChart(outs, t("figures.outcomesChart"), "outcomes-chart"),
    h("details", {}, h("summary", {}, t("figures.outcomesTable")),
      pairsTable(outs, t("figures.outcomesCaption"), t("history.encounters"))),
    h("h3", {}, t("figures.followThrough")),
    barChart(refs, t("figures.funnelChart"), "funnel-chart"),
    h("details", {}, h("summary", {}, t("figures.byAgency")), pairsTable(
      (funnel.agencies || []).map((a) => ({ label: a.name, value: t("figures.agencyLine", { made: n(a.made),
        accepted: n(a.accepted), completed: n(a.completed), overdue: n(a.overdue),
        hours: a.median_hours_to_accept === null || a.median_hours_to_accept === undefined ? "–"
          : formatNumber(a.median_hours_to_accept) }) })),
      t("figures.byAgency"), t("figures.followColumn"))),
  ];
}

/** Fetches with `fetch()` and keeps the answer under `key` in the user's database; when the network or the
 * server fails, the answer kept last time, marked stale with the reason ("Offline" or the server's message).
 * A refusal (signed out, no longer allowed) shows nothing kept. */
export async function fetchKept(db, key, fetch) {
  try {
    const fresh = { fetched_at: new Date().toISOString(), value: await fetch() };
    await setMeta(db, key, fresh);
    return { ...fresh, stale: false };
  } catch (error) {
    const unreachable = error instanceof NetworkError || (error instanceof ApiError && error.status >= 500);
    const kept = unreachable ? await getMeta(db, key) : null;
    if (kept) return { ...kept, stale: true, reason: error instanceof NetworkError ? t("cases.offline") : error.message };
    throw error;
  }
}

/** "Offline: figures as of <time> (kept on this phone)" for a stale answer of fetchKept, else null. */
export function asOfLine(kept) {
  if (!kept.stale) return null;
  const time = formatDateTime(kept.fetched_at, { dateStyle: "medium", timeStyle: "short" });
  return h("p", { class: "stale", role: "status" }, t("figures.asOf", { reason: kept.reason, time }));
}

export const problemText = (error) => (error instanceof NetworkError ? t("figures.offline")
  : error instanceof ApiError ? error.message : String(error.message || error));

const GROUP_NAMES = { core: t("figures.core"), branch: t("figures.branch") };

/** The published paragraph for a GET /stats/summary answer: the unit, then each group of teams. */
export function publishedText(summary) {
  const lines = [t("figures.published", { from: longDay(summary.from), to: longDay(summary.to), activity: activity(summary),
    people: t("figures.people", count(summary.people_engaged)), followUp: followUp(summary) })];
  for (const group of summary.by_group || []) {
    if (!group.group) continue;
    lines.push(t("figures.group", { group: GROUP_NAMES[group.group] || t("figures.otherGroup", { group: group.group }),
      activity: activity(group), engaged: t("figures.engaged", count(group.people_engaged)), followUp: followUp(group) }));
  }
  return lines.join(" ");
}

/** The "Published figures" card; `teamId()` gives the team filter's value ("" for all teams). */
export function figuresCard(db, teamId) {
  const choice = h("select", { id: uid("period") }, PERIODS.map(([value, label]) =>
    h("option", { value, selected: value === "start" ? "" : null }, label)));
  const from = h("input", { type: "date", id: uid("from") });
  const to = h("input", { type: "date", id: uid("to") });
  const custom = h("div", { class: "custom-period", hidden: "" }, field(t("intake.from"), from), field(t("figures.to"), to));
  const out = h("div", { "aria-live": "polite" });
  const status = h("p", { class: "hint", role: "status" });
  let today = null;
  let text = "";

  const copy = h("button", { type: "button", class: "secondary" }, t("figures.copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = t("figures.copied");
    } catch {
      const range = document.createRange();
      range.selectNodeContents(out.querySelector(".published") || out);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      status.textContent = t("figures.selected");
    }
  });

  // The summary, then what followed in the same days; a follow-through the server refused leaves the summary.
  const fetchFigures = async (query) => {
    const summary = await api(`/stats/summary?${query}`);
    const period = new URLSearchParams({ from: summary.from, to: summary.to });
    const outcomeQuery = new URLSearchParams(period);
    if (teamId()) outcomeQuery.set("team_id", teamId());
    try {
      const [outcomes, funnel] = await Promise.all([api(`/stats/outcomes?${outcomeQuery}`), api(`/stats/referrals?${period}`)]);
      return { summary, outcomes, funnel };
    } catch (error) {
      if (error instanceof NetworkError) throw error;
      return { summary, followError: error.message || String(error) };
    }
  };

  const show = async () => {
    custom.hidden = choice.value !== "custom";
    if (choice.value === "custom" && !(from.value && to.value)) {
      out.replaceChildren(h("p", { class: "hint" }, t("figures.pickDays")));
      return;
    }
    const query = new URLSearchParams(periodQuery(choice.value, today, { from: from.value, to: to.value }));
    if (teamId()) query.set("team_id", teamId());
    out.replaceChildren(h("p", { class: "hint" }, t("figures.counting")));
    status.textContent = "";
    let kept;
    try {
      kept = await fetchKept(db, `figures:${query}`, () => fetchFigures(query));
    } catch (error) {
      out.replaceChildren(h("p", { class: "problem", role: "alert" }, problemText(error)));
      return;
    }
    const { summary, outcomes, funnel, followError } = kept.value;
    if (choice.value === "start") today = summary.to;
    text = publishedText(summary);
    const csv = new URLSearchParams({ from: summary.from, to: summary.to });
    if (teamId()) csv.set("team_id", teamId());
    fill(out, asOfLine(kept), h("p", { class: "published" }, text),
      h("div", { class: "actions" }, copy,
        kept.stale ? null : h("a", { class: "button secondary", href: apiUrl(`/stats/summary.csv?${csv}`), download: "" },
          t("figures.download"))),
      followError ? h("p", { class: "problem" }, t("figures.followError", { message: followError }))
        : followThrough(outcomes, funnel));
  };
  for (const control of [choice, from, to]) control.addEventListener("change", () => show());

  const card = h("section", { class: "card", "aria-labelledby": "published-heading" },
    h("h2", { id: "published-heading" }, t("figures.title")),
    field(t("figures.period"), choice), custom, out, status);
  card.load = (serverToday) => { today = serverToday || today; return show(); };
  return card;
}
