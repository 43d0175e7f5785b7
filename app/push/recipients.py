"""Who is alerted: a new referral goes to the receiving agency's navigators, a status change to the
referrer. Nobody is alerted about a change they made themselves. An overdue referral goes to the
agency's navigators again (referral.overdue), then to the referring team's supervisors
(referral.escalated)."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.push.models import PendingAlert, PushSubscription
from app.referrals.models import Referral, ReferralEvent
from app.tables.models import Situation, SituationAssist


def subscription_ids(alerts: list[PendingAlert]) -> dict[int, list[int]]:
    """The subscriptions each alert goes to, read now (not when the alert was decided), in a handful of
    queries however many alerts a commit decided."""
    situation_alerts = [a for a in alerts if a.kind == "situation.released"]
    alerts = [a for a in alerts if a.kind != "situation.released"]
    situation_plan = _situation_recipients(situation_alerts) if situation_alerts else {}
    referral_ids = {str(alert.referral_id) for alert in alerts}
    referrals = {str(r.id): r for r in db.session.execute(
        sa.select(Referral.id, Referral.agency_id, Referral.author_id, Referral.team_id)
        .where(Referral.id.in_(referral_ids)))}
    changes = [(str(a.referral_id), a.referral_version) for a in alerts if a.kind == "referral.updated"]
    actors = dict(((str(r), v), actor) for r, v, actor in db.session.execute(
        sa.select(ReferralEvent.referral_id, ReferralEvent.version, ReferralEvent.actor_id)
        .where(ReferralEvent.referral_id.in_({r for r, _v in changes})))) if changes else {}
    agencies = {r.agency_id for r in referrals.values()}
    navigators: dict[int | None, set[int]] = defaultdict(set)
    for user_id, agency_id in db.session.execute(sa.select(User.id, User.agency_id).where(
            User.role == "navigator", User.agency_id.in_(agencies), User.active.is_(True))):
        navigators[agency_id].add(user_id)
    supervisors = _supervisors_of({r.team_id for r in referrals.values()
                                   if r.team_id is not None and any(a.kind == "referral.escalated" for a in alerts)})
    recipients: dict[int, set[int]] = {}
    for alert in alerts:
        referral = referrals.get(str(alert.referral_id))
        if referral is None:
            recipients[alert.id] = set()
        elif alert.kind == "referral.created":
            recipients[alert.id] = navigators[referral.agency_id] - {referral.author_id}
        elif alert.kind == "referral.overdue":
            recipients[alert.id] = set(navigators[referral.agency_id])
        elif alert.kind == "referral.escalated":
            recipients[alert.id] = set(supervisors[referral.team_id])
        else:
            recipients[alert.id] = {referral.author_id} - {actors.get((str(alert.referral_id), alert.referral_version))}
    return _subscriptions_of({**recipients, **situation_plan})


def _situation_recipients(alerts: list[PendingAlert]) -> dict[int, set[int]]:
    """A situation that met the threshold: the navigators of its lead and assisting agencies (not the chair
    who decided)."""
    ids = {str(alert.situation_id) for alert in alerts}
    situations = {str(s.id): s for s in db.session.execute(
        sa.select(Situation.id, Situation.lead_agency_id, Situation.decided_by_id).where(Situation.id.in_(ids)))}
    agencies: dict[str, set[int]] = defaultdict(set)
    for situation in situations.values():
        if situation.lead_agency_id is not None:
            agencies[str(situation.id)].add(situation.lead_agency_id)
    for assisted, assisting in db.session.execute(
            sa.select(SituationAssist.situation_id, SituationAssist.agency_id)
            .where(SituationAssist.situation_id.in_(ids))):
        agencies[str(assisted)].add(assisting)
    wanted = set().union(*agencies.values()) if agencies else set()
    navigators: dict[int | None, set[int]] = defaultdict(set)
    for user_id, agency_id in db.session.execute(sa.select(User.id, User.agency_id).where(
            User.role == "navigator", User.agency_id.in_(wanted), User.active.is_(True))):
        navigators[agency_id].add(user_id)
    found: dict[int, set[int]] = {}
    for alert in alerts:
        decided = situations.get(str(alert.situation_id))
        if decided is None:
            found[alert.id] = set()
            continue
        users = set().union(*(navigators[a] for a in agencies[str(alert.situation_id)]))
        found[alert.id] = users - {decided.decided_by_id}
    return found


def _supervisors_of(team_ids: set[int]) -> dict[int | None, set[int]]:
    found: dict[int | None, set[int]] = defaultdict(set)
    if team_ids:
        for user_id, team_id in db.session.execute(sa.select(User.id, User.team_id).where(
                User.role == "supervisor", User.team_id.in_(team_ids), User.active.is_(True))):
            found[team_id].add(user_id)
    return found


def _subscriptions_of(recipients: dict[int, set[int]]) -> dict[int, list[int]]:
    users = set().union(*recipients.values()) if recipients else set()
    by_user: dict[int, list[int]] = defaultdict(list)
    if users:
        for subscription_id, user_id in db.session.execute(
                sa.select(PushSubscription.id, PushSubscription.user_id)
                .join(User, User.id == PushSubscription.user_id)
                .where(PushSubscription.user_id.in_(users), User.active.is_(True)).order_by(PushSubscription.id)):
            by_user[user_id].append(subscription_id)
    return {alert_id: sorted(s for user in people for s in by_user[user]) for alert_id, people in recipients.items()}
