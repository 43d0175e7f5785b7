"""Work noted inside a savepoint belongs to it: when the savepoint rolls back, so does the work.

Commit-time work (alerts to hand over, rollup counts to write) is noted against the innermost
transaction open when it was decided; a rolled-back savepoint forgets what was noted under it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, SessionTransaction


def current_transaction(session: Session) -> SessionTransaction | None:
    """The innermost open transaction: the savepoint if one is open, else the session's own."""
    return session.get_nested_transaction() or session.get_transaction()


def within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    """True when `transaction` is `ancestor` or was opened inside it."""
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False
