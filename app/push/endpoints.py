"""Which push endpoints the server will POST to: allowlisted hosts only, so a subscription cannot
turn the worker into a client for arbitrary URLs (internal services, cloud metadata addresses)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


class EndpointRefused(ValueError):
    """The endpoint is not acceptable; the message tells a person what to do about it."""


def check(endpoint: str, allowlist: list[str], *, allow_http: bool = False) -> str:
    """Return the endpoint if the server may send to it, else raise EndpointRefused saying why.

    `allow_http` is for the tests' local receiver: it also lifts the rule that the port is 443.
    """
    endpoint = endpoint.strip()
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").rstrip(".").lower()
        port = parts.port
    except ValueError:
        raise EndpointRefused("The push endpoint is not a valid URL.") from None
    allowed_schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in allowed_schemes:
        raise EndpointRefused("The push endpoint must be an https:// URL given by the browser's push service.")
    # urlsplit silently drops CR, LF and tab, so it would pass a URL that splits a request line in two.
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in endpoint):
        raise EndpointRefused("The push endpoint may not contain spaces or control characters (CR, LF).")
    if not host or parts.username is not None or parts.password is not None:
        raise EndpointRefused("The push endpoint must name a host and carry no user name or password.")
    entries = [e.strip().rstrip(".").lower() for e in allowlist if e.strip()]
    address = _ip_literal(host)
    if address is not None and host not in entries:
        if _is_internal(address):
            raise EndpointRefused(
                f"The push endpoint points to a private or local address ({host}); only the browser "
                "vendors' push services are accepted.")
        raise EndpointRefused(f"The push endpoint uses a bare IP address ({host}); only the browser "
                              "vendors' push services are accepted.")
    if address is None and not any(_matches(host, entry) for entry in entries):
        raise EndpointRefused(
            f"The push endpoint's host {host} is not an accepted push service. Use a browser whose push "
            f"service is allowed ({', '.join(entries) or 'none configured'}), or ask an administrator "
            "to add it to PUSH_ENDPOINT_ALLOWLIST.")
    if port not in (None, 443) and not allow_http:
        raise EndpointRefused(f"The push endpoint uses port {port}; push services answer on port 443 only.")
    return endpoint


def _matches(host: str, entry: str) -> bool:
    """`*.example.com` matches any name under example.com (not example.com itself); others exactly."""
    if entry.startswith("*."):
        return host.endswith(entry[1:])
    return host == entry


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    flags = ("is_private", "is_loopback", "is_link_local", "is_reserved", "is_multicast", "is_unspecified",
             "is_site_local")
    return any(getattr(address, flag, False) for flag in flags)
