"""Load: 64 concurrent connections for 5 s of mixed canned queries, and not one error.

A real `spacekg serve` on 127.0.0.1 (the session's `tiny_server`: two workers, the default threads) serves the
tiny release. 64 client threads, each with its own keep-alive connection (a requests.Session), send the
catalogue's queries (queries/*.rq) in random order for LOAD_S seconds: long enough for every connection
to be served many times over while all 64 are open, which is what "no error" needs. The minute-long run
whose figures BENCHMARKS.md quotes is a benchmark, not a test. Half of the requests carry a
distinct comment, so that the result cache cannot answer them and a query process evaluates each;
the other half are the queries as written, which the cache answers after their first run.

Every response must be a 200 whose body parses as SPARQL JSON results (head and results, or a
boolean). The figures (requests/s, p50, p99, by cached and uncached) are printed (pytest -rP shows
them) and written to test-artifacts/load.json. The client threads share the
machine with the server, so the figures are those of this whole setup, not of the server alone.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import threading
import time
from dataclasses import dataclass, field

import pytest
import requests

from conftest import PROJECT

CONNECTIONS = 64
LOAD_S = 5.0
LONG_FORM_LOAD_S = 60.0  # pytest --long-form: the benchmark run BENCHMARKS.md quotes
UNCACHED_SHARE = 0.5
CANNED = {path.stem: path.read_text(encoding="utf-8") for path in sorted((PROJECT / "queries").glob("*.rq"))}
JSON = "application/sparql-results+json"


@dataclass
class Tally:
    """What the clients saw, shared between their threads."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"cached": [], "uncached": []})
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _problem(response: requests.Response) -> str:
    """'' for a 200 that parses as SPARQL JSON results, else what is wrong with the response."""
    if response.status_code != 200:
        return f"status {response.status_code}: {response.text[:200]}"
    try:
        answer = response.json()
    except ValueError as error:
        return f"not JSON ({error}): {response.text[:200]}"
    if "boolean" in answer:
        return "" if isinstance(answer["boolean"], bool) else f"boolean is {answer['boolean']!r}"
    if not isinstance(answer.get("head", {}).get("vars"), list) or not isinstance(answer.get("results", {}).get("bindings"), list):
        return f"not SPARQL JSON results: {response.text[:200]}"
    return ""


def connection(url: str, deadline: float, seed: int, tally: Tally) -> None:
    """One connection: canned queries in random order until `deadline`."""
    chooser = random.Random(seed)
    names = list(CANNED)
    with requests.Session() as session:
        while time.monotonic() < deadline:
            name = chooser.choice(names)
            uncached = chooser.random() < UNCACHED_SHARE
            # A distinct comment makes a distinct cache key without changing what the query asks.
            query = CANNED[name] + (f"\n# load {seed} {chooser.getrandbits(64):x}\n" if uncached else "")
            started = time.monotonic()
            try:
                response = session.post(url + "/sparql", data=query.encode(), timeout=120,
                                        headers={"Content-Type": "application/sparql-query", "Accept": JSON})
                problem = _problem(response)
            except requests.RequestException as error:
                problem = f"{type(error).__name__}: {error}"
            seconds = time.monotonic() - started
            with tally.lock:
                if problem:
                    tally.errors.append(f"{name} ({'uncached' if uncached else 'cached'}): {problem}")
                else:
                    tally.latencies["uncached" if uncached else "cached"].append(seconds)


def _summary(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"n": len(values), "p50_ms": 1000 * statistics.median(values), "p99_ms": 1000 * cuts[98], "max_ms": 1000 * max(values)}


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.alone
def test_64_connections_sending_canned_queries_for_5_s_get_no_error(tiny_server: str, long_form: bool) -> None:
    """Slow on purpose (5 s of load; 60 s with --long-form): 64 keep-alive connections at once against two workers of eight threads."""
    load_s = LONG_FORM_LOAD_S if long_form else LOAD_S
    tally = Tally()
    client_cpu = time.process_time()  # the clients share the machine: how much of it they used is part of the figures
    started = time.monotonic()
    deadline = started + load_s
    threads = [threading.Thread(target=connection, args=(tiny_server, deadline, seed, tally), daemon=True) for seed in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=load_s + 150)
    elapsed = time.monotonic() - started
    client_cpu = time.process_time() - client_cpu
    assert not any(thread.is_alive() for thread in threads), "a client never got its last answer"

    every = tally.latencies["cached"] + tally.latencies["uncached"]
    figures = {
        "connections": CONNECTIONS, "seconds": round(elapsed, 2), "queries": len(CANNED), "uncached_share": UNCACHED_SHARE,
        "cpus": os.cpu_count(), "client_cpu_share": round(client_cpu / elapsed, 2), "requests": len(every) + len(tally.errors), "errors": len(tally.errors),
        "requests_per_s": round(len(every) / elapsed, 1),
        "all": _summary(every), "cached": _summary(tally.latencies["cached"]), "uncached": _summary(tally.latencies["uncached"]),
    }
    print(json.dumps(figures, indent=2))
    artifacts = PROJECT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "load.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    assert tally.errors == [], f"{len(tally.errors)} errors, the first: {tally.errors[:5]}"
    assert len(tally.latencies["uncached"]) >= CONNECTIONS, "the load reached the query processes, not only the cache"
