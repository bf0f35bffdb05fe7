"""Replicas: several servers serve one releases folder read-only and switch to a new release under load.

Two `spacekg serve` processes (two workers each) share the project copy's releases folder. Client
threads keep requests flowing over keep-alive connections while a new release is built and switched
in. Every answer must be a 200, and each must come from exactly one release: the release named by
the SpaceKG-Release header, by the ETag and by the release IRI in the answer's rows must agree.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from conftest import RunningServer, record_figures
from spacekg.pipeline import build
from spacekg.settings import Settings
from spacekg.store.releases import current_release

RELEASE_QUERY = "PREFIX skg: <https://w3id.org/spacekg/ontology#> SELECT ?release WHERE {{ ?release a skg:Release }} LIMIT {limit}"
CLIENTS_PER_SERVER = 4


@dataclass
class ClientLog:
    """What one client thread saw: the release of each answer in order, and anything that went wrong."""

    releases: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _release_of(response: requests.Response) -> str:
    """The one release an answer comes from, or an error text if its header, ETag and rows disagree."""
    header = response.headers.get("SpaceKG-Release", "")
    etag = response.headers.get("ETag", "")
    rows = response.json()["results"]["bindings"]
    in_rows = {row["release"]["value"].rstrip("/").rsplit("/", 1)[-1] for row in rows}
    if not etag.startswith(f'"{header}-') or in_rows != {header}:
        return f"mixed answer: header {header!r}, ETag {etag!r}, rows {sorted(in_rows)}"
    return header


def _client(url: str, stop: threading.Event, log: ClientLog, number: int) -> None:
    session = requests.Session()  # keep-alive: a switch must not drop a connection
    request_count = 0
    while not stop.is_set():
        request_count += 1
        limit = 1 + (number * 7 + request_count) % 40  # vary the text so workers evaluate, not only serve their cache
        try:
            response = session.get(url + "/sparql", params={"query": RELEASE_QUERY.format(limit=limit)},
                                   headers={"Accept": "application/sparql-results+json"}, timeout=30)
        except requests.RequestException as error:
            log.errors.append(f"request failed: {error}")
            continue
        if response.status_code != 200:
            log.errors.append(f"{response.status_code}: {response.text[:200]}")
            continue
        release = _release_of(response)
        (log.errors if release.startswith("mixed") else log.releases).append(release)


def _wait_until_all_serve(urls: list[str], release_id: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        # Both workers of each server must have switched: ask often enough to reach each of them.
        seen = {requests.get(url + "/health", timeout=10).json()["release"] for url in urls for _ in range(8)}
        if seen == {release_id}:
            return True
        time.sleep(0.5)
    return False


def test_a_new_release_is_switched_in_under_load_with_no_failed_or_mixed_answer(project_copy: Settings) -> None:
    first = build(project_copy)
    servers = [RunningServer("--project", str(project_copy.project_dir), "serve", "--workers", "2") for _ in range(2)]
    stop = threading.Event()
    logs = [ClientLog() for _ in range(CLIENTS_PER_SERVER * len(servers))]
    clients = [threading.Thread(target=_client, args=(servers[n % len(servers)].url, stop, log, n)) for n, log in enumerate(logs)]
    try:
        for client in clients:
            client.start()
        time.sleep(2)
        second = build(project_copy)  # same inputs, new release id: the answers name the release they come from
        assert second.release_id != first.release_id
        published = time.monotonic()
        switched = _wait_until_all_serve([server.url for server in servers], second.release_id, 60)
        switch_seconds = time.monotonic() - published
        time.sleep(2)  # keep the load on after the switch
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)
        for server in servers:
            server.stop()

    assert switched, "not every worker switched to the new release within 60 s"
    errors = [error for log in logs for error in log.errors]
    answers = sum(len(log.releases) for log in logs)
    assert not errors, f"{len(errors)} of {answers + len(errors)} requests failed or mixed releases, e.g. {errors[:3]}"
    assert {release for log in logs for release in log.releases} == {first.release_id, second.release_id}
    for log in logs:
        # One client keeps its connection, so it talks to one worker: once it sees the new release, never the old again.
        if second.release_id in log.releases:
            after = log.releases[log.releases.index(second.release_id):]
            assert first.release_id not in after, "a worker went back to the old release"
    assert answers > 100, f"only {answers} answers: the load was too light to show anything"
    record_figures("replicas", {"servers": len(servers), "workers_each": 2, "keep_alive_clients": len(logs), "answers": answers,
                                "errors": 0, "mixed_answers": 0, "all_switched_after_s": round(switch_seconds, 1)})


def test_a_release_that_cannot_be_loaded_leaves_the_old_one_serving(project_copy: Settings) -> None:
    good = build(project_copy)
    releases = project_copy.releases
    broken = releases / "20990101T000000000000Z-broken"
    broken.mkdir()
    (broken / "release.json").write_text('{"release_id": "20990101T000000000000Z-broken"}', encoding="utf-8")
    server = RunningServer("--project", str(project_copy.project_dir), "serve", "--workers", "1")
    try:
        _point_current_at(releases, broken.name)
        time.sleep(3)  # past the once-a-second check and the failed load
        answers = [requests.get(server.url + "/health", timeout=10) for _ in range(5)]
        assert {response.status_code for response in answers} == {200}
        assert {response.json()["release"] for response in answers} == {good.release_id}
        _point_current_at(releases, good.path.name)
        assert current_release(releases).release_id == good.release_id
    finally:
        server.stop(keep_stderr=True)
    assert "could not be loaded" in server.stderr_text and broken.name in server.stderr_text


def _point_current_at(releases: Path, folder: str) -> None:
    pending = releases / ".current-test"
    os.symlink(folder, pending)
    os.replace(pending, releases / "current")
