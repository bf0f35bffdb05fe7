"""Slow and idle clients cost the server a connection, never a thread, so they cannot starve anyone else.

Issue 15's slowloris finding: under gunicorn's threads, 24 connections dripping their headers made `/health` fail
every probe, and 24 slow request bodies or 24 clients that never read their answer did the same. Here a real
`spacekg serve` (the session's `tiny_server`: granian, two workers) takes all of these at once, for ATTACK_S seconds,
on 127.0.0.1:

- SLOW_HEADERS connections that send one more header byte every DRIP_S, reopened whenever the server closes them;
- IDLE connections that send nothing;
- SLOW_BODIES POSTs that announce a body and send one byte of it every DRIP_S;
- SLOW_READERS clients that ask for a dump or a large (cached) answer and never read it, with a tiny receive
  buffer so the answer cannot sit in the kernel.

Together they are several times the worker's request threads (Settings.request_threads), so if any of them held a
thread the probes would queue behind them. Meanwhile `/health` and a cheap cached query are probed on fresh
connections: every probe must be answered 200, with a p99 under a second (the issue's target). Afterwards a dripping
connection must have been closed by the server (the header timeout). What the front answers a body that never
completes (408) is tested in-process, in test_front.py.

Slow on purpose (~9 s): the attack has to outlast the server's 5 s header timeout to show the server closing and the
attacker reopening.
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
import requests

SLOW_HEADERS = 200
IDLE = 50
SLOW_BODIES = 50
SLOW_READERS = 80
ATTACK_S = 6.5  # past the server's 5 s header timeout by more than a drip
DRIP_S = 1.0
MAX_P99_S = 1.0
WARM_UPS = 12
BIG_ANSWER = "/sparql?query=" + quote("SELECT * WHERE { ?s ?p ?o }")  # the whole tiny release: ~1 MB of JSON
CHEAP = "/sparql?query=" + quote("ASK { ?s ?p ?o }")


def _closed_by_peer(connection: socket.socket) -> bool:
    try:
        return connection.recv(1024) == b""  # end of stream (or the 408 answer of a body the server gave up on, then it)
    except BlockingIOError:
        return False  # open, nothing to read
    except OSError:
        return True  # reset


def _connect(port: int, receive_buffer: int = 0) -> socket.socket:
    connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    connection.settimeout(5)
    connection.connect(("127.0.0.1", port))
    connection.setblocking(False)
    return connection


@dataclass
class Attacker:
    """One thread that keeps every attacking connection open (reopening what the server closes) and drips bytes."""

    port: int
    stopping: threading.Event = field(default_factory=threading.Event)
    dripping: list[tuple[socket.socket, bytes]] = field(default_factory=list)
    idle: list[socket.socket] = field(default_factory=list)
    readers: list[socket.socket] = field(default_factory=list)
    closed_by_server = 0

    def _open_header_drip(self) -> tuple[socket.socket, bytes]:
        connection = _connect(self.port)
        connection.send(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        return connection, b"X"

    def _open_body_drip(self) -> tuple[socket.socket, bytes]:
        connection = _connect(self.port)
        connection.send(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                        b"Content-Length: 1000\r\n\r\nASK")
        return connection, b" "

    def start(self) -> threading.Thread:
        self.dripping = [self._open_header_drip() for _ in range(SLOW_HEADERS)] + [self._open_body_drip() for _ in range(SLOW_BODIES)]
        self.idle = [_connect(self.port) for _ in range(IDLE)]
        for n in range(SLOW_READERS):
            reader = _connect(self.port, receive_buffer=4096)
            reader.send(f"GET {'/dumps/spacekg.ttl' if n % 2 else BIG_ANSWER} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        f"Accept: application/sparql-results+json\r\n\r\n".encode())
            self.readers.append(reader)
        thread = threading.Thread(target=self._drip, daemon=True)
        thread.start()
        return thread

    def _drip(self) -> None:
        while not self.stopping.wait(DRIP_S):
            for index, (connection, byte) in enumerate(self.dripping):
                if _closed_by_peer(connection):  # an attacker opens another at once
                    self.closed_by_server += 1
                    connection.close()
                    self.dripping[index] = self._open_header_drip() if byte == b"X" else self._open_body_drip()
                    continue
                with contextlib.suppress(OSError):  # closed since: found on the next round
                    connection.send(byte)

    def stop(self, dripper: threading.Thread) -> None:
        self.stopping.set()
        dripper.join(10)  # first: a round under way may still open a connection in place of one the server closed
        for connection in [c for c, _ in self.dripping] + self.idle + self.readers:
            connection.close()


def _probe(url: str) -> tuple[int, float]:
    started = time.monotonic()
    try:
        status = requests.get(url, timeout=5, headers={"Connection": "close"}).status_code
    except requests.RequestException:
        status = 0
    return status, time.monotonic() - started


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.alone
def test_slow_and_idle_connections_do_not_starve_health_or_cheap_queries(tiny_server: str) -> None:
    port = int(tiny_server.rsplit(":", 1)[1])
    for _ in range(WARM_UPS):  # on fresh connections, so that both workers cache both answers and need no query process
        for path in (CHEAP, BIG_ANSWER):
            assert requests.get(tiny_server + path, timeout=10, headers={"Connection": "close"}).status_code == 200
    attacker = Attacker(port)
    dripper = attacker.start()
    probes: dict[str, list[tuple[int, float]]] = {"/health": [], CHEAP: []}
    try:
        deadline = time.monotonic() + ATTACK_S
        while time.monotonic() < deadline:
            for path, answers in probes.items():
                answers.append(_probe(tiny_server + path))
            time.sleep(0.05)
    finally:
        attacker.stop(dripper)

    for path, answers in probes.items():
        statuses = [status for status, _ in answers]
        assert statuses.count(200) == len(answers), (path, statuses)
        latencies = [seconds for _, seconds in answers]
        p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98]
        print(f"{path}: {len(answers)} probes, p50 {1000 * statistics.median(latencies):.1f} ms, p99 {1000 * p99:.1f} ms")
        assert p99 < MAX_P99_S, (path, p99)
    print("closed by the server:", attacker.closed_by_server)
    assert attacker.closed_by_server >= SLOW_HEADERS, "the server closes connections whose headers do not arrive in time"
