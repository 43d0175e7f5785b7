"""GET /teams, /agencies, /sites: reference data for every signed-in user."""

from app.auth.guard import signed_in
from app.directory import services
from app.directory.schemas import AgencySchema, SiteSchema, TeamSchema
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
