"""GET /stats/daily, /stats/daily.csv, /stats/summary, /stats/outcomes, /stats/referrals, /stats/heavy-users:
supervisors and admins only."""

from __future__ import annotations

from flask import Response

from app.auth.guard import signed_in
from app.auth.policy import can_read_stats
from app.rest import ApiBlueprint
from app.stats import cohort as cohort_service
from app.stats import heavy_users as heavy_users_service
from app.stats import outcomes as outcomes_service
from app.stats import referral_funnel, services
from app.stats import summary as summary_service
from app.stats.schemas import (
    CohortArgs,
    CohortSchema,
    DailyArgs,
    DailyCountsSchema,
    HeavyUserArgs,
    HeavyUsersSchema,
    OutcomeArgs,
    OutcomesSchema,
    ReferralFunnelArgs,
    ReferralFunnelSchema,
    SummaryArgs,
    SummarySchema,
)

blp = ApiBlueprint("stats", __name__, url_prefix="/stats",
                   description="Daily counts, the published figures and heavy users, for supervisors")


@blp.route("/daily")
@signed_in(can_read_stats)
@blp.arguments(DailyArgs, location="query", as_kwargs=True)
@blp.response(200, DailyCountsSchema)
def daily(date_from=None, date_to=None, team_id=None, user_id=None):
    """Counts per local day (service TIMEZONE) by when things happened, every day listed, at most 366 days.

    Encounters count on the day they occurred, referrals on the day made and the day accepted,
    case intakes on the day opened; `user_id` means the author. Without `from`/`to`: the 30 days
    ending today in the service's time zone, today live (a phone's own clock and zone data may disagree).
    """
    start, end = services.default_period(date_from, date_to)
    return services.daily_counts(start, end, team_id=team_id, user_id=user_id)


@blp.route("/daily.csv")
@signed_in(can_read_stats)
@blp.arguments(DailyArgs, location="query", as_kwargs=True)
@blp.response(200, {"type": "string"}, content_type="text/csv",
              description="Header row, one row per day, then a `total` row.")
def daily_csv(date_from=None, date_to=None, team_id=None, user_id=None):
    """The daily counts as CSV (the same numbers as the JSON, the same default period); every export is audited."""
    start, end = services.default_period(date_from, date_to)
    filename, text = services.export_daily_csv(start, end, team_id=team_id, user_id=user_id)
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blp.route("/summary")
@signed_in(can_read_stats)
@blp.arguments(SummaryArgs, location="query", as_kwargs=True)
@blp.response(200, SummarySchema)
def summary(date_from=None, date_to=None, team_id=None, group=None):
    """The unit's published figures for any period of local days (no length cap; without `from` since
    the first record, without `to` up to today), overall, `by_team` and `by_group`. `calls_for_service`
    counts distinct call numbers of primary responses, `case_intakes` and `people_engaged` distinct
    people (merged people as one); encounters count for the author's team, referrals for the referring
    team. Audited."""
    return summary_service.published_figures(date_from, date_to, team_id, group)


@blp.route("/summary.csv")
@signed_in(can_read_stats)
@blp.arguments(SummaryArgs, location="query", as_kwargs=True)
@blp.response(200, {"type": "string"}, content_type="text/csv",
              description="Header `row,team_id,name,group,<figures>`, a row `all`, then one row `team` per team.")
def summary_csv(date_from=None, date_to=None, team_id=None, group=None):
    """The published figures as CSV (the same numbers as the JSON); audited."""
    report = summary_service.published_figures(date_from, date_to, team_id, group)
    filename = f"help-summary-{report['date_from'].isoformat()}-{report['date_to'].isoformat()}.csv"
    return Response(summary_service.summary_csv(report), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@blp.route("/heavy-users")
@signed_in(can_read_stats)
@blp.arguments(HeavyUserArgs, location="query", as_kwargs=True)
@blp.response(200, HeavyUsersSchema)
def heavy_users(limit, days=None, min_encounters=None, team_id=None):
    """People with the most encounters (all kinds) in the last `days`, most first; audited (ids only).

    Defaults come from the HEAVY_USER_DAYS (90) and HEAVY_USER_MIN_ENCOUNTERS (5) settings.
    """
    return heavy_users_service.heavy_users(days, min_encounters, limit, team_id)


@blp.route("/outcomes")
@signed_in(can_read_stats)
@blp.arguments(OutcomeArgs, location="query", as_kwargs=True)
@blp.response(200, OutcomesSchema)
def outcomes(date_from=None, date_to=None, team_id=None):
    """What happened after contact: non-voided encounters per outcome code, overall and by kind (local
    days, no length cap; without `to` up to today, without `from` since the first encounter); audited."""
    return outcomes_service.outcomes(date_from, date_to, team_id)


@blp.route("/referrals")
@signed_in(can_read_stats)
@blp.arguments(ReferralFunnelArgs, location="query", as_kwargs=True)
@blp.response(200, ReferralFunnelSchema)
def referrals(date_from=None, date_to=None, agency_id=None):
    """The funnel of referrals made in the period (by `made_on`), per agency, by status now, with
    `overdue` and median hours to accept and to complete; audited."""
    return referral_funnel.referral_funnel(date_from, date_to, agency_id)


@blp.route("/cohort")
@signed_in(can_read_stats)
@blp.arguments(CohortArgs, location="query", as_kwargs=True)
@blp.response(200, CohortSchema)
def cohort(months, program=None, intake_from=None, intake_to=None):
    """The heavy-users measure for every case opened in the window (by local intake day): encounters
    per case in the `months` months before and after intake, from the same per-case months as
    GET /cases/<id>; audited."""
    return cohort_service.cohort(program, intake_from, intake_to, months)
