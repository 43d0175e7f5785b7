"""The change clock: a counter whose row lock orders changes by commit, for the changes feed.

A sequence would hand out numbers in start order, so a reader could see 11 committed while 10 is
still in flight and skip 10 forever. Taking the next value with an UPDATE holds the row lock until
commit: the next writer gets 11 only after 10 is visible. One number per transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.entries.models import ChangeClock
from app.extensions import db

_KEY = "help_change_seq"


def current_seq() -> int:
    return db.session.scalar(sa.select(ChangeClock.value).where(ChangeClock.id == 1)) or 0


def tick() -> int:
    """The change sequence number of the current transaction (taken once, on first use)."""
    session = db.session()
    if _KEY in session.info:
        return session.info[_KEY]
    value = session.execute(
        sa.update(ChangeClock).where(ChangeClock.id == 1).values(value=ChangeClock.value + 1)
        .returning(ChangeClock.value)
    ).scalar()
    if value is None:
        session.add(ChangeClock(id=1, value=1))
        session.flush()
        value = 1
    session.info[_KEY] = value
    return value


def take(count: int) -> int:
    """Reserve `count` consecutive change numbers for rows written in bulk (the demo history), so the
    changes feed can page through them; returns the first. Committed order holds as for tick()."""
    value = db.session.execute(
        sa.update(ChangeClock).where(ChangeClock.id == 1).values(value=ChangeClock.value + count)
        .returning(ChangeClock.value)
    ).scalar()
    if value is None:
        db.session.add(ChangeClock(id=1, value=count))
        db.session.flush()
        value = count
    return value - count + 1


def forget() -> None:
    """After a savepoint rolled back: the number taken inside it may have been rolled back too."""
    db.session().info.pop(_KEY, None)


def forget_on_end(session: Session) -> None:
    """Session after_commit and after_rollback (attached by app/wiring.py): the next transaction ticks anew."""
    session.info.pop(_KEY, None)
