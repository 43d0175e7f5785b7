// The audit log (GET /audit, administrators): who did what to which record, with filters. Ids only: the
// log never holds a name or a note.

import { api } from "../api.js";
import { h, shortTime, uid } from "../dom.js";
import { backLink, emptyNote, field } from "../ui.js";
import { problemText } from "./admin.js";

const FILTERS = [
  ["action", "Action", "text", "e.g. user.reset_password, person.read, auth.login"],
  ["actor_id", "By user (id)", "number", null],
  ["target_type", "Record type", "text", "e.g. user, person, team"],
  ["target_id", "Record id", "text", null],
  ["outcome", "Outcome", "text", "ok, failed, forbidden …"],
  ["from", "From", "date", null],
  ["to", "Until (not including)", "date", null],
];

const OPTIONAL = { autocomplete: "off", spellcheck: "false", autocapitalize: "none" };

export async function render(ctx, { query }) {
  const controls = FILTERS.map(([name, label, type, hint]) => {
    const input = h("input", { type, id: uid(name), name, value: query.get(name) || "", ...OPTIONAL,
      inputmode: type === "number" ? "numeric" : undefined });
    return [name, input, field(label, input, hint)];
  });
  const results = h("div", { "aria-live": "polite" });
  const show = async (page = 1) => {
    const params = new URLSearchParams({ page: String(page), per_page: "50" });
    for (const [name, input] of controls) {
      if (!input.value) continue;
      // Days as the start of that day in the phone's time zone, with its offset (RFC 3339).
      params.set(name, input.type === "date" ? new Date(`${input.value}T00:00:00`).toISOString() : input.value.trim());
    }
    results.replaceChildren(h("p", { class: "hint" }, "Loading…"));
    try {
      const body = await api(`/audit?${params}`);
      results.replaceChildren(
        h("p", { class: "hint" }, `${body.total} ${body.total === 1 ? "event" : "events"} · page ${body.page} of ${body.pages}`),
        body.items.length ? h("ul", { class: "entry-list audit-list" }, body.items.map((event) => h("li", {},
          h("span", { class: "entry-label" }, event.action, event.outcome === "ok" ? "" : ` (${event.outcome})`),
          h("span", { class: "entry-time" }, [shortTime(event.at), event.actor_id ? `by user ${event.actor_id}` : "by nobody signed in",
            event.target_type ? `${event.target_type} ${event.target_id || ""}`.trim() : null].filter(Boolean).join(" · ")))))
          : emptyNote("No event matches."),
        body.pages > page ? h("button", { type: "button", class: "button secondary", onclick: () => show(page + 1) }, "Older events") : null,
        page > 1 ? h("button", { type: "button", class: "button quiet", onclick: () => show(page - 1) }, "Newer events") : null);
    } catch (error) {
      results.replaceChildren(h("p", { class: "problem", role: "alert" }, problemText(error)));
    }
  };
  const form = h("form", { class: "entry-form filters", role: "search" }, controls.map(([, , wrapped]) => wrapped),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button secondary" }, "Show")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  await show();
  return h("div", { class: "view" }, backLink("#/admin", "Administration"), h("h1", {}, "Audit log"),
    h("details", { class: "card" }, h("summary", {}, "Filters"), form), results);
}
