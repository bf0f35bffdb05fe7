"""The front of the server: nothing gets a Python thread until its request has fully arrived, and no thread waits on a slow reader.

granian (Rust) reads the request line and headers, with a timeout, and hands over an ASGI request. This ASGI app then:

1. reads the whole body on the event loop, within `body_timeout_s` and `max_body_bytes` (chunked or not), so a client
   that drips its body holds a coroutine, not a thread; too slow is a 408, too large a 413;
2. runs the WSGI app (Flask) on a thread pool: `/health` and `/metrics` on a pool of their own, so that they never wait
   behind pages or queries (queries then wait for a query process in query_pool, for a bounded time);
3. sends the answer from the event loop: the thread hands over the whole body (the app caps its size) and is free again,
   and a file (a dump) is read from disk chunk by chunk as the client takes it (`wsgi.file_wrapper`);
4. replays an answer the app marked as shareable when the same request comes again for the same release, with no
   thread at all (front_cache.py).

Errors found here (a body too slow or too large) are answered by the app itself, from a request it is told to refuse, so
that they look like every other error (plain text or a page, CORS, the fix).
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO
from urllib.parse import unquote_to_bytes

from spacekg.errors import PayloadTooLarge, RequestTimeout, SpaceKGError, UsageError
from spacekg.web.front_cache import AnswerCache, Replay, request_key
from spacekg.web.metrics import REQUESTS

REFUSED = "spacekg.refused"  # the environ key under which the front hands the app an error to answer with
LIGHT_PATHS = frozenset({"/health", "/metrics"})  # answered on their own threads, never behind pages and queries
LIGHT_THREADS = 2
FILE_CHUNK_BYTES = 256 << 10

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class BodyCutShort(Exception):
    """The request's body stopped before its end: the client left, or sent chunks granian could not read."""


class FileAnswer:
    """The `wsgi.file_wrapper` of PEP 3333: a file the front sends from the event loop instead of a thread reading it out."""

    def __init__(self, file: BinaryIO, block_size: int = FILE_CHUNK_BYTES) -> None:
        self.file, self.block_size = file, block_size

    def __iter__(self) -> Iterable[bytes]:  # what any WSGI server would do with it (the in-process test client does)
        return iter(lambda: self.file.read(self.block_size), b"")

    def close(self) -> None:
        self.file.close()


class Answer:
    """What the app answered: status line, headers, and either the whole body or a file to send."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.file: FileAnswer | None = None

    def whole_body(self) -> bytes:
        if len(self.body) != 1:
            self.body = [b"".join(self.body)]
        return self.body[0]

    def start_response(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        self.status = int(status.split(" ", 1)[0])
        self.headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
        return self.body.append  # the legacy write() callable of PEP 3333


def call_app(app: WSGIApp, environ: dict[str, Any]) -> Answer:
    """Run the app on this (pool) thread and collect its answer; a file is left for the event loop to send."""
    answer = Answer()
    iterable = app(environ, answer.start_response)
    if isinstance(iterable, FileAnswer):
        answer.file = iterable
        return answer
    try:
        answer.body.extend(chunk for chunk in iterable if chunk)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return answer


def wsgi_environ(scope: dict[str, Any], body: bytes) -> dict[str, Any]:
    """The PEP 3333 environ of an ASGI HTTP request whose body has been read whole."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    path = raw_path.split(b"?", 1)[0]
    server = scope.get("server") or ("localhost", 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": "",
        # As a WSGI server gives it: percent-decoded bytes as latin-1, for werkzeug to decode as UTF-8 (or refuse).
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": (scope.get("client") or ("", 0))[0],
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.file_wrapper": FileAnswer,
    }
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        if name in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
            continue  # the body has been read whole: its length is what was read
        key = name if name == "CONTENT_TYPE" else "HTTP_" + name
        value = raw_value.decode("latin-1")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


