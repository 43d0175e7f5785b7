"""GET /sync/changes: what changed since a cursor, among the records the caller may see.

The cursor is the change clock's value (see app/entries/clock.py), to be passed back as given: monotonic, in
commit order, so two writes in the same millisecond are never skipped. Pages end on a change
number boundary, so a batch's records are never split across pages.
"""

from __future__ import annotations

from typing import Any

from app.auth.models import User
from app.cases import services as cases
from app.directory import services as directory
from app.directory.models import Agency, Site, Team
from app.directory.schemas import AgencySchema, SiteSchema, TeamSchema
from app.encounters import triage
from app.entries.clock import current_seq
from app.people import services as people
from app.referrals import services as referrals


def encode_cursor(seq: int) -> str:
    return str(seq)


def decode_cursor(cursor: str) -> int:
    """The schema has already checked the form (digits only)."""
    return int(cursor)


def changes(user: User, since: str | None, limit: int) -> dict[str, Any]:
    """Reference data in full on a first sync; then persons, referrals, cases and reference data changed since."""
    # A fresh phone starts below every change number: a record still at 0 (written by a bulk loader
    # that took no number) must reach it too, not only those after the first change.
    start = decode_cursor(since) if since else -1
    head = current_seq()
    upto = _page_end(user, start, head, limit)
    persons = people.changed_since(user, start, upto)
    found_referrals = referrals.changed_since(user, start, upto)
    found_cases = cases.changed_since(user, start, upto)
    full = since is None
    body: dict[str, Any] = {
        "cursor": encode_cursor(upto),
        "has_more": upto < head and _anything_after(user, upto, head),
        # Reference data in full on a first sync, then what an administrator added, edited or deactivated.
        "agencies": AgencySchema(many=True).dump(
            directory.list_agencies() if full else directory.changed_since(Agency, start, upto)),
        "sites": SiteSchema(many=True).dump(
            directory.list_sites() if full else directory.changed_since(Site, start, upto)),
        "teams": TeamSchema(many=True).dump(
            directory.list_teams() if full else directory.changed_since(Team, start, upto)),
        "persons": [people.present(p, user) for p in persons],
        "referrals": [referrals.present(r, user, with_person=False) for r in found_referrals],
        "cases": [cases.present(c) for c in found_cases],
    }
    if full:
        body["triage_rules"] = triage.rules()
    return body


def _page_end(user: User, start: int, head: int, limit: int) -> int:
    """The highest change number such that the page holds about `limit` records (never fewer
    than one whole change number)."""
    seqs = sorted(
        [p.change_seq for p in people.changed_since(user, start, head)[: limit + 1]]
        + [r.change_seq for r in referrals.changed_since(user, start, head)[: limit + 1]]
        + [c.change_seq for c in cases.changed_since(user, start, head)[: limit + 1]]
    )
    if len(seqs) <= limit:
        return head
    return max(seqs[limit - 1], start + 1)


def _anything_after(user: User, upto: int, head: int) -> bool:
    return bool(people.changed_since(user, upto, head) or referrals.changed_since(user, upto, head)
                or cases.changed_since(user, upto, head))
