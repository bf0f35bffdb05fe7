"""Run the app under gunicorn, a production WSGI server with several worker processes."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from spacekg.settings import Settings
from spacekg.store.releases import current_release
from spacekg.web import create_app


class _Server(BaseApplication):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"{self.settings.host}:{self.settings.port}")
        self.cfg.set("workers", self.settings.workers)
        self.cfg.set("accesslog", "-")

    def load(self) -> Flask:
        return create_app(self.settings)


def serve(settings: Settings, **_: Any) -> None:
    """Serve the current release until interrupted (fails early if there is none)."""
    current_release(settings.releases)
    _Server(settings).run()
