"""What the stats endpoints accept (query strings) and answer, as documented in the OpenAPI spec."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.fields import MAX_ID, Day
from app.stats.heavy_users import MAX_LISTED
from app.stats.services import COUNT_KEYS
from app.stats.summary import FIGURES
from app.vocabulary import ENCOUNTER_KINDS, OUTCOMES, TEAM_GROUPS

_ID = validate.Range(min=1, max=MAX_ID)


class PeriodArgs(Schema):
    """A period of local calendar days, both ends included (at most 366 days: checked by the service)."""

    date_from = Day(required=True, data_key="from", metadata={"description": "First day, YYYY-MM-DD."})
    date_to = Day(required=True, data_key="to", metadata={"description": "Last day (included)."})


class DailyArgs(Schema):
    """A period of local days like PeriodArgs, each end optional: the server knows the service's date."""

    date_from = Day(data_key="from", metadata={
        "description": "First day, YYYY-MM-DD (default: 29 days before `to`)."})
    date_to = Day(data_key="to", metadata={
        "description": "Last day, included (default: today in the service's time zone, counted live)."})
    team_id = fields.Integer(validate=_ID, metadata={"description": "Only this team's records."})
    user_id = fields.Integer(validate=_ID, metadata={"description": "Only records this user wrote."})


class HeavyUserArgs(Schema):
    days = fields.Integer(validate=validate.Range(min=1, max=366),
                          metadata={"description": "Window in days back from now (default HEAVY_USER_DAYS, 90)."})
    min_encounters = fields.Integer(
        validate=validate.Range(min=1, max=100_000),
        metadata={"description": "Fewest encounters to be listed (default HEAVY_USER_MIN_ENCOUNTERS, 5)."})
    limit = fields.Integer(load_default=MAX_LISTED, validate=validate.Range(min=1, max=MAX_LISTED),
                           metadata={"description": f"At most this many people (≤ {MAX_LISTED})."})
    team_id = fields.Integer(validate=_ID, metadata={"description": "Count only this team's encounters."})


CountsSchema = Schema.from_dict({name: fields.Integer(required=True) for name in COUNT_KEYS},
                                name="DailyTotals")
DayCountsSchema = Schema.from_dict(
    {"date": Day(required=True), **{name: fields.Integer(required=True) for name in COUNT_KEYS}},
    name="DayCounts")


class PlainList(fields.List):
    """A list the service built from plain JSON values (ISO dates, integers), passed through as is.

    Documented exactly like List(Nested(...)); only the dumping is skipped: serializing a year
    field by field (366 days x 9 values) took longer than reading the counts from the database.
    """

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class DailyCountsSchema(Schema):
    timezone = fields.String(required=True)
    date_from = Day(required=True, data_key="from", metadata={"description": "First day of the period."})
    date_to = Day(required=True, data_key="to", metadata={"description": "Last day of the period."})
    days = PlainList(fields.Nested(DayCountsSchema), required=True,
                     metadata={"description": "Every day of the period, in order, zeros included."})
    totals = fields.Nested(CountsSchema, required=True)


_figures: dict[str, fields.Field] = {name: fields.Integer(required=True) for name in FIGURES}
TeamFiguresSchema = Schema.from_dict(
    {"team_id": fields.Integer(required=True, allow_none=True,
                               metadata={"description": "null: entries made by staff without a team."}),
     "name": fields.String(required=True, allow_none=True),
     "group": fields.String(required=True, allow_none=True), **_figures},
    name="TeamFigures")
GroupFiguresSchema = Schema.from_dict(
    {"group": fields.String(required=True, allow_none=True,
                            metadata={"description": "null: teams without a group, and staff without a team."}),
     **_figures}, name="GroupFigures")


class SummaryArgs(Schema):
    """Any period of local days (no length cap), optionally one team or one group."""

    date_from = Day(data_key="from", metadata={"description": "First day, YYYY-MM-DD (default: the first record)."})
    date_to = Day(data_key="to", metadata={"description": "Last day, included (default: today, local)."})
    team_id = fields.Integer(validate=_ID, metadata={"description": "Only this team."})
    group = fields.String(validate=validate.OneOf(TEAM_GROUPS), metadata={"description": "Only this group of teams."})


SummarySchema = Schema.from_dict({
    "timezone": fields.String(required=True),
    "date_from": Day(required=True, data_key="from"),
    "date_to": Day(required=True, data_key="to"),
    **_figures,
    "by_team": fields.List(fields.Nested(TeamFiguresSchema), required=True),
    "by_group": fields.List(fields.Nested(GroupFiguresSchema), required=True),
}, name="Summary")


