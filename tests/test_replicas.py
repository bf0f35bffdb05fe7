"""Replicas: several servers serve one releases folder read-only and switch to a new release under load.

Two `spacekg serve` processes (two workers each) share the releases folder of a copy of the tiny
project that has one release already (`published_project`). Client threads keep requests flowing over keep-alive connections while a new release is built
and switched in. Every answer must be a 200, and each must come from exactly one release: the release
named by the SpaceKG-Release header, by the ETag and by the release IRI in the answer's rows must agree.

A release that cannot be loaded is the business of one worker's release follower, so that test runs
the app in this process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from conftest import RunningServer, app_settings, record_figures
from spacekg.pipeline import build
from spacekg.settings import Settings
from spacekg.store.releases import current_release
from spacekg.web import create_app

RELEASE_QUERY = "PREFIX skg: <https://w3id.org/spacekg/ontology#> SELECT ?release WHERE {{ ?release a skg:Release }} LIMIT {limit}"
CLIENTS_PER_SERVER = 4
ANSWERS_EACH_WAY = 5  # every client sees this many answers before the new release is built, and as many from the new one


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


def _wait_for(condition: Callable[[], bool], seconds: float, pause: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(pause)
    return True


def _all_serve(urls: list[str], release_id: str) -> bool:
    # Both workers of each server must have switched: ask often enough to reach each of them.
    return {requests.get(url + "/health", timeout=10).json()["release"] for url in urls for _ in range(8)} == {release_id}


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.alone
def test_a_new_release_is_switched_in_under_load_with_no_failed_or_mixed_answer(published_project: Settings) -> None:
    """Slow on purpose (~10 s): two servers start, and a release is built while eight clients keep them busy."""
    first = current_release(published_project.releases)
    with ThreadPoolExecutor(max_workers=2) as pool:  # the two servers start side by side
        servers = list(pool.map(lambda _: RunningServer("--project", str(published_project.project_dir), "serve", "--workers", "2"), range(2)))
    stop = threading.Event()
    logs = [ClientLog() for _ in range(CLIENTS_PER_SERVER * len(servers))]
    clients = [threading.Thread(target=_client, args=(servers[n % len(servers)].url, stop, log, n)) for n, log in enumerate(logs)]
    try:
        for client in clients:
            client.start()
        assert _wait_for(lambda: all(len(log.releases) >= ANSWERS_EACH_WAY or log.errors for log in logs), 30), "the clients got no answers"
        second = build(published_project)  # same inputs, new release id: the answers name the release they come from
        assert second.release_id != first.release_id
        published = time.monotonic()
        switched = _wait_for(lambda: _all_serve([server.url for server in servers], second.release_id), 60, pause=0.2)
        switch_seconds = time.monotonic() - published
        # The load stays on after the switch: every client gets answers from the new release.
        _wait_for(lambda: all(log.releases.count(second.release_id) >= ANSWERS_EACH_WAY or log.errors for log in logs), 30)
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
    for log in logs:
        assert log.releases[0] == first.release_id and log.releases.count(second.release_id) >= ANSWERS_EACH_WAY, (
            "every client saw the old release, then the new one, under load")
        # One client keeps its connection, so it talks to one worker: once it sees the new release, never the old again.
        after = log.releases[log.releases.index(second.release_id):]
        assert first.release_id not in after, "a worker went back to the old release"
    record_figures("replicas", {"servers": len(servers), "workers_each": 2, "keep_alive_clients": len(logs), "answers": answers,
                                "errors": 0, "mixed_answers": 0, "all_switched_after_s": round(switch_seconds, 1)})


def test_a_release_that_cannot_be_loaded_leaves_the_old_one_serving(published_project: Settings, caplog: pytest.LogCaptureFixture) -> None:
    releases = published_project.releases
    good = current_release(releases)
    broken = releases / "20990101T000000000000Z-broken"
    broken.mkdir()
    (broken / "release.json").write_text('{"release_id": "20990101T000000000000Z-broken"}', encoding="utf-8")
    app = create_app(app_settings(good))
    client = app.test_client()
    try:
        _point_current_at(releases, broken.name)

        def refused() -> bool:
            # Requests drive the follower: at most once a second one starts a check of the `current` link.
            assert client.get("/health").status_code == 200
            return any("could not be loaded" in record.getMessage() for record in caplog.records)

        with caplog.at_level(logging.ERROR, logger="spacekg.web"):
            assert _wait_for(refused, 15), "the broken release was never tried"
        answers = [client.get("/health") for _ in range(5)]
        assert {response.status_code for response in answers} == {200}
        assert {response.get_json()["release"] for response in answers} == {good.release_id}
        _point_current_at(releases, good.path.name)
        assert current_release(releases).release_id == good.release_id
    finally:
        app.config["SPACEKG_FOLLOWER"].served.runner.close()
    message = next(record.getMessage() for record in caplog.records if "could not be loaded" in record.getMessage())
    assert broken.name in message and good.release_id in message  # which release failed, and which one still serves


def _point_current_at(releases: Path, folder: str) -> None:
    pending = releases / ".current-test"
    os.symlink(folder, pending)
    os.replace(pending, releases / "current")
