// The unit's published figures for a period the supervisor picks (GET /stats/summary), in the words the
// unit publishes them ("2,837 interactions, primary responders to 951 calls for service, ..."), with a
// button that copies the paragraph as text. Needs a connection: the figures are counted on the server.

import { ApiError, NetworkError, api, apiUrl } from "../api.js";
import { h, uid } from "../dom.js";
import { field } from "../ui.js";

export const PERIODS = [
  ["today", "Today"], ["7", "Last 7 days"], ["30", "Last 30 days"], ["year", "This year"],
  ["start", "Since the start"], ["custom", "Custom"],
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

const n = (value) => Number(value || 0).toLocaleString("en-CA");
const longDay = (iso) => new Date(`${iso}T12:00:00Z`).toLocaleDateString("en-CA",
  { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

function activity(f) {
  return `${n(f.interactions)} interactions, primary responders to ${n(f.calls_for_service)} calls for service, `
    + `${n(f.consultations)} consultations, ${n(f.on_scene_assists)} on-scene assists and `
    + `${n(f.shelter_check_ins)} shelter check-ins`;
}

function followUp(f) {
  return `assisted with ${n(f.referrals_made)} referrals (${n(f.referrals_accepted)} accepted, `
    + `${n(f.referrals_completed)} completed) and accepted ${n(f.case_intakes)} individuals into case management`;
}

const GROUP_NAMES = { core: "The core team", branch: "The branch teams" };

/** The published paragraph for a GET /stats/summary answer: the unit, then each group of teams. */
export function publishedText(summary) {
  const lines = [`From ${longDay(summary.from)} to ${longDay(summary.to)}, HELP teams recorded ${activity(summary)}, `
    + `engaging ${n(summary.people_engaged)} people; they ${followUp(summary)}.`];
  for (const group of summary.by_group || []) {
    if (!group.group) continue;
    lines.push(`${GROUP_NAMES[group.group] || `The ${group.group} teams`}: ${activity(group)}; `
      + `${n(group.people_engaged)} people engaged; ${followUp(group)}.`);
  }
  return lines.join(" ");
}

/** The "Published figures" card; `teamId()` gives the team filter's value ("" for all teams). */
export function figuresCard(teamId) {
  const choice = h("select", { id: uid("period") }, PERIODS.map(([value, label]) =>
    h("option", { value, selected: value === "start" ? "" : null }, label)));
  const from = h("input", { type: "date", id: uid("from") });
  const to = h("input", { type: "date", id: uid("to") });
  const custom = h("div", { class: "custom-period", hidden: "" }, field("From", from), field("To", to));
  const out = h("div", { "aria-live": "polite" });
  const status = h("p", { class: "hint", role: "status" });
  let today = null;
  let text = "";

  const copy = h("button", { type: "button", class: "secondary" }, "Copy as text");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = "Copied.";
    } catch {
      const range = document.createRange();
      range.selectNodeContents(out.querySelector(".published") || out);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      status.textContent = "Selected: copy it with your device's copy command.";
    }
  });

  const show = async () => {
    custom.hidden = choice.value !== "custom";
    if (choice.value === "custom" && !(from.value && to.value)) {
      out.replaceChildren(h("p", { class: "hint" }, "Pick the first and the last day."));
      return;
    }
    const query = new URLSearchParams(periodQuery(choice.value, today, { from: from.value, to: to.value }));
    if (teamId()) query.set("team_id", teamId());
    out.replaceChildren(h("p", { class: "hint" }, "Counting…"));
    status.textContent = "";
    let summary;
    try {
      summary = await api(`/stats/summary?${query}`);
    } catch (error) {
      const message = error instanceof NetworkError ? "Offline: the published figures need a connection."
        : error instanceof ApiError ? error.message : String(error);
      out.replaceChildren(h("p", { class: "problem", role: "alert" }, message));
      return;
    }
    if (choice.value === "start") today = summary.to;
    text = publishedText(summary);
    const csv = new URLSearchParams({ from: summary.from, to: summary.to });
    if (teamId()) csv.set("team_id", teamId());
    out.replaceChildren(h("p", { class: "published" }, text),
      h("div", { class: "actions" }, copy,
        h("a", { class: "button secondary", href: apiUrl(`/stats/summary.csv?${csv}`), download: "" },
          "Download figures (CSV)")));
  };
  for (const control of [choice, from, to]) control.addEventListener("change", () => show());

  const card = h("section", { class: "card", "aria-labelledby": "published-heading" },
    h("h2", { id: "published-heading" }, "Published figures"),
    field("Period", choice), custom, out, status);
  card.load = (serverToday) => { today = serverToday || today; return show(); };
  return card;
}
