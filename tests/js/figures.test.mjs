// The published-figures card without a browser: the period each choice asks for, the unit's wording.

import assert from "node:assert/strict";
import { test } from "node:test";

import { periodQuery, publishedText } from "../../app/static/pwa/js/views/figures.js";

test("each period choice asks for calendar days ending on the service's today", () => {
  const today = "2026-03-09"; // the day after spring forward: day arithmetic, not 24-hour steps
  assert.deepEqual(periodQuery("today", today), { from: today, to: today });
  assert.deepEqual(periodQuery("7", today), { from: "2026-03-03", to: today });
  assert.deepEqual(periodQuery("30", today), { from: "2026-02-08", to: today });
  assert.deepEqual(periodQuery("year", today), { from: "2026-01-01", to: today });
  assert.deepEqual(periodQuery("start", today), {});
  assert.deepEqual(periodQuery("custom", today, { from: "2021-01-01", to: "2025-12-31" }),
    { from: "2021-01-01", to: "2025-12-31" });
  assert.deepEqual(periodQuery("custom", today, { from: "2021-01-01", to: "" }), { from: "2021-01-01" });
});

test("the paragraph reads like the unit's published figures, overall then per group", () => {
  const figures = (over) => ({ interactions: 0, primary_responses: 0, calls_for_service: 0, consultations: 0,
    on_scene_assists: 0, shelter_check_ins: 0, referrals_made: 0, referrals_accepted: 0, referrals_completed: 0,
    case_intakes: 0, people_engaged: 0, ...over });
  const text = publishedText({
    from: "2026-01-01", to: "2026-11-29",
    ...figures({ interactions: 3000, calls_for_service: 1000, consultations: 950, on_scene_assists: 600,
      shelter_check_ins: 12, referrals_made: 1800, referrals_accepted: 900, referrals_completed: 400,
      case_intakes: 740, people_engaged: 2100 }),
    by_group: [
      { group: "branch", ...figures({ interactions: 2837, calls_for_service: 951, consultations: 943,
        on_scene_assists: 579 }) },
      { group: "core", ...figures({ referrals_made: 1796, case_intakes: 740 }) },
      { group: null, ...figures({ interactions: 3 }) },
    ],
  });
  assert.match(text, /^From January 1, 2026 to November 29, 2026, HELP teams recorded 3,000 interactions, primary responders to 1,000 calls for service, 950 consultations, 600 on-scene assists and 12 shelter check-ins, engaging 2,100 people; they assisted with 1,800 referrals \(900 accepted, 400 completed\) and accepted 740 individuals into case management\./);
  assert.match(text, /The branch teams: 2,837 interactions, primary responders to 951 calls for service, 943 consultations, 579 on-scene assists/);
  assert.match(text, /The core team: .*assisted with 1,796 referrals .* and accepted 740 individuals into case management\.$/);
  assert.doesNotMatch(text, /null/);
});

test("the cohort's window asks only for what is given, the months always", async () => {
  const { cohortQuery, cohortText } = await import("../../app/static/pwa/js/views/cohort-card.js");
  assert.equal(String(cohortQuery()), "months=12");
  assert.equal(String(cohortQuery({ from: "2025-01-01", to: "2025-12-31", program: " Housing First ", months: "24" })),
    "intake_from=2025-01-01&intake_to=2025-12-31&program=Housing+First&months=24");
  const text = cohortText({ intake_from: "2025-01-01", intake_to: "2025-12-31", program: null, cases: 1200, people: 1100,
    months: 24, before_total: 5000, after_total: 2500, change_pct: -50, before_median: 4, after_median: 2,
    complete_12_months: 900, complete_24_months: 10 });
  assert.equal(text, "1,200 cases opened from January 1, 2025 to December 31, 2025 (1,100 people): 5,000 encounters in "
    + "the 24 months before intake, 2,500 after (-50%); median per case 4 before, 2 after. 10 cases have 24 months of follow-up.");
});

test("a count of one reads in the singular, in the paragraph and in the cohort measure", async () => {
  const { cohortText } = await import("../../app/static/pwa/js/views/cohort-card.js");
  const text = publishedText({ from: "2021-06-01", to: "2021-06-30", interactions: 1, calls_for_service: 1,
    consultations: 1, on_scene_assists: 1, shelter_check_ins: 1, referrals_made: 1, referrals_accepted: 1,
    referrals_completed: 0, case_intakes: 1, people_engaged: 1, by_group: [{ group: "outreach", people_engaged: 1 }] });
  assert.equal(text, "From June 1, 2021 to June 30, 2021, HELP teams recorded 1 interaction, primary responders to "
    + "1 call for service, 1 consultation, 1 on-scene assist and 1 shelter check-in, engaging 1 person; they assisted "
    + "with 1 referral (1 accepted, 0 completed) and accepted 1 individual into case management. The outreach teams: "
    + "0 interactions, primary responders to 0 calls for service, 0 consultations, 0 on-scene assists and 0 shelter "
    + "check-ins; 1 person engaged; assisted with 0 referrals (0 accepted, 0 completed) and accepted 0 individuals "
    + "into case management.");
  assert.equal(cohortText({ intake_from: "2026-01-01", intake_to: "2026-01-31", program: "Housing First", cases: 1,
    people: 1, months: 12, before_total: 1, after_total: 0, change_pct: null, before_median: 1.5, after_median: null,
    complete_12_months: 1, complete_24_months: 0 }),
  "1 case opened from January 1, 2026 to January 31, 2026 in Housing First (1 person): 1 encounter in the 12 months "
    + "before intake, 0 after (no change measured yet); median per case 1.5 before, – after. 1 case has 12 months "
    + "of follow-up.");
});
