"""Push API bodies. Shape checks only: whether the endpoint is an acceptable push service is the
service's question (it depends on configuration)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from marshmallow import Schema, ValidationError, fields, validate

ENDPOINT: dict[str, Any] = {"required": True, "validate": validate.Length(min=1, max=1000)}


def _b64url(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ValidationError("Not base64url text.") from None


def _p256dh(value: str) -> None:
    """The browser's public key: an uncompressed P-256 point (65 bytes) that is really on the curve."""
    raw = _b64url(value)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        raise ValidationError("Not a P-256 public key; send keys.p256dh from PushSubscription.toJSON().") from None
    if len(raw) != 65:
        raise ValidationError("Send the uncompressed key (65 bytes), as PushSubscription.toJSON() gives it.")


def _auth(value: str) -> None:
    if len(_b64url(value)) != 16:
        raise ValidationError("The auth secret must be 16 bytes; send keys.auth from PushSubscription.toJSON().")


class SubscriptionKeysSchema(Schema):
    p256dh = fields.String(required=True, validate=[validate.Length(max=200), _p256dh])
    auth = fields.String(required=True, validate=[validate.Length(max=100), _auth])


class SubscriptionSchema(Schema):
    """PushSubscription.toJSON() as the browser gives it."""

    endpoint = fields.String(**ENDPOINT)
    keys = fields.Nested(SubscriptionKeysSchema, required=True)
    # Browsers include it (usually null); the push service's own 404/410 is what ends a subscription here.
    expirationTime = fields.Integer(allow_none=True, load_default=None)  # the browser's spelling


class SubscribedSchema(Schema):
    endpoint = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class UnsubscribeSchema(Schema):
    endpoint = fields.String(**ENDPOINT)


class VapidPublicKeySchema(Schema):
    public_key = fields.String(required=True, metadata={
        "description": "base64url of the uncompressed P-256 point: pushManager.subscribe's applicationServerKey"})