KindCountsSchema = Schema.from_dict({kind: fields.Integer(required=True) for kind in ENCOUNTER_KINDS},
                                    name="EncountersByKind")


class HeavyUserSchema(Schema):
    person_id = fields.String(required=True)
    display_name = fields.String(required=True, allow_none=True)
    encounters = fields.Integer(required=True)
    by_kind = fields.Nested(KindCountsSchema, required=True)
    last_contact = fields.DateTime(required=True)
    open_case = fields.Boolean(required=True)


class HeavyUsersSchema(Schema):
    days = fields.Integer(required=True)
    min_encounters = fields.Integer(required=True)
    since = fields.DateTime(required=True)
    people = fields.List(fields.Nested(HeavyUserSchema), required=True)


class OpenPeriodArgs(Schema):
    """A period of local days, both ends optional and no length cap: `to` defaults to today (local),
    `from` to the first day anything of the kind was recorded."""

    date_from = Day(data_key="from", metadata={"description": "First day, YYYY-MM-DD (default: the first record)."})
    date_to = Day(data_key="to", metadata={"description": "Last day, included (default: today, local)."})


class OutcomeArgs(OpenPeriodArgs):
    team_id = fields.Integer(validate=_ID, metadata={"description": "Only encounters of this team."})


class ReferralFunnelArgs(OpenPeriodArgs):
    agency_id = fields.Integer(validate=_ID, metadata={"description": "Only referrals to this agency."})


OutcomeCountsSchema = Schema.from_dict({code: fields.Integer(required=True) for code in OUTCOMES},
                                       name="OutcomeCounts")


class OutcomesSchema(Schema):
    date_from = Day(required=True, data_key="from")
    date_to = Day(required=True, data_key="to")
    outcomes = fields.Nested(OutcomeCountsSchema, required=True, metadata={
        "description": "Non-voided encounters of the period holding each outcome code (one encounter may hold several)."})
    by_kind = fields.Dict(keys=fields.String(validate=validate.OneOf(ENCOUNTER_KINDS)),
                          values=fields.Nested(OutcomeCountsSchema), required=True)


class AgencyFunnelSchema(Schema):
    agency_id = fields.Integer(required=True)
    name = fields.String(required=True)
    made = fields.Integer(required=True)
    pending = fields.Integer(required=True)
    accepted = fields.Integer(required=True, metadata={
        "description": "Ever accepted (completed, no-show and withdrawn after accepting included)."})
    declined = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True)
    completed = fields.Integer(required=True)
    no_show = fields.Integer(required=True)
    overdue = fields.Integer(required=True, metadata={"description": "Pending past the deadline for its urgency."})
    median_hours_to_accept = fields.Float(required=True, allow_none=True)
    median_hours_to_complete = fields.Float(required=True, allow_none=True)


class ReferralFunnelSchema(Schema):
    date_from = Day(required=True, data_key="from")
    date_to = Day(required=True, data_key="to")
    agencies = fields.List(fields.Nested(AgencyFunnelSchema), required=True)


class CohortArgs(Schema):
    program = fields.String(validate=validate.Length(min=1, max=160),
                            metadata={"description": "Only cases of this program (exact name)."})
    intake_from = Day(metadata={"description": "First intake day, YYYY-MM-DD (default: the first case)."})
    intake_to = Day(metadata={"description": "Last intake day, included (default: today, local)."})
    months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=36),
                            metadata={"description": "Months counted each side of intake (as GET /cases/<id>)."})


class CohortSchema(Schema):
    intake_from = Day(required=True)
    intake_to = Day(required=True)
    program = fields.String(required=True, allow_none=True)
    cases = fields.Integer(required=True)
    people = fields.Integer(required=True, metadata={"description": "Distinct people among the cases."})
    months = fields.Integer(required=True)
    before_median = fields.Float(required=True, allow_none=True,
                                 metadata={"description": "Median per-case encounters in the months before intake."})
    after_median = fields.Float(required=True, allow_none=True,
                                metadata={"description": "Median per-case encounters in the months after intake."})
    before_total = fields.Integer(required=True)
    after_total = fields.Integer(required=True)
    change_pct = fields.Float(required=True, allow_none=True,
                              metadata={"description": "(after_total - before_total) / before_total x 100; "
                                                       "null when before_total is 0."})
    complete_12_months = fields.Integer(required=True, metadata={
        "description": "Cases with 12 whole months behind them since intake."})
    complete_24_months = fields.Integer(required=True)
