"""The sender POSTs only to endpoints the allowlist accepts at the moment of sending: it follows no
redirect, and a subscription whose endpoint is no longer acceptable gets nothing."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.push import services
from app.push.models import PushDelivery, PushSubscription
from testkit.push_receiver import PushReceiver
from testkit.push_records import new_referral, subscribe


class Redirector:
    """An allow-listed host that answers every POST with a redirect to `location`."""

    def __init__(self, location: str, status: int = 307):
        self.posts: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server names the handlers
                self.rfile.read(int(self.headers.get("content-length") or 0))
                outer.posts.append(self.path)
                self.send_response(status)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def endpoint(self, device_id: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/push/{device_id}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def elsewhere():
    """A second push receiver on 127.0.0.2: a host the allowlist (127.0.0.1) does not name."""
    receiver = PushReceiver(host="127.0.0.2").start()
    yield receiver
    receiver.stop()


def subscriptions() -> list[PushSubscription]:
    return list(_db.session.scalars(sa.select(PushSubscription).execution_options(populate_existing=True)))


@pytest.mark.parametrize("status", [307, 308, 301, 302])
def test_a_redirect_from_an_allowlisted_endpoint_is_not_followed_and_ends_the_subscription(
        push_world, rq_worker, elsewhere, status):
    target = elsewhere.new_device()  # where the redirect points: not on the allowlist
    redirector = Redirector(target.endpoint, status)
    try:
        subscription = target.subscription() | {"endpoint": redirector.endpoint(target.id)}
        services.subscribe(push_world.navigator, subscription["endpoint"], subscription["keys"]["p256dh"],
                           subscription["keys"]["auth"])
        kept = subscribe(push_world.colleague, push_world.receiver)
        new_referral(push_world)
        rq_worker.drain()
    finally:
        redirector.stop()
    assert len(redirector.posts) == 1
    assert elsewhere.requests() == []  # the alert never left for the host the redirect named
    assert [s.endpoint for s in subscriptions()] == [kept.endpoint]
    assert len(push_world.receiver.delivered(kept)) == 1
    [job] = rq_worker.failed_jobs()
    assert f"push service answered {status}" in job.latest_result().exc_string
    assert "redirect not followed" in job.latest_result().exc_string


def test_an_endpoint_the_allowlist_no_longer_accepts_gets_nothing_and_is_deleted(
        app, push_world, rq_worker, monkeypatch):
    dropped = subscribe(push_world.navigator, push_world.receiver)
    monkeypatch.setitem(app.config, "PUSH_ENDPOINT_ALLOWLIST", ["fcm.googleapis.com"])  # the operator narrowed it
    new_referral(push_world)
    rq_worker.drain()
    assert push_world.receiver.requests(dropped) == []
    assert subscriptions() == []
    [job] = rq_worker.failed_jobs()
    assert "endpoint no longer accepted" in job.latest_result().exc_string


@pytest.mark.parametrize("stored", [
    "{origin}/push/{id}\r\nX-Injected: 1",  # a row written before endpoints were checked for CR/LF
    "{origin}/push/{id}",  # http and port 9xxx, once PUSH_ALLOW_HTTP is off
])
def test_a_stored_endpoint_is_checked_again_before_each_send(app, push_world, rq_worker, monkeypatch, stored):
    device = push_world.receiver.new_device()
    keys = device.subscription()["keys"]
    _db.session.add(PushSubscription(user_id=push_world.navigator.id, p256dh=keys["p256dh"], auth=keys["auth"],
                                     endpoint=stored.format(origin=push_world.receiver.origin, id=device.id)))
    _db.session.commit()
    if "\r" not in stored:
        monkeypatch.setitem(app.config, "PUSH_ALLOW_HTTP", False)
    new_referral(push_world)
    rq_worker.drain()
    assert push_world.receiver.requests() == []
    assert subscriptions() == []
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(PushDelivery)) == 0
