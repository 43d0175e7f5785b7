"""Who may read or change what, by role, team and agency: the one place permissions live.

Views ask these questions; records a caller may not see are reported as not found (404).
"""

from __future__ import annotations

from app.auth.models import User

FIELD_ROLES = ("officer", "navigator")
OVERSIGHT_ROLES = ("supervisor", "admin")


def is_oversight(user: User) -> bool:
    return user.role in OVERSIGHT_ROLES


def can_log_entries(user: User) -> bool:
    """Officers, navigators and supervisors log field work; admins manage the system only."""
    return user.role in ("officer", "navigator", "supervisor")


def can_read_stats(user: User) -> bool:
    return is_oversight(user)


def can_read_audit(user: User) -> bool:
    return user.role == "admin"


def can_manage_users(user: User) -> bool:
    return user.role == "admin"


def same_team(user: User, team_id: int | None) -> bool:
    return user.team_id is not None and user.team_id == team_id


def can_see_team_record(user: User, team_id: int | None, author_id: int | None) -> bool:
    """Encounters and persons: oversight sees all; field staff see their team's and their own."""
    if is_oversight(user):
        return True
    return same_team(user, team_id) or author_id == user.id


def can_see_referral(user: User, *, team_id: int | None, author_id: int, agency_id: int) -> bool:
    """The receiving agency's navigators, the referring team, and oversight."""
    if is_oversight(user):
        return True
    if user.role == "navigator" and user.agency_id == agency_id:
        return True
    return same_team(user, team_id) or author_id == user.id


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
