"""The front (web/front.py): the ASGI app granian runs around Flask, tested in-process over the tiny release.

Each test drives the real Front around the real app the way granian does: an ASGI scope, a `receive` that hands
over the body in the pieces a client sent, a `send` that records what would go on the wire. What is shown:
answers are those of the Flask app itself; a body is read whole before the app sees it (chunked or not), too large
is a 413 and too slow a 408, both in the app's own error format; a dump is sent from the event loop in pieces; and
`/health` is answered while every request thread is taken; a repeated request is replayed by the front, without the
app, only while its answer's release is served, and never a conditional request or a refusal.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from spacekg.web.front import Front, wsgi_environ
from spacekg.web.front_cache import AnswerCache

Message = dict[str, Any]
MAX_BODY = 4096
OST = "https://w3id.org/spacekg/id/instrument/ost"


def scope(method: str, target: str, headers: Iterable[tuple[str, str]] = ()) -> dict[str, Any]:
    path, _, query = target.partition("?")
    return {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": query.encode(),
            "http_version": "1.1", "scheme": "http", "server": ("127.0.0.1", 5000), "client": ("127.0.0.1", 40000),
            "headers": [(name.lower().encode(), value.encode()) for name, value in [("host", "localhost"), *headers]]}


def arriving(*pieces: bytes, then_stall: bool = False) -> Callable[[], Awaitable[Message]]:
    """A `receive` that hands over the body in these pieces, and then (if `then_stall`) waits forever for the rest."""
    queue = list(pieces)

    async def receive() -> Message:
        if queue:
            piece = queue.pop(0)
            return {"type": "http.request", "body": piece, "more_body": bool(queue) or then_stall}
        if then_stall:
            await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    return receive


class Wire:
    """What the front sent: status, headers and the body messages."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def send(self, message: Message) -> None:
        self.messages.append(message)

    @property
    def status(self) -> int:
        return int(self.messages[0]["status"])

    @property
    def headers(self) -> dict[str, str]:
        return {name.decode(): value.decode() for name, value in self.messages[0]["headers"]}

    @property
    def body(self) -> bytes:
        return b"".join(message.get("body", b"") for message in self.messages[1:])


def through(front: Front, request_scope: dict[str, Any], receive: Callable[[], Awaitable[Message]] | None = None) -> Wire:
    wire = Wire()
    asyncio.run(front(request_scope, receive or arriving(b""), wire.send))
    return wire


@pytest.fixture(scope="module")
def front(app: Flask) -> Front:
    return Front(app.wsgi_app, threads=2, max_body_bytes=MAX_BODY, body_timeout_s=0.5)


def test_an_answer_through_the_front_is_the_apps_answer(front: Front, client: FlaskClient) -> None:
    target = "/sparql?query=" + quote("SELECT ?s WHERE { ?s a ?c } ORDER BY ?s LIMIT 3")
    wire = through(front, scope("GET", target, [("accept", "text/csv")]))
    direct = client.get(target, headers={"Accept": "text/csv"})
    assert wire.status == direct.status_code == 200
    assert wire.body == direct.data and wire.body.count(b"\n") == 4
    assert wire.headers["content-type"] == direct.headers["Content-Type"]
    assert wire.headers["etag"] == direct.headers["ETag"]


def test_a_body_sent_in_pieces_without_a_length_is_read_whole(front: Front) -> None:
    query = b"ASK { ?s ?p ?o }"
    wire = through(front, scope("POST", "/sparql", [("content-type", "application/sparql-query"), ("transfer-encoding", "chunked")]),
                   arriving(query[:5], query[5:9], query[9:]))
    assert wire.status == 200, wire.body
    assert b"true" in wire.body


