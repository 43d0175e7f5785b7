"""VAPID keys: from VAPID_PRIVATE_KEY, or generated once into instance/ (never committed)."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid

KEY_FILE = "vapid_private.pem"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _elliptic(key: object) -> ec.EllipticCurvePrivateKey:
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("The VAPID key must be an elliptic-curve (P-256) private key.")
    return key


def _load_pem_or_raw(value: str) -> ec.EllipticCurvePrivateKey:
    value = value.strip()
    if "BEGIN" in value:
        return _elliptic(serialization.load_pem_private_key(value.encode(), password=None))
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


def generate_key_file(path: Path) -> ec.EllipticCurvePrivateKey:
    key = ec.generate_private_key(ec.SECP256R1())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    return key


def private_key() -> ec.EllipticCurvePrivateKey:
    """The server's VAPID key: the configured one, else instance/vapid_private.pem (made on first use)."""
    configured = current_app.config.get("VAPID_PRIVATE_KEY")
    if configured:
        return _load_pem_or_raw(configured)
    path = Path(current_app.instance_path) / KEY_FILE
    if path.exists():
        return _elliptic(serialization.load_pem_private_key(path.read_bytes(), password=None))
    return generate_key_file(path)


def private_key_pem() -> str:
    return private_key().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()).decode()


def public_key_b64url() -> str:
    """The uncompressed P-256 point, base64url: what pushManager.subscribe wants as applicationServerKey."""
    point = private_key().public_key().public_bytes(serialization.Encoding.X962,
                                                    serialization.PublicFormat.UncompressedPoint)
    return _b64url(point)


def _source() -> tuple:
    """What identifies the current key: the configured text, or the key file and its last change."""
    configured = current_app.config.get("VAPID_PRIVATE_KEY")
    if configured:
        return ("configured", configured)
    path = Path(current_app.instance_path) / KEY_FILE
    try:
        return ("file", str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        return ("missing", str(path))


def signer() -> Vapid:
    """py_vapid's signer for the current key, parsed once per key rather than once per message."""
    source = _source()
    cached = current_app.extensions.get("help_vapid_signer")
    if cached is None or cached[0] != source:
        key = private_key()
        cached = current_app.extensions["help_vapid_signer"] = (_source(), Vapid(private_key=key))
    return cached[1]
