"""The situation table over REST: tables (admins), situations through the four stages, and the COR
report. Every write and every read is audited with ids only; see docs/situation-table.md."""

from __future__ import annotations

import uuid

from flask import Response

from app.audit.services import record, record_despite_rollback
from app.auth import policy
from app.auth.guard import current_user, signed_in
from app.entries.outcomes import Refused
from app.entries.pipeline import submit
from app.errors import ApiError, ErrorSchema, refusal
from app.extensions import db
from app.fields import MAX_ID
from app.records import utcnow, validated_hash
from app.rest import ApiBlueprint
from app.tables import access, report, services, situations
from app.tables.models import SituationTable
from app.tables.schemas import (
    DecisionRequestSchema,
    ReportQuerySchema,
    ReportSchema,
    SituationCaseRequestSchema,
    SituationCloseRequestSchema,
    SituationNoteRequestSchema,
    SituationNoteSchema,
    SituationQuerySchema,
    SituationRequestSchema,
    SituationSchema,
    TableRequestSchema,
    TableSchema,
    TableUpdateSchema,
)

tables_blp = ApiBlueprint("tables", __name__, url_prefix="/tables", description="Situation tables (Hub)")
situations_blp = ApiBlueprint("situations", __name__, url_prefix="/situations",
                              description="Situations at a table: decision, notes, closure")


def _is_admin(user) -> bool:
    return user.role == "admin"


def _refused(action: str, target_type: str, target_id, refused: Refused, *,
             conflict_message: str = "The situation was already decided.", **detail):
    error = refused.outcome.error or {"code": refused.outcome.status}
    record_despite_rollback(action, target_type=target_type, target_id=str(target_id), outcome=error["code"][:20],
                            **detail)
    return refusal(refused.outcome, conflict_message=conflict_message)


def _no_such_table(table_id: int) -> None:
    """An id beyond any database id (the path takes any integer) names no table."""
    if not 0 < table_id <= MAX_ID:
        raise ApiError(404, "not_found", "No such table.")


def _table_or_404(table_id: int) -> SituationTable:
    _no_such_table(table_id)
    table = db.session.get(SituationTable, table_id)
    if table is None:
        raise ApiError(404, "not_found", "No such table.")
    return table


def _table_at(user, table_id: int) -> SituationTable:
    """The table, to its members and chairs; 404 to anyone else."""
    _no_such_table(table_id)
    table = db.session.get(SituationTable, table_id)
    if table is None or not access.at_table(user, table_id):
        record_despite_rollback("table.read", target_type="table", target_id=str(table_id), outcome="not_found")
        raise ApiError(404, "not_found", "No such table.")
    return table


# --- tables ----------------------------------------------------------------------------------------

@tables_blp.route("", methods=["POST"])
@signed_in(_is_admin)
@tables_blp.arguments(TableRequestSchema)
@tables_blp.response(201, TableSchema)
@tables_blp.alt_response(409, schema=ErrorSchema, description="conflict: the name is taken")
def create_table(data):
    """Set up a table: its member agencies and police teams, and its chairs (admins)."""
    try:
        table = services.create(data)
    except Refused as refused:
        raise refusal(refused.outcome) from None
    record("table.create", target_type="table", target_id=table.id)
    return services.view(current_user(), table)


@tables_blp.route("")
@signed_in()
@tables_blp.response(200, TableSchema(many=True))
def list_tables():
    """The tables the caller sits at or chairs (admins: every table)."""
    user = current_user()
    tables = access.visible_tables(user)
    record("table.list", target_type="table", results=[t.id for t in tables])
    return [services.view(user, t) for t in tables]


@tables_blp.route("/<int:table_id>", methods=["PATCH"])
@signed_in(_is_admin)
@tables_blp.arguments(TableUpdateSchema)
@tables_blp.response(200, TableSchema)
def update_table(changes, table_id):
    """Rename, (de)activate, or replace the members or chairs of a table (admins)."""
    _no_such_table(table_id)
    try:
        table = services.update(table_id, changes)
    except Refused as refused:
        raise refusal(refused.outcome) from None
    if table is None:
        raise ApiError(404, "not_found", "No such table.")
    record("table.update", target_type="table", target_id=table_id, fields=sorted(changes))
    return services.view(current_user(), table)


