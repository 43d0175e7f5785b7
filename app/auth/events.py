"""What the account services announce, for other domains to follow (app/wiring.py connects them).

`signed_out_everywhere` (sender: the user id) is sent when every session of a user was ended (deactivation,
an administrator's password reset, a lost phone): the push domain drops that user's subscriptions, so a
phone nobody is signed in on gets no alerts. Each receiver returns how many things it ended.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

signed_out_everywhere = _signals.signal("signed-out-everywhere")
