"""End-to-end fixtures: a real HTTP server on 127.0.0.1 and one headless Chromium for the whole run.

The server is create_app() on its own committed SQLite database, served by werkzeug in a thread of
the test process, so tests make users with the factories and read what arrived straight from the
database. Each test gets fresh browser contexts (a new phone: empty IndexedDB, no service worker).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app
from app.demo.seed import seed_reference_data
from app.directory.models import Agency, Team
from app.extensions import db as _db
from testkit import factories
from testkit.services import free_port
from tests.conftest import base_config
from tests.e2e.phone import Phone

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's browser, launched from Debian's Chromium (never `playwright install`)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS,
            "headless": browser_type_launch_args.get("headless", True)}


def build_e2e_app(folder: Path):
    """The app on a new committed SQLite database in `folder`, with the demo's reference data."""
    instance = folder / "e2e-instance"
    instance.mkdir(parents=True, exist_ok=True)
    config = {**base_config(f"sqlite:///{folder / 'e2e.db'}", instance), "TESTING": False}
    application = create_app(config)
    application.instance_path = str(instance)
    with application.app_context():
        _db.drop_all()
        _db.create_all()
        seed_reference_data()
        _db.session.commit()
        _db.engine.dispose()
    return application


@pytest.fixture(scope="session")
def e2e_app(run_dir):
    return build_e2e_app(run_dir)


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request (a page load is ~40 of them); errors still go to the log."""

    def log_request(self, *args, **kwargs) -> None:
        pass


def serve(application):
    """The app over real HTTP (threaded), for the browser: yields its base URL, then stops."""
    server = make_server("127.0.0.1", free_port(), application, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(e2e_app):
    """The app over real HTTP (threaded), for the browser."""
    yield from serve(e2e_app)


class ServerDb:
    """The live server's database as the test sees it.

    SQLite transactions here begin IMMEDIATE (they take the write lock), so every read or write ends
    its transaction at once and hands back plain values, never ORM objects that would lazy-load later.
    """

    def __init__(self, db):
        self.db = db

    def read(self, work):
        try:
            return work(self.db.session)
        finally:
            self.db.session.rollback()

    def write(self, work):
        try:
            result = work(self.db.session)
            self.db.session.commit()
            return result
        except BaseException:
            self.db.session.rollback()
            raise


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: str
    team_id: int | None
    agency_id: int | None
    password: str = factories.PASSWORD


@pytest.fixture
def server_db(e2e_app):
    """The live server's database, read and written from the test (every commit is real)."""
    with e2e_app.app_context():
        yield ServerDb(_db)
        _db.session.remove()


@pytest.fixture
def make_account(server_db):
    """A new user of a role, committed, in the demo data's Downtown HELP team (navigators: Hope Mission)."""

    def make(role: str = "officer", **overrides) -> Account:
        def create(session):
            team = session.scalar(sa.select(Team).where(Team.name == "Downtown HELP"))
            agency = session.scalar(sa.select(Agency).where(Agency.name == "Hope Mission"))
            options = {"team": team if role in ("officer", "navigator") else None,
                       "agency": agency if role == "navigator" else None}
            options.update(overrides)
            user = factories.make_user(role, **options)
            return Account(user.id, user.username, user.role, user.team_id, user.agency_id)

        return server_db.write(create)

    return make


@pytest.fixture
def new_phone(browser, live_server, request):
    """Phones (browser contexts) at 360×640; all closed after the test."""
    made: list[Phone] = []

    def make(*, color_scheme: str = "light", notifications: bool = False, background_sync: bool = True) -> Phone:
        context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 640},
                                      device_scale_factor=1, is_mobile=True, has_touch=True,
                                      color_scheme=color_scheme, locale="en-CA", timezone_id="America/Edmonton",
                                      service_workers="allow")
        permissions = (["background-sync"] if background_sync else []) + (["notifications"] if notifications else [])
        if permissions:
            context.grant_permissions(permissions)
        context.set_default_timeout(15_000)
        phone = Phone(context, live_server, ARTIFACTS / "screens", request.node.name)
        made.append(phone)
        return phone

    yield make
    problems = {phone.test_name: {"uncaught errors": phone.errors, "CSP violations": phone.csp_violations}
                for phone in made if phone.errors or phone.csp_violations}
    for phone in made:
        phone.close()
    if problems:
        pytest.fail(f"the app misbehaved in the browser: {problems}", pytrace=False)


class FieldApi:
    """A second device talking straight to the API (to put records on the server for a test)."""

    def __init__(self, base_url: str, account: Account):
        self.base_url = base_url
        self.http = requests.Session()
        response = self.http.post(f"{base_url}/api/v1/auth/login",
                                  json={"username": account.username, "password": account.password}, timeout=30)
        response.raise_for_status()
        self.csrf = response.json()["csrf_token"]

    def sync(self, *entries: dict) -> list[dict]:
        response = self.http.post(f"{self.base_url}/api/v1/sync", timeout=30, headers={"X-CSRF-Token": self.csrf},
                                  json={"device_id": "e2e-api", "entries": list(entries)})
        response.raise_for_status()
        results = response.json()["results"]
        assert [r["status"] for r in results] == ["created"] * len(entries), results
        return results

    @staticmethod
    def entry(entry_type: str, **data) -> dict:
        return {"id": str(uuid.uuid4()), "type": entry_type, "data": data}


@pytest.fixture
def field_api(live_server):
    return lambda account: FieldApi(live_server, account)
