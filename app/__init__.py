"""HELP Field: the application factory. No I/O happens at import time."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config as settings
from app import extensions, request_log, wiring
from app.extensions import api, migrate
from app.json_provider import JsonProvider

API_SPEC = {
    "API_TITLE": "HELP Field API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {"description": "Offline-first field app for HELP teams. See docs/api.md."},
        "components": {"securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "help_session"},
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
        }},
    },
}




def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment, overridden by `config` (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    app.json = JsonProvider(app)  # orjson for request bodies (app/json_provider.py)
    app.config.update(settings.from_environment(Path(app.instance_path)))
    app.config.update(API_SPEC)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    if config:
        app.config.update(config)

    if app.config["TRUST_PROXY_HOPS"]:
        hops = app.config["TRUST_PROXY_HOPS"]
        # Flask's documented way to wrap the WSGI app; its types declare wsgi_app a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from app import models  # noqa: F401  (registers every table on the metadata)

    _register_entry_types()
    wiring.init_app(app)
    # `extensions.db`, not a global `db`: the package app.db (bulk inserts) shares the name.
    extensions.db.init_app(app)
    migrate.init_app(app, extensions.db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    api.init_app(app)
    _document_entry_types()
    _register_blueprints(app)
    _register_request_hooks(app)
    _register_cli(app)
    logging.basicConfig(level=logging.INFO)
    request_log.install()
    return app


def _register_entry_types() -> None:
    """The pipeline learns the entry types from the domains here; it never imports them."""
    from app.cases.entry_types import ENTRY_TYPES as CASES
    from app.encounters.entry_types import ENTRY_TYPES as ENCOUNTERS
    from app.entries import registry
    from app.people.entry_types import ENTRY_TYPES as PEOPLE
    from app.people.entry_types import FOLLOWERS as PEOPLE_FOLLOWERS
    from app.referrals.entry_types import ENTRY_TYPES as REFERRALS
    from app.tables.entry_types import ENTRY_TYPES as TABLES

    registry.register(*PEOPLE, *ENCOUNTERS, *REFERRALS, *CASES, *TABLES)
    registry.follow_references_with(*PEOPLE_FOLLOWERS)


def _document_entry_types() -> None:
    """The registered entry types into the OpenAPI document, before the blueprints refer to them."""
    from app.entries.openapi import document_entry_types

    document_entry_types(api.spec)


def _register_blueprints(app: Flask) -> None:
    from app.audit.routes import blp as audit_blp
    from app.auth.account_routes import blp as users_blp
    from app.auth.routes import blp as auth_blp
    from app.cases.routes import blp as cases_blp
    from app.directory.routes import blp as directory_blp
    from app.encounters.routes import blp as encounters_blp
    from app.encounters.routes import triage_blp
    from app.ops.routes import blp as ops_blp
    from app.ops.routes import pages as ops_pages
    from app.people.routes import blp as persons_blp
    from app.push.routes import blp as push_blp
    from app.pwa.routes import pages as pwa_pages
    from app.referrals.routes import blp as referrals_blp
    from app.stats.export_routes import blp as exports_blp
    from app.stats.routes import blp as stats_blp
    from app.sync.routes import blp as sync_blp
    from app.tables.routes import situations_blp, tables_blp

    for blp in (auth_blp, directory_blp, ops_blp, sync_blp, encounters_blp, persons_blp, referrals_blp,
                push_blp, stats_blp, audit_blp, cases_blp, triage_blp, exports_blp, users_blp, tables_blp,
                situations_blp):
        api.register_blueprint(blp, url_prefix="/api/v1" + (blp.url_prefix or ""))
    app.register_blueprint(ops_pages)
    app.register_blueprint(pwa_pages)


def _register_request_hooks(app: Flask) -> None:
    from app import errors, security, transaction
    from app.auth.guard import load_signed_in_user

    app.before_request(load_signed_in_user)
    transaction.install(app)
    security.harden(app)
    errors.register_error_handlers(app)


def _register_cli(app: Flask) -> None:
    from app.cli import register

    register(app)
