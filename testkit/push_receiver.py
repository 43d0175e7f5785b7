"""A Web Push receiver on 127.0.0.1 playing both the push service and the browser.

As the push service it checks the VAPID JWT (ES256, RFC 8292) and answers 201, or what a test
scripted (503, 410, ...). As the browser it holds each subscription's private key and auth secret
and decrypts the aes128gcm body (RFC 8291), so a test sees exactly what a phone would display.

Also runs alone (`python -m testkit.push_receiver --port N`) for the benchmark, with
`POST /devices?n=` to make subscriptions and `GET /stats` to count what arrived.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """One browser's push subscription: the keys only the browser has, and the endpoint."""

    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    def subscription(self) -> dict[str, Any]:
        """What PushSubscription.toJSON() gives the page."""
        point = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                           serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64url(point), "auth": b64url(self.auth_secret)}}


@dataclass
class Received:
    """One POST the receiver got, with what it answered and what the browser would have seen."""

    device_id: str
    status: int
    headers: dict[str, str]
    body: bytes
    vapid_claims: dict[str, Any] | None = None
    vapid_key: str | None = None
    plaintext: bytes | None = None
    problem: str | None = None

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.plaintext)


class VapidError(ValueError):
    pass


def verify_vapid(authorization: str, audience: str) -> tuple[dict[str, Any], str]:
    """Check `vapid t=<jwt>, k=<key>`: an ES256 signature by k, aud = the endpoint's origin, exp ≤ 24 h."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise VapidError(f"authorization scheme {scheme!r} is not vapid")
    parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
    token, key = parts.get("t", ""), parts.get("k", "")
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(unb64url(header_b64))
        claims = json.loads(unb64url(claims_b64))
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        signature = unb64url(signature_b64)
    except (ValueError, KeyError) as exc:
        raise VapidError(f"malformed VAPID token: {exc}") from None
    if header.get("alg") != "ES256" or len(signature) != 64:
        raise VapidError("VAPID token is not ES256")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise VapidError("VAPID signature does not verify") from None
    now = time.time()
    if claims.get("aud") != audience:
        raise VapidError(f"aud {claims.get('aud')!r} is not {audience!r}")
    if not (now < int(claims.get("exp", 0)) <= now + 24 * 3600):
        raise VapidError("exp is not within the next 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise VapidError("sub is not a mailto: or https: contact")
    return claims, key


class PushReceiver:
    """Start it, make devices, script answers, then look at what arrived."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, delay: float = 0.0):
        self.delay = delay  # seconds before answering, as a push service across the internet would
        self.while_sending: Callable[[], None] | None = None  # runs while the sender waits for the answer
        self.devices: dict[str, Device] = {}
        self.received: list[Received] = []
        self._accepted = 0  # counted as they arrive: /stats must not scan everything under the lock
        self._problems: set[str] = set()
        self._scripts: dict[str, deque[int]] = {}
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="push-receiver", daemon=True)

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def host(self) -> str:
        return self._server.server_address[0]

    def start(self) -> PushReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def new_device(self) -> Device:
        device_id = uuid.uuid4().hex
        device = Device(id=device_id, endpoint=f"{self.origin}/push/{device_id}")
        with self._lock:
            self.devices[device_id] = device
        return device

    def answer(self, device: Device, *statuses: int) -> None:
        """The next POSTs to this device get these statuses, in order; then 201 again."""
        with self._lock:
            self._scripts.setdefault(device.id, deque()).extend(statuses)

    def requests(self, device: Device | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.received if device is None or r.device_id == device.id]

    def delivered(self, device: Device | None = None) -> list[Received]:
        """Messages the push service accepted (201): what reaches the phone."""
        return [r for r in self.requests(device) if r.status == 201]

    def wait_for(self, count: int, timeout: float = 30.0) -> int:
        """Block until `count` messages were accepted (or the timeout); returns how many were."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                left = deadline - time.monotonic()
                if self._accepted >= count or left <= 0:
                    return self._accepted
                self._lock.wait(left)

    def _receive(self, device_id: str, headers: dict[str, str], body: bytes) -> Received:
        with self._lock:
            device = self.devices.get(device_id)
            scripted = self._scripts.get(device_id)
            status = scripted.popleft() if scripted else 201
        record = Received(device_id=device_id, status=status, headers=headers, body=body)
        if device is None:
            record.status, record.problem = 404, "unknown subscription"
        else:
            try:
                record.vapid_claims, record.vapid_key = verify_vapid(headers.get("authorization", ""), self.origin)
                if headers.get("content-encoding") != "aes128gcm":
                    raise VapidError(f"content-encoding {headers.get('content-encoding')!r} is not aes128gcm")
                record.plaintext = http_ece.decrypt(body, private_key=device.private_key,
                                                    auth_secret=device.auth_secret, version="aes128gcm")
            except VapidError as exc:
                record.status, record.problem = 403, str(exc)
            except Exception as exc:  # noqa: BLE001  (any decryption failure is the sender's fault)
                record.status, record.problem = 400, f"cannot decrypt: {exc!r}"
        with self._lock:
            self.received.append(record)
            self._accepted += record.status == 201
            if record.problem:
                self._problems.add(record.problem)
            self._lock.notify_all()
        return record

    def _make_devices(self, count: int) -> list[dict[str, Any]]:
        return [self.new_device().subscription() for _ in range(count)]

    def _stats(self) -> dict[str, Any]:
        with self._lock:
            return {"requests": len(self.received), "delivered": self._accepted,
                    "problems": sorted(self._problems)[:5]}


def _handler_for(receiver: PushReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real push services

        def do_POST(self) -> None:  # http.server names the handlers
            path = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if path.path == "/devices":
                count = int(parse_qs(path.query).get("n", ["1"])[0])
                self._reply(200, json.dumps(receiver._make_devices(count)).encode())
                return
            device_id = path.path.rsplit("/", 1)[-1]
            headers = {k.lower(): v for k, v in self.headers.items()}
            record = receiver._receive(device_id, headers, body)
            if receiver.while_sending is not None:
                receiver.while_sending()
            if receiver.delay:
                time.sleep(receiver.delay)
            self._reply(record.status, b"")

        def do_GET(self) -> None:
            if self.path == "/stats":
                self._reply(200, json.dumps(receiver._stats()).encode())
            else:
                self._reply(404, b"")

        def _reply(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            if status == 201:
                self.send_header("Location", f"{receiver.origin}/message/{uuid.uuid4().hex}")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Stand-alone Web Push receiver (for bench/push_fanout.py).")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, default=0.0, help="answer this much later (network latency)")
    args = parser.parse_args()
    receiver = PushReceiver(port=args.port, delay=args.delay_ms / 1000)
    print(f"push receiver on {receiver.origin}", flush=True)
    receiver._server.serve_forever()


if __name__ == "__main__":
    main()
