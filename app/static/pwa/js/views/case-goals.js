// The goals of a case plan: each goal with its status and the moves it allows (set → in progress → met or
// dropped), and the form to add one. Each change is a case_goal or case_goal_update entry in the outbox.

import { h, rfc3339, uid } from "../dom.js";
import { GOAL_MOVES } from "../cases.js";
import { field, showFieldErrors } from "../ui.js";
import { GOAL_STATUS } from "../vocabulary.js";
import { dayLabel } from "./case-history.js";
import { t } from "../i18n.js";

const MOVE_TEXT = { in_progress: [t("goals.start"), "secondary"], met: [t("goals.markMet"), "primary"],
  dropped: [t("goals.drop"), "secondary"] };

function goalItem(goal, { changeable, record }) {
  const textId = uid("goal");
  const moves = changeable ? GOAL_MOVES[goal.status] || [] : [];
  const when = [goal.target_date ? t("goals.targetOn", { day: dayLabel(goal.target_date) }) : null,
    goal.set_on ? t("goals.addedOn", { day: dayLabel(goal.set_on) }) : null].filter(Boolean).join(" · ");
  return h("li", { class: "goal" },
    h("p", { class: "goal-text", id: textId }, goal.description),
    h("p", {}, h("span", { class: `tag goal-${goal.status}` }, GOAL_STATUS[goal.status] || goal.status),
      goal.unsent ? h("span", { class: "tag" }, t("cases.waiting")) : null,
      when ? h("span", { class: "hint" }, ` ${when}`) : null),
    moves.length ? h("div", { class: "row-actions" }, moves.map((status) => {
      const [text, tone] = MOVE_TEXT[status];
      return h("button", { type: "button", class: `button ${tone}`, "aria-describedby": textId,
        onclick: () => record("case_goal_update", { goal_id: goal.id, status, occurred_at: rfc3339() },
          t("goals.moveEntry", { status: GOAL_STATUS[status].toLowerCase(), goal: goal.description })) }, text);
    })) : null);
}

function addGoalForm(record) {
  const description = h("input", { type: "text", id: uid("goal-description"), maxlength: 1000, autocomplete: "off",
    "data-field": "description" });
  const target = h("input", { type: "date", id: uid("goal-target"), "data-field": "target_date",
    min: new Date().toLocaleDateString("en-CA") });
  const form = h("form", { class: "entry-form", novalidate: true },
    field(t("goals.goal"), description, t("goals.goalHint")),
    field(t("goals.target"), target),
    h("div", { class: "inline-actions" }, h("button", { type: "submit", class: "button primary" }, t("goals.addGoal"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = description.value.trim();
    if (showFieldErrors(form, text ? {} : { description: [t("goals.sayWhat")] })) return;
    const goal = { description: text, status: "set", set_at: rfc3339() };
    if (target.value) goal.target_date = target.value;
    await record("case_goal", goal, t("goals.entry", { text }), form);
  });
  return form;
}

export function goalsSection(kase, { changeable, record }) {
  const headingId = uid("goals-heading");
  const open = kase.goals.filter((g) => g.status === "set" || g.status === "in_progress").length;
  return h("section", { class: "card", "aria-labelledby": headingId },
    h("h2", { id: headingId }, t("goals.heading", { open })),
    kase.goals.length ? h("ul", { class: "goal-list" }, kase.goals.map((g) => goalItem(g, { changeable, record })))
      : h("p", { class: "empty" }, t("goals.none")),
    changeable ? h("details", { dataset: { key: "add-goal" } }, h("summary", {}, t("goals.addAGoal")), addGoalForm(record)) : null);
}
