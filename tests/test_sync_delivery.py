"""Nothing is lost, nothing is doubled: real server processes, killed, raced and replayed."""

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.encounters.models import Encounter
from testkit import entries as e
from testkit import factories
from testkit.live_server import LiveServer, Phone, wait_for

pytestmark = pytest.mark.slow
STALL_CONFIG = Path(__file__).resolve().parent.parent / "testkit" / "gunicorn_stall_mid_batch.py"


@pytest.fixture
def officer_account(committed_db):
    username = factories.make_user("officer", team=factories.make_team()).username
    committed_db.session.commit()
    return username


def _stored(db, ids) -> list[str]:
    """What the database holds now; the read ends its transaction so it locks nothing afterwards."""
    db.session.rollback()
    found = [str(i) for i in db.session.scalars(sa.select(Encounter.id).where(Encounter.id.in_(ids)))]
    db.session.rollback()
    return found


def test_server_killed_mid_batch_keeps_nothing_and_the_retry_stores_everything_once(
        committed_db, officer_account, database_url, tmp_path):
    body = e.batch(*[e.encounter() for _ in range(300)])
    ids = [x["id"] for x in body["entries"]]
    marker = tmp_path / "stalled"
    server = LiveServer(database_url, tmp_path, config_file=STALL_CONFIG,
                        extra_env={"STALL_MARKER": str(marker)}).start()
    phone = Phone(server, officer_account, factories.PASSWORD).sign_in()
    outcome = {}
    sender = threading.Thread(target=lambda: outcome.update(error=_try(phone.sync, body)))
    sender.start()
    try:
        wait_for(marker)
        server.kill()
    finally:
        sender.join(timeout=30)
        server.kill()
    assert "error" in outcome and outcome["error"] is not None, "the phone never got an answer"
    assert _stored(committed_db, ids) == []

    server = LiveServer(database_url, tmp_path).start()
    try:
        phone.server = server
        first = phone.sync(body).json()["results"]
        again = phone.sync(body).json()["results"]
    finally:
        server.stop()
    assert {r["status"] for r in first} == {"created"}
    assert {r["status"] for r in again} == {"duplicate"}
    assert sorted(_stored(committed_db, ids)) == sorted(ids)


def test_response_lost_after_commit_then_retry_answers_duplicate(committed_db, officer_account, database_url,
                                                                   tmp_path):
    body = e.batch(*[e.encounter() for _ in range(20)])
    ids = [x["id"] for x in body["entries"]]
    server = LiveServer(database_url, tmp_path).start()
    try:
        phone = Phone(server, officer_account, factories.PASSWORD).sign_in()
        phone.sync(body)  # committed; the phone never reads the answer (signal lost)
        retry = phone.sync(body).json()["results"]
    finally:
        server.stop()
    assert [r["status"] for r in retry] == ["duplicate"] * 20
    assert sorted(_stored(committed_db, ids)) == sorted(ids)


def test_the_same_batch_delivered_concurrently_by_two_processes_is_stored_once(
        committed_db, officer_account, database_url, tmp_path):
    body = e.batch(*[e.encounter() for _ in range(200)])
    ids = [x["id"] for x in body["entries"]]
    server = LiveServer(database_url, tmp_path, workers=2).start()
    try:
        phones = [Phone(server, officer_account, factories.PASSWORD).sign_in() for _ in range(2)]
        barrier = threading.Barrier(2)
        answers: list[list[str]] = []

        def deliver(phone):
            barrier.wait()
            answers.append([r["status"] for r in phone.sync(body).json()["results"]])

        threads = [threading.Thread(target=deliver, args=(p,)) for p in phones]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        server.stop()
    assert len(answers) == 2
    for index in range(len(ids)):
        assert sorted(a[index] for a in answers) == ["created", "duplicate"]
    assert sorted(_stored(committed_db, ids)) == sorted(ids)


def _try(send, body):
    try:
        send(body)
        return None
    except Exception as exc:  # noqa: BLE001  (the connection dying is what we expect)
        return exc
