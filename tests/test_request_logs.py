"""Request logs name the path, never the query string: `GET /api/v1/persons?q=<name>` is a person
search, so a name in the query would sit in every access log. Checked on the development server's log
and on a real gunicorn started with the configuration the project ships."""

from __future__ import annotations

import logging
import socket
import threading
import uuid

import pytest
import requests
from werkzeug.serving import make_server

from testkit import factories
from testkit.live_server import ROOT, LiveServer

GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


@pytest.fixture
def account(committed_db):
    username = factories.make_user("officer", team=factories.make_team()).username
    committed_db.session.commit()
    return username


def search_for(base_url: str, username: str, marker: str) -> requests.Response:
    """A signed-in person search for `marker`, as the phone's search box sends it."""
    http = requests.Session()
    login = http.post(f"{base_url}/api/v1/auth/login", json={"username": username, "password": factories.PASSWORD},
                      timeout=30)
    assert login.status_code == 200, login.text
    return http.get(f"{base_url}/api/v1/persons", params={"q": marker}, timeout=30)


def test_the_development_servers_request_log_has_the_path_without_the_query(app, account, caplog, monkeypatch):
    werkzeug_log = logging.getLogger("werkzeug")
    monkeypatch.setattr(werkzeug_log, "disabled", False)  # whatever earlier tests' logging set-up did
    monkeypatch.setattr(werkzeug_log, "propagate", True)
    caplog.set_level(logging.INFO)
    marker = f"canaryname{uuid.uuid4().hex[:8]}"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert search_for(f"http://127.0.0.1:{server.server_port}", account, marker).status_code == 200
    finally:
        server.shutdown()
        thread.join(timeout=10)
    lines = [r.getMessage() for r in caplog.records]
    assert any('"GET /api/v1/persons HTTP/1.1" 200' in line for line in lines), lines
    assert [line for line in lines if marker in line] == []


@pytest.mark.slow
def test_gunicorn_with_the_shipped_config_logs_no_query_string(committed_db, account, database_url, tmp_path):
    marker = f"canaryname{uuid.uuid4().hex[:8]}"
    server = LiveServer(database_url, tmp_path, config_file=GUNICORN_CONFIG).start()
    try:
        assert search_for(server.url, account, marker).status_code == 200
        # A malformed request line: gunicorn's error log quotes it.
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            raw.sendall(f"GET /api/v1/persons?q={marker}\r\n\r\n".encode())
            raw.recv(1024)
    finally:
        server.stop()
    log = (tmp_path / f"gunicorn-{server.port}.log").read_text()
    assert '"GET /api/v1/persons HTTP/1.1" 200' in log  # the access log is on, and names the path
    assert "Invalid HTTP request line" in log
    assert marker not in log
