"""Run the app under granian: a Rust HTTP server whose connections cost no Python thread until a request has arrived.

The dataset is loaded once in the master process; granian forks the workers, which share it copy-on-write, and
each builds its own app (query processes, caches) after the fork. Each worker runs the front (front.py), an ASGI
app that reads bodies and sends answers on the event loop and runs Flask on a bounded thread pool.
Measured beside gunicorn's threads (docs/server-stack.md): slow and idle connections no longer starve `/health`,
and cheap requests cost about half the CPU.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
from typing import Any

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server import Server

from spacekg.settings import Settings
from spacekg.web import create_app, load_dataset
from spacekg.web.front import Front
from spacekg.web.front_cache import AnswerCache
from spacekg.web.sandbox import die_with_parent

HEADER_READ_TIMEOUT_MS = 5_000  # the request line and headers must arrive within 5 s; also how long an idle keep-alive lasts
# granian's "backpressure" caps the open connections of a worker (not its requests): a connection costs no thread,
# so the cap is high; set low, the cap itself would be what a flood of idle connections exhausts.
CONNECTIONS_PER_WORKER = 4_096
LOG_FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"
# granian writes its own messages to standard output by default; put them on standard error beside SpaceKG's.
GRANIAN_LOGGING: dict[str, Any] = {
    "formatters": {"generic": {"()": "logging.Formatter", "fmt": LOG_FORMAT, "datefmt": DATE_FORMAT},
                   "access": {"()": "logging.Formatter", "fmt": "%(message)s"}},
    "handlers": {"console": {"formatter": "generic", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
                 "access": {"formatter": "access", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
    # One line per chunk sent to a client that has gone ("ASGI transport error"): routine, not news.
    "loggers": {"_granian.asgi.io": {"level": "WARNING"}},
}


def _allow_open_connections() -> None:
    """Each connection is a file descriptor: raise the soft limit so that the connection cap, not it, is what binds."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = CONNECTIONS_PER_WORKER + 1024
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def _worker_app(settings: Settings, dataset: Any, master: int) -> Front:
    """Called in each worker after the fork: its own app, query-process pool, caches and request threads.

    A worker dies with its master (granian's workers do not watch it, and a master killed with SIGKILL would leave
    them serving, on a port a restarted server then shares with them through SO_REUSEPORT).
    """
    die_with_parent(master)
    app = create_app(settings, dataset)
    follower = app.config["SPACEKG_FOLLOWER"]
    # Behind a trusted proxy, X-Forwarded-* headers change the links in an answer: every request then goes to the app.
    answers = None if settings.trusted_proxies else AnswerCache(follower.current_version)
    return Front(app, settings.request_threads, settings.max_body_bytes, settings.body_timeout_s, answers)


def serve(settings: Settings, **_: Any) -> None:
    """Serve the current release (or the given files) until interrupted; fails early if there is nothing to serve."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, datefmt=DATE_FORMAT)
    dataset = load_dataset(settings)  # once, in the master: the forked workers share the store copy-on-write
    _allow_open_connections()
    # granian forks with multiprocessing's default start method; Python 3.14 would make it "spawn", which would
    # load the dataset again in every worker (and cannot pickle the loader below).
    multiprocessing.set_start_method("fork", force=True)
    server = Server(
        "spacekg.web.server:serve",  # a label only: the target loader builds the app
        address=settings.host, port=settings.port,
        interface=Interfaces.ASGI, http=HTTPModes.http1, websockets=False,
        workers=settings.workers,
        backlog=2048, backpressure=CONNECTIONS_PER_WORKER,
        http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_TIMEOUT_MS, keep_alive=True),
        log_level=LogLevels.info, log_dictconfig=GRANIAN_LOGGING,
        log_access=False,  # each query already gets one JSON line (spacekg.access); a line per request costs 15-25%
        # Default off: one worker killed (say by the OOM killer) would stop the server. On, a worker is replaced at
        # once; one that dies again within 5.5 s of being replaced is a crash loop, and the server exits (code 1) for
        # its supervisor to restart it (docs/server-stack.md).
        respawn_failed_workers=True,
        respawn_interval=1.0,
        workers_kill_timeout=int(settings.query_timeout_s) + 30,  # a worker that ignores SIGTERM is killed after this
    )
    master = os.getpid()  # granian forks the workers from this (main) thread, which lives as long as the master
    server.serve(target_loader=lambda _target: _worker_app(settings, dataset, master))
