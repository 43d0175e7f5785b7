// The audit log (GET /audit, administrators): who did what to which record, with filters. Ids only: the
// log never holds a name or a note.

import { api } from "../api.js";
import { fill, h, shortTime, uid } from "../dom.js";
import { backLink, emptyNote, field } from "../ui.js";
import { problemText } from "./admin.js";
import { t } from "../i18n.js";

const FILTERS = [
  ["action", t("audit.action"), "text", t("audit.actionHint")],
  ["actor_id", t("audit.actor"), "number", null],
  ["target_type", t("audit.targetType"), "text", t("audit.targetTypeHint")],
  ["target_id", t("audit.targetId"), "text", null],
  ["outcome", t("audit.outcome"), "text", t("audit.outcomeHint")],
  ["from", t("intake.from"), "date", null],
  ["to", t("audit.until"), "date", null],
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
    results.replaceChildren(h("p", { class: "hint" }, t("audit.loading")));
    try {
      const body = await api(`/audit?${params}`);
      fill(results,
        h("p", { class: "hint" }, t("audit.page", { count: body.total, page: body.page, pages: body.pages })),
        body.items.length ? h("ul", { class: "entry-list audit-list" }, body.items.map((event) => h("li", {},
          h("span", { class: "entry-label" }, event.action, event.outcome === "ok" ? "" : t("audit.outcomeOf", { outcome: event.outcome })),
          h("span", { class: "entry-time" }, [shortTime(event.at),
            event.actor_id ? t("audit.byUser", { id: event.actor_id }) : t("audit.byNobody"),
            event.target_type ? `${event.target_type} ${event.target_id || ""}`.trim() : null].filter(Boolean).join(" · ")))))
          : emptyNote(t("audit.none")),
        body.pages > page
          ? h("button", { type: "button", class: "button secondary", onclick: () => show(page + 1) }, t("audit.older")) : null,
        page > 1 ? h("button", { type: "button", class: "button quiet", onclick: () => show(page - 1) }, t("audit.newer")) : null);
    } catch (error) {
      results.replaceChildren(h("p", { class: "problem", role: "alert" }, problemText(error)));
    }
  };
  const form = h("form", { class: "entry-form filters", role: "search" }, controls.map(([, , wrapped]) => wrapped),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button secondary" }, t("audit.show"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  await show();
  return h("div", { class: "view" }, backLink("#/admin", t("admin.title")), h("h1", {}, t("admin.audit")),
    h("details", { class: "card" }, h("summary", {}, t("audit.filters")), form), results);
}
