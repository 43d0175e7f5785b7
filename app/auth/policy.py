"""What each role may do, and whose identity it sees: the one place role permissions live.

Which rows a user may see is answered by each domain's `visible_clause` (people, encounters,
referrals, cases: one SQL condition each, the one source for row visibility); records a caller may
not see are reported as not found (404).
"""

from __future__ import annotations

from app.auth.models import User

OVERSIGHT_ROLES = ("supervisor", "admin")


def is_oversight(user: User) -> bool:
    return user.role in OVERSIGHT_ROLES


def can_log_entries(user: User) -> bool:
    """Officers, navigators and supervisors log field work; admins manage the system only."""
    return user.role in ("officer", "navigator", "supervisor")


def can_read_stats(user: User) -> bool:
    return is_oversight(user)


def can_manage_accounts(user: User) -> bool:
    """Users, teams, agencies and sites are changed by administrators only."""
    return user.role == "admin"


def can_read_accounts(user: User) -> bool:
    """Supervisors read the user list (who is on which team); only administrators change it."""
    return is_oversight(user)


def can_read_audit(user: User) -> bool:
    return user.role == "admin"


def same_team(user: User, team_id: int | None) -> bool:
    return user.team_id is not None and user.team_id == team_id


def receives_referral(user: User, agency_id: int) -> bool:
    """Acting on a referral (accept, decline, complete, no-show) is the receiving agency's job."""
    return user.role == "navigator" and user.agency_id == agency_id


def sees_identity_without_consent(user: User, *, team_id: int | None, author_id: int | None) -> bool:
    """Police-side staff of the recording team see who a person is; an agency needs consent."""
    if is_oversight(user):
        return True
    if user.role == "officer":
        return True
    return same_team(user, team_id) or author_id == user.id