def test_a_body_over_the_limit_is_a_413_in_the_apps_own_words_even_without_a_length(front: Front) -> None:
    pieces = [b"#" * 1000] * (MAX_BODY // 1000 + 2)
    wire = through(front, scope("POST", "/sparql", [("content-type", "application/sparql-query"), ("transfer-encoding", "chunked")]),
                   arriving(*pieces, then_stall=True))
    assert wire.status == 413
    assert wire.body.decode().startswith(f"the request body is larger than the limit of {MAX_BODY} bytes\n  fix: ")
    assert wire.headers["access-control-allow-origin"] == "*"


def test_a_body_that_stops_arriving_is_a_408_after_the_body_timeout(front: Front) -> None:
    started = time.monotonic()
    wire = through(front, scope("POST", "/sparql", [("content-type", "application/sparql-query"), ("content-length", "100")]),
                   arriving(b"ASK", then_stall=True))
    assert wire.status == 408
    assert "did not arrive within 0.5 s" in wire.body.decode()
    assert 0.5 <= time.monotonic() - started < 5


def test_a_body_cut_short_is_never_run_but_answered_400(front: Front) -> None:
    """granian reports a client that left mid-body and malformed chunks alike, as a disconnect."""
    wire = through(front, scope("POST", "/sparql", [("content-type", "application/sparql-query"), ("transfer-encoding", "chunked")]),
                   _then_gone(b"ASK {}"))
    assert wire.status == 400, "a truncated body is not the query the client meant"
    assert wire.body.decode().startswith("the request body ended before it was complete")


def _then_gone(piece: bytes) -> Callable[[], Awaitable[Message]]:
    """A `receive` that hands over one piece with more announced, then reports the client gone."""
    messages = [{"type": "http.request", "body": piece, "more_body": True}, {"type": "http.disconnect"}]

    async def receive() -> Message:
        return messages.pop(0) if len(messages) > 1 else messages[0]

    return receive


def test_a_browser_gets_the_fronts_refusal_as_a_page(front: Front) -> None:
    wire = through(front, scope("POST", "/query", [("content-type", "application/x-www-form-urlencoded"), ("content-length", "99"),
                                                   ("accept", "text/html")]),
                   arriving(b"query=", then_stall=True))
    assert wire.status == 408
    assert wire.headers["content-type"].startswith("text/html")


def test_a_dump_is_sent_from_the_event_loop_in_pieces_and_whole(front: Front, app: Flask) -> None:
    dump = app.config["SPACEKG_FOLLOWER"].served.dataset.release.path / "dumps" / "spacekg.nq"
    wire = through(front, scope("GET", "/dumps/spacekg.nq"))
    assert wire.status == 200
    assert wire.body == dump.read_bytes()
    assert len(wire.messages) - 1 > 1, "sent in pieces as the client takes them, not as one buffer"


def test_a_percent_encoded_path_reaches_the_app_as_a_wsgi_server_gives_it() -> None:
    request_scope = scope("GET", "/doc/state/C%C3%B4te")
    assert wsgi_environ(request_scope, b"")["PATH_INFO"] == "/doc/state/Côte".encode().decode("latin-1")
    assert wsgi_environ(scope("GET", "/sparql?query=%FF"), b"")["QUERY_STRING"] == "query=%FF"


def test_a_repeated_header_is_joined_and_a_body_length_is_what_was_read() -> None:
    environ = wsgi_environ(scope("POST", "/sparql", [("accept", "text/csv"), ("accept", "text/plain"), ("content-length", "99"),
                                                     ("transfer-encoding", "chunked")]), b"ASK{}")
    assert environ["HTTP_ACCEPT"] == "text/csv,text/plain"
    assert environ["CONTENT_LENGTH"] == "5" and "HTTP_TRANSFER_ENCODING" not in environ
    assert environ["wsgi.input"].read() == b"ASK{}"


def test_health_is_answered_while_every_request_thread_is_taken(app: Flask) -> None:
    release = threading.Event()

    def app_with_a_stuck_page(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"] == "/stuck":  # a page whose thread is held, as a slow page or a queued query would hold it
            release.wait(10)
        return app.wsgi_app(environ, start_response)

    front = Front(app_with_a_stuck_page, threads=1, max_body_bytes=MAX_BODY, body_timeout_s=1)

    async def scenario() -> tuple[Wire, float]:
        stuck = asyncio.ensure_future(front(scope("GET", "/stuck"), arriving(b""), Wire().send))
        await asyncio.sleep(0.1)
        health = Wire()
        started = time.monotonic()
        await front(scope("GET", "/health"), arriving(b""), health.send)
        seconds = time.monotonic() - started
        release.set()
        await stuck
        return health, seconds

    health, seconds = asyncio.run(scenario())
    assert health.status == 200 and b'"status":"ok"' in health.body
    assert seconds < 5, "health waited for the stuck page"


# --- answers replayed by the front (front_cache.py) ------------------------------------------------------------

class CountingApp:
    """The app, counting the requests that reach it (what the front did not answer by itself)."""

    def __init__(self, app: Flask) -> None:
        self.app, self.calls = app, 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.calls += 1
        return self.app.wsgi_app(environ, start_response)


@pytest.fixture
def caching(app: Flask) -> tuple[Front, CountingApp, AnswerCache]:
    counting = CountingApp(app)
    answers = AnswerCache(app.config["SPACEKG_FOLLOWER"].current_version, max_entries=3)
    return Front(counting, threads=2, max_body_bytes=MAX_BODY, body_timeout_s=1, answers=answers), counting, answers


def test_a_repeated_query_is_replayed_by_the_front_byte_for_byte_without_the_app(caching: tuple[Front, CountingApp, AnswerCache]) -> None:
    front, counting, _ = caching
    target = "/sparql?query=" + quote(f"SELECT ?p WHERE {{ <{OST}> ?p ?o }} ORDER BY ?p")
    first, second = (through(front, scope("GET", target, [("accept", "text/csv")])) for _ in range(2))
    assert counting.calls == 1
    assert (second.status, second.messages[0]["headers"], second.body) == (first.status, first.messages[0]["headers"], first.body)
    as_json = through(front, scope("GET", target, [("accept", "application/sparql-results+json")]))
    assert counting.calls == 2 and as_json.headers["content-type"].startswith("application/sparql-results+json"), "Accept is in the key"
    posted = through(front, scope("POST", "/sparql", [("content-type", "application/sparql-query"), ("accept", "text/csv")]),
                     arriving(f"SELECT ?p WHERE {{ <{OST}> ?p ?o }} ORDER BY ?p".encode()))
    assert counting.calls == 3 and posted.body == first.body, "a POST is its own entry"


def test_conditional_requests_and_refusals_always_reach_the_app(caching: tuple[Front, CountingApp, AnswerCache]) -> None:
    front, counting, answers = caching
    target = "/sparql?query=" + quote("ASK { ?s ?p ?o }")
    etag = through(front, scope("GET", target)).headers["etag"]
    assert through(front, scope("GET", target, [("if-none-match", etag)])).status == 304
    assert counting.calls == 2
    for _ in range(2):
        assert through(front, scope("GET", "/sparql?query=" + quote("SELECT WHERE {"))).status == 400
    assert counting.calls == 4 and len(answers.entries) == 1, "only the 200 was kept"


def test_an_entry_is_not_replayed_once_another_release_is_served() -> None:
    served = ["release-a"]
    answers = AnswerCache(lambda: served[0], max_entries=2)
    headers = [(b"cache-control", b"public, max-age=300"), (b"spacekg-release", b"release-a")]
    answers.put(("k",), 200, headers, b"old")
    assert answers.get(("k",)) is not None
    served[0] = "release-b"
    assert answers.get(("k",)) is None and answers.entries == {}
    answers.put(("k",), 200, headers, b"old")
    assert answers.entries == {}, "an answer of a release no longer served is not kept"


def test_the_cache_is_bounded_by_entries_and_bytes() -> None:
    answers = AnswerCache(lambda: "r", max_entries=2, max_bytes=800)
    headers = [(b"cache-control", b"public"), (b"spacekg-release", b"r")]
    for key in "abc":
        answers.put((key,), 200, headers, b"x" * 10)
    assert list(answers.entries) == [("b",), ("c",)]
    answers.put(("big",), 200, headers, b"x" * 101)
    assert ("big",) not in answers.entries, "an answer over an eighth of the bytes is not kept"
    answers.put(("d",), 200, [(b"cache-control", b"no-store"), (b"spacekg-release", b"r")], b"x")
    assert ("d",) not in answers.entries
