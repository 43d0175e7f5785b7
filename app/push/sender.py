"""One Web Push message to one subscription (RFC 8291 encryption, RFC 8292 VAPID), via pywebpush.

The push service's answer is sorted into what the caller must do: forget the subscription (404/410),
try again later (429, 5xx, no answer), or give up (anything else). The endpoint is checked against the
allowlist again before every send, and a redirect is never followed (a push service answers 201;
following a 3xx would POST the alert to a URL the allowlist never saw): both end the subscription.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from flask import current_app
from pywebpush import WebPushException, webpush

from app.push import endpoints, vapid
from app.records import utcnow

# How the service's urgency maps to the Web Push Urgency header (RFC 8030 §5.3): phones on battery
# saver still wake for "high"; routine work can wait for the next natural wake-up.
URGENCY_HEADER = {"emergent": "high", "urgent": "high", "routine": "normal"}
# A shift: an alert the phone could not get within twelve hours is stale; the inbox still has the referral.
TTL_SECONDS = 12 * 3600
# (connect, read) seconds: a job must not hang on a push service that does not answer.
TIMEOUT = (3.05, 10)
GONE = (404, 410)

_local = threading.local()


@dataclass(frozen=True)
class PushMessage:
    """What goes to the phone: the payload (already free of personal details), its urgency and topic."""

    payload: dict[str, str | int]
    urgency: str
    topic: str


class SubscriptionGone(Exception):
    """The push service no longer knows this subscription (404/410): delete it."""


class PushRetryLater(Exception):
    """429, 5xx or no answer: the same message may succeed later."""

    def __init__(self, reason: str, status: int | None = None, retry_after: int | None = None):
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


class SubscriptionUnusable(Exception):
    """The server will not send to this endpoint (the allowlist no longer accepts it, or it redirected):
    delete the subscription, and tell operators why."""


class PushRefused(Exception):
    """Any other refusal (bad request, payload too large, VAPID key rejected): retrying will not help."""

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.status = status


def subscription_info(endpoint: str, p256dh: str, auth: str) -> dict[str, Any]:
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}


def send(info: dict[str, Any], message: PushMessage) -> int:
    """Encrypt and POST the message; returns the push service's status (201 as a rule)."""
    try:
        endpoint = endpoints.check(info["endpoint"], current_app.config["PUSH_ENDPOINT_ALLOWLIST"],
                                   allow_http=current_app.config["PUSH_ALLOW_HTTP"])
    except endpoints.EndpointRefused as exc:
        raise SubscriptionUnusable(f"endpoint no longer accepted: {str(exc).rstrip('.')}") from None
    info = {**info, "endpoint": endpoint}
    body = json.dumps(message.payload, separators=(",", ":"), ensure_ascii=False)
    headers = {"Urgency": URGENCY_HEADER.get(message.urgency, "normal"), "Topic": message.topic}
    try:
        response = webpush(
            info, data=body, vapid_private_key=vapid.signer(),
            # pywebpush writes aud and exp into the dict it is given: a fresh one every call.
            vapid_claims={"sub": current_app.config["VAPID_SUBJECT"]},
            ttl=TTL_SECONDS, headers=headers, timeout=TIMEOUT, requests_session=_http(),
        )
    except WebPushException as exc:
        raise _classified(exc) from None
    except requests.RequestException as exc:
        raise PushRetryLater(f"no answer from the push service: {type(exc).__name__}") from None
    return response.status_code


def _classified(exc: WebPushException) -> Exception:
    status = exc.status_code
    reason = f"push service answered {status} {_reason(exc)}".strip() if status else "push service refused"
    if status in GONE:
        return SubscriptionGone(reason)
    if status is not None and 300 <= status < 400:
        return SubscriptionUnusable(f"{reason}; redirect not followed")
    if status == 429 or (status is not None and status >= 500):
        return PushRetryLater(reason, status, _retry_after_seconds(exc.retry_after))
    return PushRefused(reason, status)


def _reason(exc: WebPushException) -> str:
    return (getattr(exc.response, "reason", "") or "")[:80]


def _retry_after_seconds(value: str | None) -> int | None:
    """Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        return max(0, int((parsedate_to_datetime(value) - utcnow()).total_seconds()))
    except (TypeError, ValueError):
        return None


class _NoRedirects(requests.Session):
    """pywebpush POSTs with `session.post(endpoint, ...)`, and requests follows redirects by default
    (307/308 even repeat the body): every send through this session has them off."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().send(request, **kwargs)


def _http() -> requests.Session:
    """One keep-alive session per thread: a worker sends many alerts to the same few push services."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = _NoRedirects()
    return session
