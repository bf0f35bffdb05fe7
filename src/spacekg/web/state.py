"""The release a worker serves, and switching to a newer one without failing or mixing a request.

A worker holds one `Served` bundle per release: the dataset, its query processes, its result cache
and its page caches. Every request takes the bundle that is current when it starts and keeps it to
the end, so each response comes from exactly one release (its ETag and SpaceKG-Release say which).

Replicas: any number of server processes, on one host or on hosts sharing the releases folder, serve
it read-only. Each follows the `current` symlink on its own (or, over a remote store, the release its
meta graph names): at most once a second a request starts a background check of which release is
current; when it has changed, that thread loads the new release and switches it in once it is ready.
Requests keep being answered from the old release meanwhile, and the old bundle's query processes
are stopped when its last request finishes. No connection is closed, so keep-alive clients see no
error during a switch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app, g, has_app_context

from spacekg.store.serving import ServedDataset
from spacekg.web.evaluation import QueryJob, QueryOutcome
from spacekg.web.result_cache import ResultCache
from spacekg.web.site import Site

log = logging.getLogger("spacekg.web")
CHECK_INTERVAL_S = 0.5  # how often a worker looks at the `current` link: a readlink is cheap; a switch is seen within a second


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


class ReleaseFollower:
    """Hands each request the bundle of the current release; follows it when given a `probe`.

    `probe()` names the release that should be served now (it may raise SpaceKGError or OSError, which
    means "ask again later"); `load_current()` loads it.
    """

    def __init__(self, served: Served, make_served: Callable[[ServedDataset], Served],
                 load_current: Callable[[], ServedDataset], probe: Callable[[], str] | None) -> None:
        self._served = served
        self._make_served = make_served
        self._load_current = load_current
        self._probe = probe
        self._lock = threading.Lock()
        self._next_check = time.monotonic() + CHECK_INTERVAL_S
        self._switching = False
        self._failed_target = ""  # a release that would not load is not retried until the link moves again
        self.switches = 0

    @property
    def served(self) -> Served:
        return self._served

    def current_version(self) -> str:
        """The release answers come from now (looking at `current` when a look is due, as a request does)."""
        if self._probe is not None and time.monotonic() >= self._next_check:
            self._check_release()
        return self._served.dataset.version

    def acquire(self) -> Served:
        """The bundle a request uses from start to finish (give it back with `release`)."""
        if self._probe is not None and time.monotonic() >= self._next_check:
            self._check_release()
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

    def catch_up(self) -> None:
        """Switch to the current release now, before answering, if the one given is no longer current: a worker that
        starts (or restarts after a crash) holds the release its master loaded, which may be days old."""
        if self._probe is None:
            return
        with self._lock:
            self._switching = True
        self._follow()

    def _check_release(self) -> None:
        with self._lock:
            if self._switching or time.monotonic() < self._next_check:
                return
            self._next_check = time.monotonic() + CHECK_INTERVAL_S
            self._switching = True  # one check at a time, off the request path; requests go on meanwhile
        threading.Thread(target=self._follow, name="spacekg-release-follower", daemon=True).start()

    def _follow(self) -> None:
        """Probe which release is current and, if it is a new one, load it and switch it in."""
        assert self._probe is not None
        target = ""
        try:
            target = self._probe()
            if target and target not in (self._served.dataset.version, self._failed_target):
                fresh = self._make_served(self._load_current())
                fresh.site.labels  # noqa: B018  (warm the label cache before the first page needs it)
            else:
                target = ""
        except Exception as error:  # noqa: BLE001  (whatever fails, the old release keeps serving; the failure is logged)
            log.error("release %s could not be loaded, still serving %s: %s", target or "(unknown)", self._served.dataset.version, error)
            with self._lock:
                self._failed_target = target or self._failed_target
                self._switching = False
            return
        with self._lock:
            self._switching = False
            if not target:
                return
            old, self._served = self._served, fresh
            old.retired = True
            idle = old.active == 0
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


def site() -> Site:
    """The Site (labels, links, compact names) of the release this request is answered from."""
    return served().site
