"""GET /audit: the audit log, for admins only. There is no way to change or delete a row."""

from app.audit import services
from app.audit.schemas import AuditPageSchema, AuditQuerySchema, DisclosureSchema
from app.auth.guard import signed_in
from app.auth.policy import can_read_audit
from app.rest import ApiBlueprint

blp = ApiBlueprint("audit", __name__, url_prefix="/audit", description="Audit log (admins)")


@blp.route("")
@signed_in(can_read_audit)
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
def audit_log(args):
    """Audit events, newest first, filtered by actor, action, target, outcome and time."""
    services.record("audit.read", target_type="audit")
    return services.search(**args)


@blp.route("/persons/<uuid:person_id>/disclosures")
@signed_in(can_read_audit)
@blp.response(200, DisclosureSchema(many=True))
def person_disclosures(person_id):
    """A person's disclosure history, for an access request: what identity went to which agency,
    when, by whom, under which consent. Admins only; the read is audited."""
    services.record("disclosure.read", target_type="person", target_id=person_id)
    return services.disclosures_of(str(person_id))