@tables_blp.route("/<int:table_id>/situations", methods=["POST"])
@signed_in(policy.can_log_entries)
@tables_blp.arguments(SituationRequestSchema)
@tables_blp.response(201, SituationSchema)
@tables_blp.alt_response(200, schema=SituationSchema, description="The same id and content again: no change.")
def present_situation(data, table_id):
    """Filter 1: present a situation de-identified (the `situation` entry type); member agencies and teams."""
    user = current_user()
    _no_such_table(table_id)
    entry_id = data.pop("id", None)
    situation_id, created = submit("situation", user, {**data, "table_id": table_id}, entry_id)
    situation = situations.find(situation_id)
    assert situation is not None
    return situations.view(user, situation), 201 if created else 200


@tables_blp.route("/<int:table_id>/situations")
@signed_in()
@tables_blp.arguments(SituationQuerySchema, location="query")
@tables_blp.response(200, SituationSchema(many=True))
def table_situations(args, table_id):
    """Filter 2: the table's situations, oldest first, de-identified (members and chairs)."""
    user = current_user()
    _table_at(user, table_id)
    found = situations.for_table(user, table_id, args.get("status"))
    record("situation.list", target_type="table", target_id=table_id, results=[s["id"] for s in found])
    return found


def _report(user, table_id: int, args):
    table = _table_or_404(table_id)
    if not access.report_reader(user, table_id):
        record_despite_rollback("table.report", target_type="table", target_id=str(table_id), outcome="forbidden")
        raise ApiError(403, "forbidden", "The report is for the table's chairs, supervisors and admins.")
    start, end = report.period(table, args.get("from_"), args.get("to"), situations.now_day())
    return report.build(table, start, end)


@tables_blp.route("/<int:table_id>/report")
@signed_in()
@tables_blp.arguments(ReportQuerySchema, location="query")
@tables_blp.response(200, ReportSchema)
def table_report(args, table_id):
    """The centre of responsibility's report (chairs, supervisors, admins): de-identified counts."""
    body = _report(current_user(), table_id, args)
    record("table.report", target_type="table", target_id=table_id)
    return body


@tables_blp.route("/<int:table_id>/report.csv")
@signed_in()
@tables_blp.arguments(ReportQuerySchema, location="query")
@tables_blp.response(200, {"type": "string"}, content_type="text/csv",
                     description="section,key,value rows: the same numbers as the JSON report.")
