"""GET /persons?q= (search), GET /persons/<id> (timeline) and PATCH /persons/<id> (a change). Every read
is audited."""

from __future__ import annotations

from typing import Any

from app.audit.services import record, record_despite_rollback
from app.auth import policy
from app.auth.guard import current_user, signed_in
from app.auth.models import User
from app.cases import services as cases
from app.encounters import services as encounters
from app.entries.pipeline import submit
from app.errors import ApiError, ErrorSchema
from app.people import services, updates
from app.people.models import Person
from app.people.schemas import PersonSchema, PersonSearchArgs, PersonUpdateRequestSchema, TimelineSchema
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
    if person is None:  # the change applied, so the person is visible; kept for the type checker
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
