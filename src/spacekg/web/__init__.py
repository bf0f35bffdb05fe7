"""Stage 6: the web. `create_app(settings)` builds the Flask app over the current release."""

from __future__ import annotations

from flask import Flask, Response, jsonify

from spacekg.settings import Settings
from spacekg.stats import release_stats
from spacekg.store.releases import current_release
from spacekg.web.errors import register_error_handlers
from spacekg.web.sparql import sparql


def create_app(settings: Settings) -> Flask:
    """The app serves one release, opened read-only; a new release is picked up by restarting workers."""
    release = current_release(settings.releases)
    app = Flask(__name__)
    app.config["SPACEKG_SETTINGS"] = settings
    app.config["SPACEKG_RELEASE"] = release
    app.config["SPACEKG_STORE"] = release.open_store()
    register_error_handlers(app)
    app.register_blueprint(sparql)

    @app.get("/")
    def landing() -> Response:
        stats = release_stats(app.config["SPACEKG_STORE"])
        return jsonify({"name": "SpaceKG", "release": release.release_id, "sparql": "/sparql",
                        "graphs": stats.graphs, "records": stats.records})

    @app.get("/health")
    def health() -> Response:
        return jsonify({"status": "ok", "release": release.release_id})

    return app
