"""GET /persons?q= (search), GET /persons/<id> (timeline), PATCH /persons/<id> (a change), and for
supervisors and admins GET /persons/duplicates and POST /persons/<id>/merge. Every read is audited."""

from __future__ import annotations

from typing import Any

from app.audit.services import record, record_despite_rollback
from app.auth import policy
from app.auth.guard import current_user, signed_in
from app.auth.models import User
from app.cases import services as cases
from app.encounters import services as encounters
from app.entries.outcomes import Refused
from app.entries.pipeline import submit
from app.errors import ApiError, ErrorSchema, refusal
from app.people import duplicates, merge, services, updates
from app.people.models import Person
from app.people.schemas import (
    DuplicatesArgs,
    DuplicatesSchema,
    MergeRequestSchema,
    PersonSchema,
    PersonSearchArgs,
    PersonUpdateRequestSchema,
    TimelineSchema,
)
from app.referrals import services as referrals
from app.rest import ApiBlueprint

blp = ApiBlueprint("persons", __name__, url_prefix="/persons", description="People")


@blp.route("")
@signed_in()
@blp.arguments(PersonSearchArgs, location="query")
@blp.response(200, PersonSchema(many=True))
def search_persons(args):
    """Search by name or alias among the people the caller may see."""
    user = current_user()
    found = services.search(user, args["q"], args["limit"])
    record("person.search", target_type="person", results=[str(p.id) for p in found])
    return [services.view(p, user) for p in found]


@blp.route("/duplicates")
@signed_in(policy.is_oversight)
@blp.arguments(DuplicatesArgs, location="query")
@blp.response(200, DuplicatesSchema)
def list_duplicates(args):
    """Pairs of people who may be one person, best first (scoring: docs/duplicates.md)."""
    user = current_user()
    pairs = duplicates.find(args["limit"])
    persons = services.by_ids({person_id for a, b, _s, _r in pairs for person_id in (a, b)})
    record("person.duplicates", target_type="person", results=[[a, b] for a, b, _s, _r in pairs])
    return {"items": [{"a": services.view(persons[a], user), "b": services.view(persons[b], user),
                       "score": score, "reasons": reasons} for a, b, score, reasons in pairs]}


@blp.route("/<uuid:kept_id>/merge", methods=["POST"])
@signed_in(policy.is_oversight)
@blp.arguments(MergeRequestSchema)
@blp.response(200, TimelineSchema)
@blp.alt_response(409, schema=ErrorSchema, description="conflict: both people have an open case")
def merge_person(body, kept_id):
    """Merge a duplicate into the person kept (the duplicate keeps only its id and `merged_into`)."""
    user = current_user()
    try:
        kept = merge.merge(user, str(kept_id), str(body["duplicate_id"]))
    except Refused as refused:
        error = refused.outcome.error or {"code": refused.outcome.status}
        record_despite_rollback("person.merge", target_type="person", target_id=str(kept_id),
                                outcome=error["code"][:20], duplicate_id=str(body["duplicate_id"]))
        raise refusal(refused.outcome) from None
    return _timeline(user, kept)


@blp.route("/<uuid:person_id>")
@signed_in()
@blp.response(200, TimelineSchema)
def get_person(person_id):
    """A person with their timeline (encounters, referrals and cases by id) and their change history."""
    user = current_user()
    person = services.find_visible(user, str(person_id))
    if person is None:
        record_despite_rollback("person.read", target_type="person", target_id=str(person_id), outcome="not_found")
        raise ApiError(404, "not_found", "No such person.")
    record("person.read", target_type="person", target_id=person_id)
    return _timeline(user, person)


@blp.route("/<uuid:person_id>", methods=["PATCH"])
@signed_in(policy.can_log_entries)
@blp.arguments(PersonUpdateRequestSchema)
@blp.response(200, TimelineSchema)
@blp.alt_response(409, schema=ErrorSchema, description="conflict: a field this change sets changed after "
                  "`base_version` (the person in `current` to those who see them in full)")
def update_person(change, person_id):
    """Change a person (the person_update entry type; an extension: the contract updates persons by /sync)."""
    user = current_user()
    entry_id = change.pop("id", None)
    submit("person_update", user, {**change, "person_id": str(person_id)}, entry_id,
           conflict_message="This person changed since your copy (or the id holds another change); nothing was saved.")
    person = services.find_visible(user, str(person_id))
    if person is not None and person.merged_into is not None:  # the change went to the person kept
        # ... shown if the caller sees them; if not, the duplicate answers (its id and `merged_into`).
        person = services.find_visible(user, str(person.merged_into)) or person
    if person is None:  # the change went to a kept person the caller writes to but does not see
        raise ApiError(404, "not_found", "No such person.")
    return _timeline(user, person)


def _timeline(user: User, person: Person) -> dict[str, Any]:
    person_id = str(person.id)
    body = services.view(person, user)
    body["encounters"] = encounters.ids_for_person(user, person_id)
    body["referrals"] = referrals.ids_for_person(user, person_id)
    body["cases"] = cases.ids_for_person(user, person_id)
    body["history"] = updates.history(person_id)
    return body
