"""What a request's envelope may decide: the host, scheme and path prefix the answer names (links, redirects, VoID).

Nothing is taken from a header the operator has not said to trust. By default every answer names the configured
public URL (`public_url`, else the address the server binds), whatever `Host` the client sent, and `X-Forwarded-*`
and `Forwarded` headers are removed. Only a request whose peer address is one of `trusted_proxies` keeps them,
read by werkzeug's ProxyFix (one proxy hop). So a forged `Host` or `X-Forwarded-Host` can neither point a
redirect elsewhere nor grow a cache keyed by host.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from werkzeug.middleware.proxy_fix import ProxyFix

from spacekg.errors import UsageError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDING = ("HTTP_FORWARDED",)
FORWARDING_PREFIX = "HTTP_X_FORWARDED_"
UNSPECIFIED = {"0.0.0.0", "::", ""}  # noqa: S104  (bind addresses, not a public host)


def public_url(configured: str, host: str, port: int) -> str:
    """The URL the server answers under: the configured one, else the bound address (localhost for all interfaces)."""
    if configured:
        parts = urlsplit(configured)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise UsageError(f"public URL {configured!r} is not an http(s) URL with a host",
                             "set SPACEKG_PUBLIC_URL (or --public-url) to e.g. https://spacekg.example.org or https://example.org/spacekg")
        return configured.rstrip("/")
    shown = "localhost" if host in UNSPECIFIED else f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def trusted_networks(configured: str | Iterable[str]) -> tuple[Network, ...]:
    """The proxies' addresses, from a comma-separated list of IP addresses or networks (e.g. "127.0.0.1, 10.0.0.0/8")."""
    parts = [part.strip() for part in (configured.split(",") if isinstance(configured, str) else configured)]
    networks = []
    for part in filter(None, parts):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as error:
            raise UsageError(f"trusted proxy {part!r} is not an IP address or network",
                             "set SPACEKG_TRUSTED_PROXIES (or --trusted-proxies) to addresses like 127.0.0.1 or 10.0.0.0/8") from error
    return tuple(networks)


class Edge:
    """WSGI middleware: answer under the public URL, or under what a trusted proxy forwards."""

    def __init__(self, app: Any, public: str, trusted: tuple[Network, ...]) -> None:
        self.app, self.trusted = app, trusted
        self.proxied = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
        parts = urlsplit(public)
        self.scheme, self.netloc, self.prefix = parts.scheme, parts.netloc, parts.path.rstrip("/")
        self.port = str(parts.port or (443 if parts.scheme == "https" else 80))

    def _from_trusted_proxy(self, environ: dict[str, Any]) -> bool:
        try:
            peer = ipaddress.ip_address(environ.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(peer in network for network in self.trusted)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.trusted and self._from_trusted_proxy(environ):
            return self.proxied(environ, start_response)
        for key in [key for key in environ if key.startswith(FORWARDING_PREFIX) or key in FORWARDING]:
            del environ[key]
        environ["HTTP_HOST"], environ["SERVER_NAME"], environ["SERVER_PORT"] = self.netloc, self.netloc.rsplit(":", 1)[0], self.port
        environ["wsgi.url_scheme"] = self.scheme
        environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)
