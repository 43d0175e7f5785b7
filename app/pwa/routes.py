"""Serves the phone app: the shell at /, the service worker at /sw.js (so it controls the whole origin),
the manifest, and the app's files under /static/pwa/.

When /sw.js is served, the list of shell files and a digest of their content are written into it, so
any change to the shell installs a new service worker with a new cache (and the old cache is purged).
Text files go out gzip-compressed when the browser accepts it: the first load on a slow phone
network is what decides whether the app is there when the signal is gone.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import re
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request
from werkzeug.security import safe_join

pages = Blueprint("pwa", __name__)

SHELL_DIR = Path(__file__).resolve().parent.parent / "static" / "pwa"
STATIC_URL = "/static/pwa/"
# Shell files by suffix; everything the app needs to start and run with no network.
SHELL_SUFFIXES = {".js", ".css", ".png", ".svg", ".webmanifest", ".html"}
COMPRESSIBLE = {".js", ".css", ".html", ".webmanifest", ".svg", ".json"}
# The one line of sw.js the server rewrites: `const SHELL = /*SHELL*/ {...} /*SHELL*/;`
SHELL_MARKER = re.compile(r"/\*SHELL\*/.*?/\*SHELL\*/", re.DOTALL)


def shell_files() -> list[Path]:
    """The files the service worker caches at install, sw.js itself excluded."""
    return sorted(p for p in SHELL_DIR.rglob("*")
                  if p.is_file() and p.suffix in SHELL_SUFFIXES and p.name != "sw.js")


def shell_urls(files: list[Path]) -> list[str]:
    """URLs of the shell: / for index.html, the manifest at the root, the rest under /static/pwa/."""
    urls = ["/", "/manifest.webmanifest"]
    for path in files:
        relative = path.relative_to(SHELL_DIR).as_posix()
        if relative not in ("index.html", "manifest.webmanifest"):
            urls.append(STATIC_URL + relative)
    return urls


def shell_digest(files: list[Path], worker_source: bytes) -> str:
    """A content digest of the whole shell: changes whenever any shell file or sw.js changes."""
    digest = hashlib.sha256(worker_source)
    for path in files:
        digest.update(path.relative_to(SHELL_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=256)
def _compressed(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=9, mtime=0)


def _send(body: bytes, suffix: str, mimetype: str, *, etag: str, extra: dict[str, str] | None = None) -> Response:
    """A shell response: revalidated on every load (no-cache), gzip when accepted, 304 when unchanged."""
    response = current_app.response_class(mimetype=mimetype)
    encoded = suffix in COMPRESSIBLE and "gzip" in request.accept_encodings
    response.set_data(_compressed(body) if encoded else body)
    if encoded:
        response.headers["Content-Encoding"] = "gzip"
    if suffix in COMPRESSIBLE:
        response.vary.add("Accept-Encoding")
    response.set_etag(etag + ("-gz" if encoded else ""))
    response.headers["Cache-Control"] = "no-cache"
    response.headers.update(extra or {})
    response.make_conditional(request)  # sets 304 and drops the body in place when unchanged
    return response


def _send_file(path: Path, mimetype: str | None = None) -> Response:
    if not path.is_file():
        abort(404)
    body = path.read_bytes()
    mimetype = mimetype or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return _send(body, path.suffix, mimetype, etag=hashlib.sha256(body).hexdigest()[:20])


@pages.route("/")
def index():
    """The app shell."""
    return _send_file(SHELL_DIR / "index.html", "text/html")


@pages.route("/manifest.webmanifest")
def manifest():
    return _send_file(SHELL_DIR / "manifest.webmanifest", "application/manifest+json")


@pages.route("/static/pwa/<path:filename>")
def shell_file(filename: str):
    """The app's own files (more specific than Flask's /static/ route, which serves everything else)."""
    joined = safe_join(str(SHELL_DIR), filename)
    if joined is None:
        abort(404)
    return _send_file(Path(joined))


@pages.route("/sw.js")
def service_worker():
    """The service worker at the root scope, with the shell's file list and version written in."""
    source = (SHELL_DIR / "sw.js").read_bytes()
    files = shell_files()
    version = shell_digest(files, source)
    shell = {"version": version, "files": shell_urls(files)}
    text = SHELL_MARKER.sub(lambda _m: json.dumps(shell), source.decode("utf-8"), count=1)
    return _send(text.encode("utf-8"), ".js", "text/javascript", etag=version,
                 extra={"Service-Worker-Allowed": "/"})
