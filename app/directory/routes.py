"""GET /teams, /agencies, /sites: reference data for every signed-in user; POST and PATCH for admins."""

from app.auth.guard import signed_in
from app.auth.policy import can_manage_accounts
from app.directory import services
from app.directory.models import Agency, Site, Team
from app.directory.schemas import (
    AgencyPatchSchema,
    AgencySchema,
    AgencyWriteSchema,
    SitePatchSchema,
    SiteSchema,
    SiteWriteSchema,
    TeamPatchSchema,
    TeamSchema,
    TeamWriteSchema,
)
from app.errors import ApiError, ErrorSchema
from app.extensions import db
from app.fields import MAX_ID
from app.rest import ApiBlueprint

blp = ApiBlueprint("directory", __name__, description="Teams, partner agencies and sites")


@blp.route("/teams")
@signed_in()
@blp.response(200, TeamSchema(many=True))
def teams():
    """Patrol-division teams."""
    return services.list_teams()


@blp.route("/agencies")
@signed_in()
@blp.response(200, AgencySchema(many=True))
def agencies():
    """Partner agencies and the services (needs codes) they offer."""
    return services.list_agencies()


@blp.route("/sites")
@signed_in()
@blp.response(200, SiteSchema(many=True))
def sites():
    """Shelters and drop-ins where navigators check in."""
    return services.list_sites()


def _create(model, values):
    try:
        return services.create_reference(model, values)
    except services.DirectoryRefused as refused:
        raise ApiError(409 if refused.code == "conflict" else 400, refused.code, refused.message,
                       refused.fields) from None


def _update(model, row_id, values):
    row = db.session.get(model, row_id) if 0 < row_id <= MAX_ID else None
    if row is None:
        raise ApiError(404, "not_found", f"There is no such {services.KIND[model]}.")
    try:
        return services.update_reference(model, row, values)
    except services.DirectoryRefused as refused:
        raise ApiError(409 if refused.code == "conflict" else 400, refused.code, refused.message,
                       refused.fields) from None


WRITE_ERRORS = ((400, "validation_error"), (404, "not_found (PATCH)"), (409, "conflict: the name is taken"))


def _documented(view):
    for status, description in WRITE_ERRORS:
        view = blp.alt_response(status, schema=ErrorSchema, description=description)(view)
    return view


@blp.route("/teams", methods=["POST"])
@signed_in(can_manage_accounts)
@blp.arguments(TeamWriteSchema)
@blp.response(201, TeamSchema)
@_documented
def create_team(values):
    """Add a team (admins): name, division, group (core or branch)."""
    return _create(Team, values)


@blp.route("/teams/<int:team_id>", methods=["PATCH"])
@signed_in(can_manage_accounts)
@blp.arguments(TeamPatchSchema)
@blp.response(200, TeamSchema)
@_documented
def update_team(values, team_id):
    """Edit a team, or deactivate it (`active: false`): it stays on old records and accounts, but cannot
    be chosen for new accounts."""
    return _update(Team, team_id, values)


@blp.route("/agencies", methods=["POST"])
@signed_in(can_manage_accounts)
@blp.arguments(AgencyWriteSchema)
@blp.response(201, AgencySchema)
@_documented
def create_agency(values):
    """Add a partner agency (admins): the services (needs codes) drive the triage suggestions; the phone
    number is shown tap-to-call on referrals."""
    return _create(Agency, values)


@blp.route("/agencies/<int:agency_id>", methods=["PATCH"])
@signed_in(can_manage_accounts)
@blp.arguments(AgencyPatchSchema)
@blp.response(200, AgencySchema)
@_documented
def update_agency(values, agency_id):
    """Edit a partner agency, or deactivate it: no new referrals, sites or navigators can name it."""
    return _update(Agency, agency_id, values)


@blp.route("/sites", methods=["POST"])
@signed_in(can_manage_accounts)
@blp.arguments(SiteWriteSchema)
@blp.response(201, SiteSchema)
@_documented
def create_site(values):
    """Add a shelter, drop-in or clinic (admins)."""
    return _create(Site, values)


@blp.route("/sites/<int:site_id>", methods=["PATCH"])
@signed_in(can_manage_accounts)
@blp.arguments(SitePatchSchema)
@blp.response(200, SiteSchema)
@_documented
def update_site(values, site_id):
    """Edit a site, or deactivate it: old check-ins keep it; new ones cannot name it."""
    return _update(Site, site_id, values)
