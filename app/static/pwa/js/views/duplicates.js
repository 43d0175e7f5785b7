// Supervisors and admins: people who may be one person (GET /persons/duplicates), side by side, and the
// merge (POST /persons/<kept>/merge) with the record kept and a reason. Online only: a merge is decided
// against the server's records as they are now, never queued.

import { NetworkError, api } from "../api.js";
import { fill, h, uid } from "../dom.js";
import { personRecord, reasonWords } from "../persons.js";
import { personLabel, saveRecords } from "../records.js";
import { state } from "../store.js";
import { backLink, emptyNote, field, flash, showFieldErrors, takeFlash } from "../ui.js";
import { t } from "../i18n.js";

const nameOf = (p) => (p.display_name ? personLabel(p) : t("dupes.notShared"));

function personColumn(person, heading) {
  const rows = [[t("dupes.born"), person.birth_year], [t("dupes.gender"), person.gender],
    [t("dupes.aliases"), (person.aliases || []).join(", ")], [t("dupes.description"), person.description]]
    .filter(([, v]) => v !== null && v !== undefined && v !== "");
  return h("div", { class: "pair-person" },
    h("h3", {}, h("span", { class: "visually-hidden" }, t("dupes.column", { heading })), nameOf(person)),
    rows.length ? h("dl", { class: "details" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))]))
      : h("p", { class: "hint" }, t("dupes.noDetails")));
}

function mergeForm(ctx, pair, done) {
  const name = uid("keep");
  const options = [pair.a, pair.b].map((p, i) => {
    const id = `${name}-${i}`;
    return h("div", { class: "field check" },
      h("input", { type: "radio", id, name, value: p.id, checked: i === 0 }),
      h("label", { for: id }, t("dupes.keep", { name: nameOf(p) })));
  });
  const reason = h("textarea", { id: uid("merge-reason"), rows: 2, maxlength: 1000, required: true, "data-field": "reason" });
  const problem = h("div", { role: "alert" });
  const form = h("form", { class: "entry-form merge-form", novalidate: true },
    h("fieldset", { "data-field": "kept" }, h("legend", {}, t("dupes.whichKept")), options,
      h("p", { class: "hint" }, t("dupes.whatMoves"))),
    field(t("dupes.reason"), reason, t("dupes.reasonHint")),
    problem,
    h("div", { class: "row-actions" },
      h("button", { type: "submit", class: "button primary" }, t("dupes.merge")),
      h("button", { type: "button", class: "button quiet", onclick: () => done(null) }, t("ui.cancel"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    fill(problem);
    if (showFieldErrors(form, reason.value.trim() ? {} : { reason: [t("dupes.giveReason")] })) return;
    const keptId = form.querySelector(`input[name="${name}"]:checked`).value;
    const duplicate = keptId === pair.a.id ? pair.b : pair.a;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const kept = await api(`/persons/${keptId}/merge`, { method: "POST",
        body: { duplicate_id: duplicate.id, reason: reason.value.trim() } });
      await saveRecords(ctx.db, "persons", [personRecord(kept)]);
      ctx.sync(); // the duplicate comes back merged: this phone re-points what it holds too
      done(t("dupes.merged", { gone: nameOf(duplicate), kept: nameOf(kept) }));
    } catch (error) {
      button.disabled = false;
      fill(problem, h("p", { class: "problem" }, error instanceof NetworkError
        ? t("dupes.noConnection")
        : t("dupes.notMerged", { message: error.message })));
    }
  });
  return form;
}

function pairCard(ctx, pair, index, rerender) {
  const headingId = `pair-${index}`;
  const slot = h("div", {});
  const open = () => fill(slot, mergeForm(ctx, pair, async (message) => {
    if (message) {
      flash(message);
      await rerender();
    } else {
      fill(slot, startButton);
      startButton.focus();
    }
  }));
  const startButton = h("button", { type: "button", class: "button secondary", onclick: () => {
    open();
    slot.querySelector("input[type=radio]").focus();
  } }, t("dupes.mergeThese"));
  fill(slot, startButton);
  return h("li", { class: "card pair", "aria-labelledby": headingId },
    h("h2", { id: headingId }, t("dupes.match", { percent: Math.round((pair.score || 0) * 100) })),
    h("p", { class: "pair-reasons" }, (pair.reasons || []).map(reasonWords).join(" · ")),
    h("div", { class: "pair-people" }, personColumn(pair.a, t("dupes.first")), personColumn(pair.b, t("dupes.second"))),
    slot);
}

export async function render(ctx) {
  const body = h("div", {});
  const rerender = async () => {
    if (!state.online) {
      fill(body, takeFlash(), h("p", { class: "notice", role: "status" },
        t("dupes.offline")),
      h("button", { type: "button", class: "button secondary", onclick: rerender }, t("ui.tryAgain")));
      return;
    }
    let items;
    try {
      items = (await api("/persons/duplicates?limit=50")).items;
    } catch (error) {
      fill(body, h("p", { class: "problem", role: "alert" }, error instanceof NetworkError
        ? t("dupes.listNoConnection") : error.message),
      h("button", { type: "button", class: "button secondary", onclick: rerender }, t("ui.tryAgain")));
      return;
    }
    fill(body, takeFlash(), items.length
      ? h("ul", { class: "pair-list" }, items.map((pair, i) => pairCard(ctx, pair, i, rerender)))
      : emptyNote(t("dupes.none")));
  };
  await rerender();
  const view = h("div", { class: "view" }, backLink("#/people", t("home.people")), h("h1", {}, t("dupes.title")),
    h("p", { class: "hint" }, t("dupes.hint")), body);
  return view;
}
