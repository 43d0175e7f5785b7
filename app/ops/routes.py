"""GET /healthz (no sign-in) and the interactive API docs at /api/v1/docs."""

from __future__ import annotations

import sqlalchemy as sa
import swagger_ui_bundle
from flask import Blueprint, jsonify, render_template, send_from_directory
from marshmallow import Schema, fields

from app.extensions import db
from app.queue import queue_health
from app.rest import ApiBlueprint

blp = ApiBlueprint("ops", __name__, description="Operations")
pages = Blueprint("ops_pages", __name__)


class HealthSchema(Schema):
    db = fields.String(required=True)
    queue = fields.String(required=True, metadata={"description": "ok, inline (no REDIS_URL) or down"})


def _health():
    try:
        db.session.execute(sa.text("SELECT 1"))
        db_state = "ok"
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        db_state = "down"
    body = {"db": db_state, "queue": queue_health()}
    return body, 200 if db_state == "ok" else 503


@blp.route("/healthz")
@blp.response(200, HealthSchema)
def healthz():
    """Database and queue state, for load balancers and monitors."""
    return _health()


@pages.route("/healthz")
def healthz_root():
    body, status = _health()
    return jsonify(body), status


@pages.route("/api/v1/docs")
def docs():
    return render_template("api_docs.html")


@pages.route("/api/v1/docs/assets/<path:filename>")
def docs_assets(filename: str):
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