class Front:
    """The ASGI app granian runs: read the body, run the WSGI app on a pool thread, send the answer from the loop."""

    def __init__(self, app: WSGIApp, threads: int, max_body_bytes: int, body_timeout_s: float, answers: AnswerCache | None = None) -> None:
        self.app, self.answers = app, answers
        self.max_body_bytes, self.body_timeout_s = max_body_bytes, body_timeout_s
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="spacekg-request")
        self.light_pool = ThreadPoolExecutor(max_workers=LIGHT_THREADS, thread_name_prefix="spacekg-light")

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # websockets: not served
        refusal: SpaceKGError | None = None
        try:
            declared = _declared_body(scope)
            if declared > self.max_body_bytes:  # refused before a byte of it is read
                raise self._too_large()
            # A request that declares no body has an empty one, handed over at once: no deadline (and no task) needed.
            body = await (asyncio.wait_for(self._read_body(receive), self.body_timeout_s) if declared else self._read_body(receive))
        except TimeoutError:
            body, refusal = b"", RequestTimeout(f"the request body did not arrive within {self.body_timeout_s:g} s",
                                                "send the whole request at once; a query can also go in a GET link")
        except PayloadTooLarge as error:
            body, refusal = b"", error
        except BodyCutShort:
            # granian reports a malformed chunk as the client leaving: either way the body is not the one meant, and it is
            # never run; the answer goes to a client that can still read it (a 500 of granian's own if none were sent).
            body, refusal = b"", UsageError("the request body ended before it was complete, or its chunks were malformed",
                                            "send it whole, with a Content-Length or well-formed chunks")
        key = request_key(scope, body) if self.answers is not None and refusal is None else None
        if key is not None and self.answers is not None and (replay := self.answers.get(key)) is not None:
            await _replay(replay, scope["path"], send)
            return
        environ = wsgi_environ(scope, body)
        if refusal is not None:
            environ[REFUSED] = refusal
        light = scope["path"] in LIGHT_PATHS or refusal is not None
        answer = await asyncio.get_running_loop().run_in_executor(self.light_pool if light else self.pool, call_app, self.app, environ)
        if key is not None and self.answers is not None and answer.file is None:
            self.answers.put(key, answer.status, answer.headers, answer.whole_body())
        await _send_answer(answer, send, receive)

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"the request body is larger than the limit of {self.max_body_bytes} bytes", "send a shorter query")

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise BodyCutShort  # what arrived is not the request the client meant to send
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise self._too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _declared_body(scope: dict[str, Any]) -> int:
    """The body's length as declared: Content-Length, 1 for a chunked body of unknown length, 0 for none."""
    for name, value in scope.get("headers", []):
        lowered = name.lower()
        if lowered == b"content-length":
            return int(value) if value.isdigit() else 1  # a malformed length is the HTTP layer's to refuse
        if lowered == b"transfer-encoding":
            return 1
    return 0


async def _send_answer(answer: Answer, send: Send, receive: Receive) -> None:
    await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
    if answer.file is None:
        await send({"type": "http.response.body", "body": answer.whole_body()})
        return
    disconnected = asyncio.ensure_future(_disconnection(receive))
    try:
        while not disconnected.done() and (chunk := answer.file.file.read(answer.file.block_size)):  # a local file: never waits on a client
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        disconnected.cancel()
        answer.file.close()


async def _replay(replay: Replay, path: str, send: Send) -> None:
    REQUESTS.labels(path, str(replay.status)).inc()  # what the app's metrics would have counted (no access-log line)
    await send({"type": "http.response.start", "status": replay.status, "headers": replay.headers})
    await send({"type": "http.response.body", "body": replay.body})


async def _disconnection(receive: Receive) -> None:
    """Return when the client has gone (a download it gave up is not read to the end for nobody)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def refusal_of(environ: dict[str, Any]) -> SpaceKGError | None:
    """The error the front asks the app to answer this request with, if any."""
    refused = environ.get(REFUSED)
    return refused if isinstance(refused, SpaceKGError) else None
