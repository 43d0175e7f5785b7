"""`flask db upgrade` gives exactly the models' schema; the CLI commands behave as documented."""

import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from app.auth.models import User
from app.directory.models import Agency, Site, Team
from app.extensions import db as _db
from testkit.client import ApiClient
from tests.conftest import base_config


@pytest.fixture
def fresh_app(database_kind, run_dir, request):
    """An app on a brand-new empty database of the kind under test."""
    name = f"fresh_{uuid.uuid4().hex[:8]}"
    if database_kind == "sqlite":
        url = f"sqlite:///{run_dir / (name + '.db')}"
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        url = cluster.create_database(name) if not isinstance(cluster, str) else pytest.skip("shared PG URL")
    application = create_app(base_config(url, run_dir / "instance"))
    application.instance_path = str(run_dir / "instance")
    yield application
    with application.app_context():
        _db.engine.dispose()


def test_upgrade_on_empty_database_gives_exactly_the_models_schema(fresh_app):
    with fresh_app.app_context():
        upgrade()
        with _db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, _db.metadata)
    assert diff == []


def test_seed_demo_is_idempotent_and_prints_credentials(fresh_app):
    with fresh_app.app_context():
        upgrade()
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--encounters", "0"])
    second = runner.invoke(args=["seed-demo", "--encounters", "0"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "officer" in first.output and "bright-river-4100" in first.output
    assert "already there" in second.output
    with fresh_app.app_context():
        counts = [_db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Agency, Team, Site, User)]
        groups = sorted(_db.session.scalars(sa.select(Team.group)))
    assert counts == [7, 6, 6, 4]
    assert groups == ["branch"] * 5 + ["core"]


def test_seed_demo_on_an_empty_database_gives_a_supervisor_a_year_of_figures(fresh_app):
    """What `make run` does: a year of history across every team, referrals through every status, intakes."""
    with fresh_app.app_context():
        upgrade()
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "History: 6000 encounters" in first.output
    again = runner.invoke(args=["seed-demo"])  # history only into a database without any
    assert again.exit_code == 0 and "History:" not in again.output
    client = ApiClient(fresh_app.test_client())
    with fresh_app.app_context():
        assert client.login("supervisor", "steady-lantern-63").status_code == 200
        summary = client.get("/stats/summary").get_json()
        funnel = client.get("/stats/referrals").get_json()["agencies"]
        today = client.get("/stats/daily").get_json()["totals"]
    assert summary["interactions"] > 2000 and summary["calls_for_service"] > 300
    assert summary["people_engaged"] > 500 and summary["case_intakes"] > 10
    assert (date.fromisoformat(summary["to"]) - date.fromisoformat(summary["from"])).days >= 364
    assert all(row["interactions"] > 0 for row in summary["by_team"])
    assert [row["group"] for row in summary["by_group"]] == ["branch", "core"]
    for status in ("pending", "accepted", "declined", "withdrawn", "completed", "no_show"):
        assert sum(row[status] for row in funnel) > 0, status
    assert today["interaction"] > 0


def _in_production(application) -> None:
    application.config.update(APP_ENV="production", DEVELOPMENT=False)


def test_seed_demo_refuses_in_production_and_writes_nothing(fresh_app):
    _in_production(fresh_app)
    with fresh_app.app_context():
        upgrade()
    result = fresh_app.test_cli_runner().invoke(args=["seed-demo", "--encounters", "0"])
    assert result.exit_code != 0
    assert "--i-know-this-is-not-production" in result.output
    assert "bright-river-4100" not in result.output
    with fresh_app.app_context():
        assert [_db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Agency, User)] == [0, 0]


def test_seed_demo_in_production_with_the_flag_gives_random_passwords_printed_once(fresh_app):
    _in_production(fresh_app)
    with fresh_app.app_context():
        upgrade()
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--encounters", "0", "--i-know-this-is-not-production"])
    again = runner.invoke(args=["seed-demo", "--encounters", "0", "--i-know-this-is-not-production"])
    assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
    printed = dict(line.split()[1:3] for line in first.output.splitlines() if line.startswith("  "))
    assert set(printed) == {"officer", "navigator", "supervisor", "admin"}
    published = {"bright-river-4100", "quiet-harbour-5200", "steady-lantern-63", "amber-compass-74"}
    assert not published & set(printed.values()) and not published & set(first.output.split())
    assert not set(printed.values()) & set(again.output.split())  # shown once, never again
    client = fresh_app.test_client()
    for username, password in (("officer", "bright-river-4100"), ("officer", printed["officer"])):
        response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert response.status_code == (200 if password == printed["officer"] else 401)


