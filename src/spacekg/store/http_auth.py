"""HTTP authentication with a remote store: the URL's user and password, sent in the scheme the store asks for (Basic or Digest).

Credentials go out only once the store has named its scheme in a 401 challenge. Sending Basic first would not do:
Virtuoso's Graph Store Protocol service (/sparql-graph-crud-auth) asks for Digest (RFC 7616), and a request that
carries Basic gets a bare 401 that names no scheme at all. After the first challenge every request carries the
answer at once; a Digest nonce is reused with a growing count, as RFC 7616 allows, until the store calls it stale.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
from collections.abc import Mapping
from urllib.parse import urlsplit

_PARAMETER = re.compile(r'([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))')
_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


class Authorizer:
    """Answers a store's authentication challenges with one user's credentials; shared by the threads of a server."""

    def __init__(self, user: str, password: str) -> None:
        self.user = user
        self.password = password
        self._lock = threading.Lock()
        self._scheme = ""  # "", "basic" or "digest": what the store last asked for
        self._challenge: dict[str, str] = {}
        self._count = 0

    def learn(self, challenge: str) -> bool:
        """Read a 401's WWW-Authenticate header; True if it names a scheme these credentials can answer (Digest preferred)."""
        digest = re.search(r"(?i)\bDigest\s+(.*)", challenge)
        with self._lock:
            if digest:
                parameters = {m[1].lower(): m[2] if m[2] is not None else m[3] for m in _PARAMETER.finditer(digest[1])}
                algorithm = parameters.get("algorithm", "MD5").upper().removesuffix("-SESS")
                offered = {q.strip() for q in parameters["qop"].split(",")} if "qop" in parameters else {"auth"}
                if "nonce" in parameters and algorithm in _HASHES and "auth" in offered:
                    self._scheme, self._challenge, self._count = "digest", parameters, 0
                    return True
            if re.search(r"(?i)\bBasic\b", challenge):
                self._scheme = "basic"
                return True
        return False

    def headers(self, method: str, url: str) -> dict[str, str]:
        """The Authorization header for one request, or none before the store has asked for credentials."""
        with self._lock:
            if self._scheme == "basic":
                return {"Authorization": "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()}
            if self._scheme != "digest":
                return {}
            self._count += 1
            challenge, count = self._challenge, self._count
        parts = urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        return {"Authorization": digest_authorization(challenge, self.user, self.password, method, uri, count, os.urandom(12).hex())}


def digest_authorization(challenge: Mapping[str, str], user: str, password: str, method: str, uri: str, count: int,
                         client_nonce: str) -> str:
    """The Authorization header that answers a Digest challenge (RFC 7616 section 3.4, qop=auth; RFC 2069 when no qop is offered).

    The hash binds user, realm, password, nonce, count, method and path, not the body: one challenge serves a PUT of any size.
    """
    name = challenge.get("algorithm", "MD5")
    digest = _HASHES[name.upper().removesuffix("-SESS")]

    def h(text: str) -> str:
        return digest(text.encode()).hexdigest()

    nonce, nc = challenge["nonce"], f"{count:08x}"
    secret = h(f"{user}:{challenge.get('realm', '')}:{password}")
    if name.upper().endswith("-SESS"):
        secret = h(f"{secret}:{nonce}:{client_nonce}")
    fields = {"username": user, "realm": challenge.get("realm", ""), "nonce": nonce, "uri": uri, "algorithm": name}
    if "qop" in challenge:
        fields |= {"response": h(f"{secret}:{nonce}:{nc}:{client_nonce}:auth:{h(f'{method}:{uri}')}"), "qop": "auth", "nc": nc,
                   "cnonce": client_nonce}
    else:
        fields["response"] = h(f"{secret}:{nonce}:{h(f'{method}:{uri}')}")
    if "opaque" in challenge:
        fields["opaque"] = challenge["opaque"]
    tokens = {"algorithm", "qop", "nc"}  # sent bare; the rest are quoted strings (RFC 7616 section 3.4)
    return "Digest " + ", ".join(f"{key}={value}" if key in tokens else f'{key}="{_quoted(value)}"' for key, value in fields.items())


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
