"""GET /persons?q= (search) and GET /persons/<id> (timeline). Every read is audited."""

from __future__ import annotations

from app.audit.services import record, record_despite_rollback
from app.auth.guard import current_user, signed_in
from app.cases import services as cases
from app.encounters import services as encounters
from app.errors import ApiError
from app.people import services, updates
from app.people.schemas import PersonSchema, PersonSearchArgs, TimelineSchema
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
    body = services.view(person, user)
    body["encounters"] = encounters.ids_for_person(user, str(person_id))
    body["referrals"] = referrals.ids_for_person(user, str(person_id))
    body["cases"] = cases.ids_for_person(user, str(person_id))
    body["history"] = updates.history(str(person_id))
    return body