def test_users_create_reads_password_from_stdin_and_signs_in(fresh_app):
    with fresh_app.app_context():
        upgrade()
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["seed-demo", "--encounters", "0"])
    result = runner.invoke(args=["users", "create", "jdoe", "--role", "navigator", "--agency", "Hope Mission",
                                 "--team", "Downtown HELP", "--display-name", "J. Doe"],
                           input="a-long-unusual-phrase-77\n")
    assert result.exit_code == 0, result.output
    client = fresh_app.test_client()
    response = client.post("/api/v1/auth/login", json={"username": "jdoe", "password": "a-long-unusual-phrase-77"})
    assert response.status_code == 200
    assert response.get_json()["user"]["role"] == "navigator"


@pytest.mark.parametrize("args, message", [
    (["--role", "officer", "--team", "Atlantis"], "Unknown team 'Atlantis'"),
    (["--role", "navigator"], "A navigator belongs to a partner agency"),
    (["--role", "officer", "--agency", "Nobody Inc"], "Unknown agency 'Nobody Inc'"),
])
def test_users_create_explains_what_is_wrong(fresh_app, args, message):
    with fresh_app.app_context():
        upgrade()
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["seed-demo", "--encounters", "0"])
    result = runner.invoke(args=["users", "create", "someone", *args], input="a-long-unusual-phrase-77\n")
    assert result.exit_code != 0
    assert message in result.output
    with fresh_app.app_context():
        assert _db.session.scalar(sa.select(User).where(User.username == "someone")) is None


def test_users_create_refuses_a_weak_password(fresh_app):
    with fresh_app.app_context():
        upgrade()
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "weak", "--role", "supervisor"], input="password\n")
    assert result.exit_code != 0 and "at least 12 characters" in result.output


def test_vapid_keys_command_prints_a_p256_public_key(fresh_app, tmp_path):
    fresh_app.instance_path = str(tmp_path)
    result = fresh_app.test_cli_runner().invoke(args=["push", "vapid-keys"])
    assert result.exit_code == 0, result.output
    public = result.output.strip().splitlines()[-1].split(": ")[1]
    import base64
    raw = base64.urlsafe_b64decode(public + "=" * (-len(public) % 4))
    assert len(raw) == 65 and raw[0] == 4
    assert (tmp_path / "vapid_private.pem").exists()


def test_0004_gives_records_left_at_change_number_0_a_number_above_the_clock(fresh_app):
    """People bulk-loaded with change_seq 0 never reached a phone holding a cursor; after the
    migration they sit above the clock's head, and the clock has moved past them."""
    persons = sa.table("persons", sa.column("id", sa.Uuid(as_uuid=False)), sa.column("display_name"),
                       sa.column("consent_to_share"), sa.column("search_text"),
                       sa.column("received_at", sa.DateTime(timezone=True)), sa.column("change_seq"),
                       sa.column("author_id"))
    ids = [str(uuid.uuid4()) for _ in range(3)]
    with fresh_app.app_context():
        upgrade(revision="0002_people_count_indexes")
        with _db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO change_clock (id, value) VALUES (1, 7)"))
            conn.execute(sa.text("INSERT INTO users (id, username, display_name, role, password_hash, active, "
                                 "created_at) VALUES (1, 'loader', 'Loader', 'officer', 'x', :t, :now)"),
                         {"t": True, "now": datetime.now(UTC)})
            conn.execute(sa.insert(persons), [
                {"id": i, "display_name": "Loaded", "consent_to_share": False, "search_text": "loaded",
                 "received_at": datetime.now(UTC), "change_seq": 0 if n else 5, "author_id": 1}
                for n, i in enumerate(ids)])
        upgrade()
        with _db.engine.connect() as conn:
            seqs = dict(conn.execute(sa.select(persons.c.id, persons.c.change_seq)).all())
            head = conn.execute(sa.text("SELECT value FROM change_clock WHERE id = 1")).scalar()
            version = conn.execute(sa.text("SELECT version FROM persons")).scalars().all()
    assert seqs[ids[0]] == 5
    assert seqs[ids[1]] == seqs[ids[2]] == 8 == head  # one group of up to 200 rows per change number
    assert version == [1, 1, 1]


def test_0006_adds_team_groups_and_forced_password_changes_and_downgrades_cleanly(fresh_app):
    """Existing teams and users come through 0006 active and without a forced change; a downgrade to
    0005 and back leaves the models' schema."""
    with fresh_app.app_context():
        upgrade(revision="0005_merged_persons")
        with _db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO teams (id, name, change_seq) VALUES (1, 'Old Team', 0)"))
            conn.execute(sa.text("INSERT INTO users (id, username, display_name, role, password_hash, active, "
                                 "created_at, team_id) VALUES (1, 'old', 'Old', 'officer', 'x', :t, :now, 1)"),
                         {"t": True, "now": datetime.now(UTC)})
        upgrade()
        with _db.engine.connect() as conn:
            team = conn.execute(sa.text('SELECT "group", active FROM teams')).one()
            user = conn.execute(sa.text("SELECT must_change_password FROM users")).one()
        assert (team[0], bool(team[1]), bool(user[0])) == (None, True, False)
        from flask_migrate import downgrade
        downgrade(revision="0005_merged_persons")
        upgrade()
        with _db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, _db.metadata) == []