def table_report_csv(args, table_id):
    """The report as CSV; every export is audited."""
    body = _report(current_user(), table_id, args)
    record("table.report", target_type="table", target_id=table_id, format="csv")
    name = f"table-{table_id}-{body['from_'].isoformat()}-{body['to'].isoformat()}.csv"
    return Response(report.as_csv(body), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- situations ------------------------------------------------------------------------------------

@situations_blp.route("")
@signed_in()
@situations_blp.response(200, SituationSchema(many=True))
def our_situations():
    """"Our situations": those the caller's agency (or police team) leads or assists, with the person and notes."""
    found = situations.ours(current_user())
    record("situation.list", target_type="situation", results=[s["id"] for s in found])
    return found


@situations_blp.route("/<uuid:situation_id>")
@signed_in()
@situations_blp.response(200, SituationSchema)
def get_situation(situation_id):
    """The situation as the caller may see it; non-members (and unknown ids) 404."""
    user = current_user()
    situation = situations.find_readable(user, str(situation_id))
    if situation is None:
        record_despite_rollback("situation.read", target_type="situation", target_id=str(situation_id),
                                outcome="not_found")
        raise ApiError(404, "not_found", "No such situation.")
    body = situations.view(user, situation)
    record("situation.read", target_type="situation", target_id=situation_id, person=bool(body.get("person")))
    return body


@situations_blp.route("/<uuid:situation_id>/decision", methods=["POST"])
@signed_in()
@situations_blp.arguments(DecisionRequestSchema)
@situations_blp.response(200, SituationSchema)
@situations_blp.alt_response(409, schema=ErrorSchema, description="conflict: already decided (in `current`)")
def decide(decision, situation_id):
    """Filter 3: the chair records whether the threshold is met. Not met erases; met releases the person
    to the lead and assisting agencies (disclosure ledger, basis `situation_table`) and alerts them."""
    user = current_user()
    try:
        situation = situations.decide(user, str(situation_id), decision, today=situations.now_day())
    except Refused as refused:
        raise _refused("situation.decide", "situation", situation_id, refused) from None
    record("situation.decide", target_type="situation", target_id=situation_id,
           threshold_met=decision["threshold_met"], lead_agency_id=situation.lead_agency_id,
           lead_team_id=situation.lead_team_id, assisting_agency_ids=decision["assisting_agency_ids"])
    return situations.view(user, situation)


@situations_blp.route("/<uuid:situation_id>/notes", methods=["POST"])
@signed_in()
@situations_blp.arguments(SituationNoteRequestSchema)
@situations_blp.response(201, SituationNoteSchema)
@situations_blp.alt_response(200, schema=SituationNoteSchema, description="The same id and content again.")
def add_note(note, situation_id):
    """Filter 4: a note of the intervention (lead and assisting agencies only; never shown to others)."""
    user = current_user()
    note_id = note.pop("id", None) or str(uuid.uuid4())
    try:
        body, created = situations.add_note(user, str(situation_id), note_id,
                                            validated_hash("situation_note", note), note, utcnow())
    except Refused as refused:
        raise _refused("situation_note.create", "situation", situation_id, refused) from None
    record("situation_note.create", target_type="situation_note", target_id=note_id, situation_id=str(situation_id))
    return body, 201 if created else 200


@situations_blp.route("/<uuid:situation_id>/close", methods=["POST"])
@signed_in()
@situations_blp.arguments(SituationCloseRequestSchema)
@situations_blp.response(200, SituationSchema)
@situations_blp.alt_response(409, schema=ErrorSchema, description="invalid_transition: not open")
def close_situation(closure, situation_id):
    """Close an open situation with a coded reason (the table's chairs, or the lead)."""
    user = current_user()
    try:
        situation = situations.close(user, str(situation_id), closure, today=situations.now_day())
    except Refused as refused:
        raise _refused("situation.close", "situation", situation_id, refused) from None
    record("situation.close", target_type="situation", target_id=situation_id, reason=closure["reason"])
    return situations.view(user, situation)


@situations_blp.route("/<uuid:situation_id>/case", methods=["POST"])
@signed_in(policy.can_log_entries)
@situations_blp.arguments(SituationCaseRequestSchema)
@situations_blp.response(200, SituationSchema)
@situations_blp.alt_response(201, schema=SituationSchema, description="A case was opened for the person.")
@situations_blp.alt_response(409, schema=ErrorSchema, description="invalid_transition: the situation is not open; "
                             "conflict: already linked to another case, or the person has an open case (in `current`)")
def situation_case(request, situation_id):
    """Link an open situation to an existing case of its person (`case_id`), or open a case for the person
    (lead and assisting agencies). Opening rests on the situation (basis `situation_table`)."""
    user = current_user()
    sid = str(situation_id)
    opening = not request.get("case_id")
    try:
        if opening:
            situation, case, created, changed = situations.open_case(user, sid, request, utcnow())
            case_id = str(case.id)
        else:
            situation, changed = situations.link_case(user, sid, str(request["case_id"]))
            created, case_id = False, str(situation.case_id)
    except Refused as refused:
        current = refused.outcome.current or {}
        message = ("The situation is already linked to a case." if "table_id" in current
                   else "The person already has an open case: link it instead.")
        raise _refused("situation.case", "situation", sid, refused, conflict_message=message,
                       opened=opening) from None
    if created:
        record("case.create", target_type="case", target_id=case_id, via="rest", basis=situations.SITUATION_BASIS,
               situation_id=sid)
    if changed:
        record("situation.case", target_type="situation", target_id=sid, case_id=case_id, opened=opening)
    return situations.view(user, situation), 201 if created else 200
