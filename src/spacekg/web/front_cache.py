"""Answers the front replays from the event loop, without a thread, Flask or the query machinery.

A SPARQL endpoint is asked the same questions again and again (a page's lookups, a notebook re-run, a harvester).
The app already keeps results per release (result_cache.py), but reaching that cache costs a request thread and the
whole Flask stack, most of a cheap request's CPU (BENCHMARKS.md, issue 15). This cache keeps the finished HTTP
answer instead: status, headers and body, exactly as the app sent them.

What may be kept, and under which key, is narrow on purpose:
- only `GET` and `POST` to the endpoints in CACHED_PATHS, answered 200 with `Cache-Control: public` and a
  `SpaceKG-Release` header (the app's own statement that the answer is shareable and which release it comes from);
- the key is everything of the request the answer can depend on: method, path, query string, body, and the
  headers the app reads for it (Accept, Content-Type); a request with a conditional or range header, or from a
  trusted proxy (whose X-Forwarded-* headers change links), always goes to the app;
- an entry is replayed only while its release is the one the worker serves, so a new release is never answered
  from the old one's entries.
Bounded by entries and bytes (LRU); one answer may take at most an eighth of the bytes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock
from typing import Any

CACHED_PATHS = frozenset({"/sparql"})
KEY_HEADERS = (b"accept", b"content-type")
BYPASS_HEADERS = frozenset({b"if-none-match", b"if-modified-since", b"if-match", b"if-unmodified-since", b"range", b"authorization"})
MAX_KEY_BODY_BYTES = 16 << 10  # a longer body (a long query) is answered by the app each time: keys stay small


@dataclass(frozen=True)
class Replay:
    """One finished answer, as the app sent it."""

    release: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def request_key(scope: dict[str, Any], body: bytes) -> tuple[Any, ...] | None:
    """What the answer to this request depends on, or None if it must go to the app."""
    if scope["method"] not in ("GET", "POST") or scope["path"] not in CACHED_PATHS or len(body) > MAX_KEY_BODY_BYTES:
        return None
    chosen: dict[bytes, bytes] = {}
    for name, value in scope.get("headers", []):
        lowered = name.lower()
        if lowered in BYPASS_HEADERS:
            return None
        if lowered in KEY_HEADERS:
            chosen[lowered] = chosen[lowered] + b"," + value if lowered in chosen else value
    return (scope["method"], scope.get("raw_path") or scope["path"], scope.get("query_string", b""), body,
            *(chosen.get(name, b"") for name in KEY_HEADERS))


def replayable(status: int, headers: list[tuple[bytes, bytes]]) -> str | None:
    """The release an answer comes from, if the app marked it as shareable; else None."""
    if status != 200:
        return None
    found = dict(headers)
    if b"public" not in found.get(b"cache-control", b""):
        return None
    release = found.get(b"spacekg-release")
    return release.decode("latin-1") if release else None


class AnswerCache:
    """Finished answers by request key, replayed while their release is the one served (`current_release()`)."""

    def __init__(self, current_release: Callable[[], str], max_entries: int = 2048, max_bytes: int = 32 << 20) -> None:
        self.current_release = current_release
        self.max_entries, self.max_bytes, self.size = max_entries, max_bytes, 0
        self.entries: OrderedDict[tuple[Any, ...], Replay] = OrderedDict()
        self.lock = Lock()

    def get(self, key: tuple[Any, ...]) -> Replay | None:
        with self.lock:
            replay = self.entries.get(key)
            if replay is None:
                return None
            if replay.release != self.current_release():
                del self.entries[key]
                self.size -= len(replay.body)
                return None
            self.entries.move_to_end(key)
            return replay

    def put(self, key: tuple[Any, ...], status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        release = replayable(status, headers)
        if release is None or release != self.current_release() or len(body) > self.max_bytes // 8:
            return
        with self.lock:
            previous = self.entries.pop(key, None)
            if previous is not None:
                self.size -= len(previous.body)
            self.entries[key] = Replay(release, status, headers, body)
            self.size += len(body)
            while len(self.entries) > self.max_entries or self.size > self.max_bytes:
                _, evicted = self.entries.popitem(last=False)
                self.size -= len(evicted.body)
