// Supervisors' daily counts: today so far (live, redrawn after every sync), yesterday and the last 30 days
// per kind (chart and table), a team filter, the CSV download, the published figures for a period
// (figures.js), the heavy-users measure for cases in a window of its own (cohort-card.js) and the heavy users
// list (each opens the person). Works offline with the data last loaded, marked stale.

import { ApiError, NetworkError, api, apiUrl } from "../api.js";
import { fill, h, shortTime, uid } from "../dom.js";
import { formatDateTime, formatNumber, t } from "../i18n.js";
import { getMeta, setMeta, teams as listTeams } from "../records.js";
import { backLink, emptyNote, field } from "../ui.js";
import { KINDS } from "../vocabulary.js";
import { dailyChart, dailyTable, legend } from "./chart.js";
import { cohortCard } from "./cohort-card.js";
import { figuresCard } from "./figures.js";

// The server picks the period (the 30 days ending today in the service's time zone) and says which
// days they are: a phone's clock or time zone data may disagree with the service about today.
async function load(ctx, teamId) {
  const query = new URLSearchParams();
  if (teamId) query.set("team_id", teamId);
  const key = `stats:${teamId || "all"}`;
  try {
    const [daily, heavy] = await Promise.all([api(`/stats/daily?${query}`),
      api(`/stats/heavy-users?days=90&min_encounters=5${teamId ? `&team_id=${teamId}` : ""}`)]);
    const fresh = { fetched_at: new Date().toISOString(), range: { from: daily.from, to: daily.to }, daily, heavy };
    await setMeta(ctx.db, key, fresh);
    return { ...fresh, stale: false };
  } catch (error) {
    const kept = await getMeta(ctx.db, key);
    if (kept) return { ...kept, stale: true, reason: error instanceof NetworkError ? t("cases.offline") : error.message };
    throw error;
  }
}

// One day's tally: the last day of the period is today (live), the one before it yesterday.
function dayCard(day, title, id) {
  return h("section", { class: "card", "aria-labelledby": id },
    h("h2", { id }, title),
    h("dl", { class: "tally" }, KINDS.map((k) => h("div", {}, h("dt", {}, k.label), h("dd", {}, formatNumber(day[k.code] || 0)))),
      h("div", {}, h("dt", {}, t("stats.referralsMade")), h("dd", {}, formatNumber(day.referrals_made || 0)))));
}

function heavyUsers(body) {
  const people = (body && body.people) || [];
  return h("section", { class: "card", "aria-labelledby": "heavy-heading" },
    h("h2", { id: "heavy-heading" }, t("stats.heavyUsers")),
    h("p", { class: "hint" }, t("stats.criteria", { min: formatNumber(body.min_encounters), days: formatNumber(body.days) })),
    people.length ? h("ol", { class: "heavy-list" }, people.map((p) => h("li", {},
      h("p", { class: "entry-label" }, h("a", { href: `#/person/${encodeURIComponent(p.person_id)}` },
        p.display_name || t("stats.noName")), t("stats.encounters", { count: p.encounters })),
      h("p", { class: "hint" }, [KINDS.filter((k) => p.by_kind && p.by_kind[k.code])
        .map((k) => t("stats.byKind", { kind: k.label, count: p.by_kind[k.code] })).join(", "),
      t("stats.lastContact", { time: shortTime(p.last_contact) }), p.open_case ? t("stats.openCase") : t("stats.noOpenCase")]
        .filter(Boolean).join(" · ")))))
      : emptyNote(t("stats.nobody")));
}

export async function render(ctx) {
  const teams = await listTeams(ctx.db);
  const team = h("select", { id: uid("team") }, h("option", { value: "" }, t("users.allTeams")),
    teams.map((each) => h("option", { value: String(each.id) }, each.name)));
  const body = h("div", { "aria-live": "polite" });
  const figures = figuresCard(ctx.db, () => team.value);
  const cohort = cohortCard(ctx.db);
  // quiet: a redraw after a sync keeps the figures on screen until the new ones arrive.
  const show = async (quiet = false) => {
    if (quiet !== true) body.replaceChildren(h("p", { class: "hint" }, t("audit.loading")));
    let data;
    try {
      data = await load(ctx, team.value);
    } catch (error) {
      const text = error instanceof NetworkError ? t("stats.offline")
        : error instanceof ApiError ? error.message : String(error);
      body.replaceChildren(h("p", { class: "problem", role: "alert" }, text));
      return;
    }
    const days = data.daily.days || [];
    const csv = new URLSearchParams(data.range);
    if (team.value) csv.set("team_id", team.value);
    const teamName = team.value ? team.selectedOptions[0].textContent : t("users.allTeams");
    fill(body,
      data.stale ? h("p", { class: "stale", role: "status" },
        t("stats.stale", { reason: data.reason, time: formatDateTime(data.fetched_at) })) : null,
      days.length ? dayCard(days[days.length - 1], t("stats.today"), "today-heading") : null,
      days.length > 1 ? dayCard(days[days.length - 2], t("stats.yesterday"), "yesterday-heading") : null,
      h("section", { class: "card", "aria-labelledby": "trend-heading" },
        h("h2", { id: "trend-heading" }, t("figures.last30")),
        dailyChart(days, t("stats.chartTitle", { team: teamName })), legend(),
        h("details", {}, h("summary", {}, t("case.asTable")),
          dailyTable(days, t("stats.tableCaption", { team: teamName }))),
        h("a", { class: "button secondary", href: apiUrl(`/stats/daily.csv?${csv}`), download: "" }, t("stats.csv"))),
      figures,
      cohort,
      heavyUsers(data.heavy),
      h("p", { class: "hint" }, t("stats.loaded", { timezone: data.daily.timezone, time: formatDateTime(data.fetched_at) })));
    // The service's today (the daily counts' last day), not the phone's clock; a sync's redraw keeps them.
    if (quiet !== true) await Promise.all([figures.load(data.daily.to), cohort.load()]);
  };
  team.addEventListener("change", () => show());
  await show();
  const view = h("div", { class: "view" }, backLink(), h("h1", {}, t("home.dailyCounts")), field(t("case.team"), team), body);
  view.refresh = () => show(true); // after every sync: today's counts are live on the server
  return view;
}
