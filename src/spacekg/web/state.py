"""The release a worker serves, and switching to a newer one without failing or mixing a request.

A worker holds one `Served` bundle per release: the dataset, its query processes, its result cache
and its page caches. Every request takes the bundle that is current when it starts and keeps it to
the end, so each response comes from exactly one release (its ETag and SpaceKG-Release say which).

Replicas: any number of server processes, on one host or on hosts sharing the releases folder, serve
it read-only. Each follows the `current` symlink on its own: at most once a second a request looks at
where the link points; when it has moved, a background thread loads the new release and switches it
in once it is ready. Requests keep being answered from the old release meanwhile, and the old bundle's
query processes are stopped when its last request finishes. No connection is closed, so keep-alive
clients see no error during a switch.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask, current_app, g, has_app_context

from spacekg.store.serving import ServedDataset

if TYPE_CHECKING:
    from spacekg.web.executor import QueryJob, QueryOutcome
    from spacekg.web.pages.site import Site
    from spacekg.web.result_cache import ResultCache

log = logging.getLogger("spacekg.web")
CHECK_INTERVAL_S = 1.0  # how often a worker looks at the `current` link; a readlink is cheap, a request is not


class QueryRunner(Protocol):
    """Evaluates SPARQL protocol jobs within a time limit: local query processes or a remote store."""

    def run(self, job: QueryJob, timeout_s: float) -> QueryOutcome: ...

    def close(self) -> None: ...


@dataclass
class Served:
    """Everything a worker keeps for one release."""

    dataset: ServedDataset
    runner: QueryRunner
    results: ResultCache
    site: Site
    active: int = 0
    retired: bool = False
    memo: dict[str, Any] = field(default_factory=dict)


class ReleaseFollower:
    """Hands each request the bundle of the current release; follows `current` when `releases` is given."""

    def __init__(self, served: Served, make_served: Callable[[ServedDataset], Served],
                 load_current: Callable[[], ServedDataset], releases: Path | None) -> None:
        self._served = served
        self._make_served = make_served
        self._load_current = load_current
        self._link = releases / "current" if releases is not None else None
        self._lock = threading.Lock()
        self._next_check = time.monotonic() + CHECK_INTERVAL_S
        self._switching = False
        self._failed_target = ""  # a release that would not load is not retried until the link moves again
        self.switches = 0

    @property
    def served(self) -> Served:
        return self._served

    def acquire(self) -> Served:
        """The bundle a request uses from start to finish (give it back with `release`)."""
        if self._link is not None and time.monotonic() >= self._next_check:
            self._check_link()
        with self._lock:
            served = self._served
            served.active += 1
            return served

    def release(self, served: Served) -> None:
        with self._lock:
            served.active -= 1
            finished = served.retired and served.active == 0
        if finished:
            served.runner.close()

    def _check_link(self) -> None:
        assert self._link is not None
        with self._lock:
            if self._switching or time.monotonic() < self._next_check:
                return
            self._next_check = time.monotonic() + CHECK_INTERVAL_S
            try:
                target = os.readlink(self._link)
            except OSError:
                return  # no link (yet): keep serving what we have
            served_release = self._served.dataset.release
            if served_release is None or target in (served_release.path.name, self._failed_target):
                return
            self._switching = True
        threading.Thread(target=self._switch, args=(target,), name="spacekg-release-switch", daemon=True).start()

    def _switch(self, target: str) -> None:
        try:
            fresh = self._make_served(self._load_current())
            fresh.site.labels  # noqa: B018  (warm the label cache before the first page needs it)
        except Exception as error:  # noqa: BLE001  (any failure to load keeps the old release serving; it is logged)
            log.error("release %s could not be loaded, still serving %s: %s", target, self._served.dataset.version, error)
            with self._lock:
                self._failed_target, self._switching = target, False
            return
        with self._lock:
            old, self._served = self._served, fresh
            old.retired = True
            idle = old.active == 0
            self._switching = False
            self.switches += 1
        log.info("now serving release %s (was %s)", fresh.dataset.version, old.dataset.version)
        if idle:
            old.runner.close()


def init_state(app: Flask, follower: ReleaseFollower) -> None:
    """Bind each request to one release's bundle for its whole life."""
    app.config["SPACEKG_FOLLOWER"] = follower

    @app.before_request
    def take_release() -> None:
        g.spacekg_served = follower.acquire()

    @app.teardown_request
    def give_back_release(_: BaseException | None) -> None:
        served = g.pop("spacekg_served", None)
        if served is not None:
            follower.release(served)


def served() -> Served:
    """The bundle of the release this request is answered from (outside a request: the current one)."""
    bound = g.get("spacekg_served") if has_app_context() else None
    if bound is not None:
        return bound
    follower: ReleaseFollower = current_app.config["SPACEKG_FOLLOWER"]
    return follower.served
