"""Re-alerts for overdue referrals: a pending referral past its deadline (app/referrals/deadlines.py)
alerts its agency's navigators again (step 1), and one more response period later, still unanswered,
the referring team's supervisors (step 2).

The sweep runs in the rq worker's periodic round (workers/__init__.py, every 30 s) and in
`flask push flush`. It works from the database alone, so a worker restarted (or Redis emptied) picks
up where the last one stopped; each step is taken by a compare-and-set on `referrals.escalation_step`
in the same transaction that writes its alert row, so a step is alerted once however many workers
sweep and however often. Delivery then goes the way of every alert: the outbox row, an rq job, one
claim per subscription (app/push/alerts.py, app/push/jobs.py).
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from app import jobs
from app.extensions import db
from app.push.alerts import announce
from app.records import utcnow
from app.referrals import deadlines
from app.referrals.models import Referral

log = logging.getLogger(__name__)

STEP_KINDS = {1: "referral.overdue", 2: "referral.escalated"}
_BATCH = 200


def sweep(now: datetime | None = None) -> int:
    """Take every escalation step now due, announce each taken step, commit (then hand the alerts to the
    queue); returns how many steps this call took."""
    now = now or utcnow()
    taken = 0
    for step in deadlines.ESCALATION_STEPS:
        due = db.session.execute(sa.select(Referral.id, Referral.version)
                                 .where(deadlines.escalation_due_clause(step, now))
                                 .order_by(Referral.made_at, Referral.id).limit(_BATCH)).all()
        for referral_id, version in due:
            if deadlines.take_escalation_step(str(referral_id), step):
                announce(STEP_KINDS[step], str(referral_id), version)
                taken += 1
        jobs.commit()  # the steps and their alert rows together; the hand-over after
    if taken:
        log.info("overdue referrals: %s escalation step(s) alerted", taken)
    return taken
