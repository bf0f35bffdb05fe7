"""Run the app under gunicorn, a production WSGI server with several worker processes."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from spacekg.settings import Settings
from spacekg.web import create_app, load_dataset


class _Server(BaseApplication):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dataset = load_dataset(settings)  # loaded once in the master; workers share it copy-on-write
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"{self.settings.host}:{self.settings.port}")
        self.cfg.set("workers", self.settings.workers)
        # Threads give HTTP keep-alive and overlap I/O; each thread has its own killable query process.
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", self.settings.threads)
        self.cfg.set("keepalive", 5)
        self.cfg.set("limit_request_line", 8190)  # gunicorn's maximum: GET queries up to ~8 KB; POST for longer ones
        self.cfg.set("accesslog", "-")
        # A worker is never stuck past the query limit (its query child is killed), so a longer
        # gunicorn timeout only catches a worker that is wedged for other reasons.
        self.cfg.set("timeout", int(self.settings.query_timeout_s) + 30)

    def load(self) -> Flask:
        return create_app(self.settings, self.dataset)


def serve(settings: Settings, **_: Any) -> None:
    """Serve the current release (or the given files) until interrupted; fails early if there is nothing to serve."""
    # SpaceKG's own messages (release switches, failed loads) go to standard error beside gunicorn's.
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
                        datefmt="%Y-%m-%d %H:%M:%S %z")
    _Server(settings).run()
