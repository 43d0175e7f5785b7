"""One commit per request: commit when the view finished, roll back when it raised."""

from __future__ import annotations

from flask import Flask, Response

from app.audit.services import replay_after_rollback
from app.extensions import db
from app.jobs import run_after_commit


def rollback_for_error() -> None:
    """Discard what the failed request did, keeping only the audit events of the failure itself."""
    db.session.rollback()
    replay_after_rollback()


def install(app: Flask) -> None:
    @app.after_request
    def _commit(response: Response) -> Response:
        # Commit before the response leaves: a phone is only told "created" about committed rows.
        db.session.commit()
        # Then hand what the commit decided (alerts) to the queue; never before (see app/jobs.py).
        run_after_commit()
        return response
