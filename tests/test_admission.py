"""Admission control: a crowd of clients sending queries that run to the time limit cannot take the threads that
/health and cached answers need; a query that finds every query slot busy waits a bounded time, then gets a 503
with Retry-After. A real `spacekg serve` (two workers): the threads and the socket are the point.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from conftest import RunningServer, record_figures
from spacekg.store.releases import Release

RUNAWAY_CLIENTS = 32
LIMIT_S = 3
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }} # {n}"
CHEAP = "SELECT ?s WHERE { ?s a <https://w3id.org/spacekg/ontology#Treaty> } LIMIT 3"


@pytest.fixture
def server(built_tiny: Release) -> Iterator[RunningServer]:
    running = RunningServer("--releases", str(built_tiny.path.parent), "serve", "--workers", "2", "--timeout", str(LIMIT_S))
    yield running
    running.stop()


def crowd(url: str, stop: threading.Event, statuses: list[int], number: int) -> None:
    session = requests.Session()
    count = 0
    while not stop.is_set():
        count += 1
        try:
            answer = session.get(url + "/sparql", params={"query": RUNAWAY.format(n=f"{number}-{count}")}, timeout=30)
            statuses.append(answer.status_code)
            if answer.status_code == 503 and "Retry-After" in answer.headers and "slots" in answer.text:
                time.sleep(0.2)  # a polite client would wait Retry-After; this one only pauses
        except requests.RequestException:
            statuses.append(0)


def p99(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(0.99 * len(values)))]


@pytest.mark.server
@pytest.mark.slow
def test_a_crowd_of_runaway_queries_leaves_health_and_cached_answers_fast(server: RunningServer) -> None:
    """Slow on purpose (~15 s): 32 clients keep every query slot busy for 10 s while health and a cached query are timed."""
    warm = requests.get(server.url + "/sparql", params={"query": CHEAP}, timeout=10)  # cached in the worker it reaches
    assert warm.ok
    stop = threading.Event()
    statuses: list[list[int]] = [[] for _ in range(RUNAWAY_CLIENTS)]
    clients = [threading.Thread(target=crowd, args=(server.url, stop, statuses[n], n)) for n in range(RUNAWAY_CLIENTS)]
    health, cheap, failed = [], [], []
    try:
        for client in clients:
            client.start()
        time.sleep(2)  # every slot taken
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for path, params, times in (("/health", None, health), ("/sparql", {"query": CHEAP}, cheap)):
                started = time.monotonic()
                try:
                    answer = requests.get(server.url + path, params=params, timeout=5)
                    (times if answer.ok else failed).append(time.monotonic() - started)
                except requests.RequestException:
                    failed.append(time.monotonic() - started)
            time.sleep(0.1)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=40)
    answered = [status for log in statuses for status in log]
    busy = sum(status == 503 for status in answered)
    figures = {"clients": RUNAWAY_CLIENTS, "health_n": len(health), "health_p50_ms": round(1000 * statistics.median(health)),
               "health_p99_ms": round(1000 * p99(health)), "cached_n": len(cheap), "cached_p99_ms": round(1000 * p99(cheap)),
               "failed": len(failed), "runaway_answers": len(answered), "runaway_503": busy}
    record_figures("admission", figures)
    assert not failed, figures
    assert p99(health) < 1.0 and p99(cheap) < 1.0, figures
    assert busy and all(status == 503 for status in answered), figures  # at the limit (QueryTimeout) or turned away (ServerBusy)
