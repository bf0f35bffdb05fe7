"""Workers killed with SIGKILL (as the OOM killer does) leave no query process behind, and a worker that starts
answers from the current release, not from the one its master loaded.

A real `spacekg serve` (granian, two workers) in its own session: a process of that session whose parent is not
one of its processes is an orphan. The process and the kill are the point of the test.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from conftest import RunningServer, record_figures
from spacekg.pipeline import build
from spacekg.settings import Settings
from spacekg.store.releases import Release, current_release
from spacekg.web import query_pool
from spacekg.web.evaluation import QueryJob
from spacekg.web.query_pool import ExecutorPool

KILLS = 12  # each kill lands at another moment of the load; 20 took 5 s more and found nothing 12 did not
# A cross product of every triple with itself, four times: runs to the time limit, so some query processes are busy
# when their worker is killed.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def session_processes(session: int) -> dict[int, int]:
    """pid -> parent pid of every live process of the session."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        state, parent, _, sid = fields[0], int(fields[1]), fields[2], int(fields[3])
        if sid == session and state != "Z":
            found[int(entry.name)] = parent
    return found


def orphans(session: int, master: int) -> list[int]:
    processes = session_processes(session)
    return [pid for pid, parent in processes.items() if pid != master and parent not in processes]


def workers(session: int, master: int) -> list[int]:
    return sorted(pid for pid, parent in session_processes(session).items() if parent == master)


def load(url: str, stop: threading.Event, answers: list[tuple[float, str]], number: int) -> None:
    """Cheap queries, distinct so that none is cached, and now and then a runaway; /health answers are kept."""
    session = requests.Session()
    count = 0
    while not stop.is_set():
        count += 1
        query = RUNAWAY if count % 7 == number % 7 else f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {count % 50 + 1} OFFSET {number}"
        try:
            session.get(url + "/sparql", params={"query": query}, timeout=15)
            health = session.get(url + "/health", timeout=15)
            if health.ok:
                answers.append((time.monotonic(), health.json()["release"]))
        except requests.RequestException:
            session = requests.Session()  # its worker was killed: a new connection reaches another


@pytest.fixture
def server(published_project: Settings) -> Iterator[RunningServer]:
    running = RunningServer("--project", str(published_project.project_dir), "serve", "--workers", "2", "--timeout", "3")
    yield running
    running.stop()


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.alone
def test_killed_workers_leave_no_query_process_and_new_workers_serve_the_current_release(
        server: RunningServer, published_project: Settings) -> None:
    """Slow on purpose (~8 s): 12 workers are killed one after the other under load, and a release is built meanwhile."""
    master = server.process.pid
    session = os.getsid(master)
    stop = threading.Event()
    answers: list[list[tuple[float, str]]] = [[] for _ in range(4)]
    clients = [threading.Thread(target=load, args=(server.url, stop, answers[n], n)) for n in range(len(answers))]
    first = current_release(published_project.releases).release_id
    published_at = 0.0
    try:
        for client in clients:
            client.start()
        time.sleep(1)
        for kill in range(KILLS):
            if kill == KILLS // 2:
                second = build(published_project)
                published_at = time.monotonic()
            running = workers(session, master)
            assert running, "the server has no worker"
            # The oldest worker, so that the two are killed in turn: granian takes the same worker dying twice in a row
            # within 5.5 s for a crash loop, and exits for its supervisor to restart it (docs/server-stack.md).
            os.kill(running[0], signal.SIGKILL)
            deadline = time.monotonic() + 20
            while len(workers(session, master)) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)
        time.sleep(2)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=30)
    left = orphans(session, master)
    assert left == [], f"{len(left)} processes outlived their worker: {left}"
    late = [release for log in answers for at, release in log if at > published_at + 1.0]
    stale = [release for release in late if release != second.release_id]
    assert late and stale == [], f"{len(stale)} of {len(late)} answers more than 1 s after the build came from {first}"
    record_figures("worker_deaths", {"kills": KILLS, "orphans": 0, "answers_after_build": len(late), "stale_answers": 0})


@pytest.mark.server
def test_a_killed_master_takes_its_workers_and_their_query_processes_with_it(server: RunningServer) -> None:
    master = server.process.pid
    session = os.getsid(master)
    assert requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=15).ok  # a query process exists
    assert len(session_processes(session)) >= 4, "a master, two workers and a query process"
    os.kill(master, signal.SIGKILL)
    server.process.wait()
    deadline = time.monotonic() + 10
    while session_processes(session) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_processes(session) == {}, "workers or query processes outlived the master"
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/health", timeout=5)


def _ask_runaway(url: str) -> None:
    try:
        requests.get(url + "/sparql", params={"query": RUNAWAY}, timeout=30)
    except requests.RequestException:
        pass  # the server is stopping under it: any end will do


@pytest.mark.server
def test_a_server_stopped_while_queries_run_exits_within_seconds(built_tiny: Release) -> None:
    """SIGTERM with runaway queries in flight. Each worker kills its query processes as it exits; before, it waited for
    them, and a query process forked a moment earlier still had the worker's SIGTERM handler, ignored the signal, and
    held the worker until its master killed it 32 s later (2 of 3 stops by hand; this test, without the fix, failed 1
    of 3 runs). Three stops, since the race is not certain; the exit hook itself is tested deterministically below."""
    for _ in range(3):
        running = RunningServer("--releases", str(built_tiny.path.parent), "serve", "--workers", "2", "--timeout", "2")
        clients = [threading.Thread(target=_ask_runaway, args=(running.url,)) for _ in range(4)]
        for client in clients:
            client.start()
        time.sleep(0.5)
        started = time.monotonic()
        running.process.send_signal(signal.SIGTERM)
        running.process.wait(timeout=60)
        seconds = time.monotonic() - started
        running.stop()
        for client in clients:
            client.join(timeout=30)
        assert seconds < 10, f"the server took {seconds:.1f} s to stop"


def test_the_exit_hook_kills_the_query_processes_at_once(built_tiny: Release) -> None:
    pool = ExecutorPool(built_tiny.open_store(), size=2)
    assert pool.run(QueryJob("ASK { ?s ?p ?o }", "application/sparql-results+json", "text/turtle", 10), 10).body
    children = [executor._process for executor in pool._all if executor._process is not None]
    assert children and all(child.is_alive() for child in children)
    started = time.monotonic()
    query_pool._kill_children_at_exit()
    assert not any(child.is_alive() for child in children)
    assert time.monotonic() - started < 2
    assert all(child.exitcode == -signal.SIGKILL for child in children)
