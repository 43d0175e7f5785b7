"""What the entry services announce while they store, for commit-time work to follow (the daily
rollup counts, push alerts). The services send; app/wiring.py connects the listeners, in one place.

Every signal is sent inside the transaction that made the change; listeners only note work in that
transaction (a rollup count, an alert row), which commits or rolls back with it.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the model class (Encounter, Referral, Case); rows=[the rows inserted now, never a duplicate]
records_inserted = _signals.signal("records-inserted")
# sender: the referral id; version=1
referral_created = _signals.signal("referral-created")
# sender: the Referral just moved (flushed); status=its new status
referral_moved = _signals.signal("referral-moved")
# sender: the Encounter just amended or voided (flushed); before={occurred_on, kind, team_id, author_id,
# person_id, call_number} as the counts held it. Sent when one of those changed or the encounter was
# voided (it counts nowhere).
encounter_moved = _signals.signal("encounter-moved")
# sender: the situation id; agency_ids=[the lead and assisting agencies], actor_id=the chair.
# Sent when a table decides the threshold is met (app/tables/situations.py).
situation_released = _signals.signal("situation-released")

# sender: the id of the person kept by a merge; duplicate_id=the person merged into it (records re-pointed)
persons_merged = _signals.signal("persons-merged")
