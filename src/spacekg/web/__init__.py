"""Stage 6: the web. `create_app(settings)` builds the Flask app over the current release (or given files)."""

from __future__ import annotations

from flask import Flask, Response, jsonify
from werkzeug.middleware.proxy_fix import ProxyFix

from spacekg.queries import load_catalogue
from spacekg.settings import Settings
from spacekg.store.releases import current_release
from spacekg.store.serving import ServedDataset, load_files, load_release
from spacekg.web.errors import register_error_handlers
from spacekg.web.metrics import init_metrics
from spacekg.web.pages import init_pages
from spacekg.web.sparql import init_sparql
from spacekg.web.void import void


def load_dataset(settings: Settings) -> ServedDataset:
    """The dataset to serve: RDF files named in the settings, else the current release."""
    if settings.dataset_files:
        return load_files(list(settings.dataset_files))
    return load_release(current_release(settings.releases))


def create_app(settings: Settings, dataset: ServedDataset | None = None) -> Flask:
    """One app serves one immutable dataset, held in memory; a new release is picked up by restarting workers."""
    dataset = dataset or load_dataset(settings)
    app = Flask(__name__)
    # Behind a reverse proxy, links and redirects name the host and scheme the client used (X-Forwarded-Host, -Proto, …).
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)  # type: ignore[method-assign]
    app.config["SPACEKG_SETTINGS"] = settings
    app.config["SPACEKG_DATASET"] = dataset
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_bytes * 4  # form encoding inflates a query up to ~3x
    app.config["SPACEKG_CATALOGUE"] = load_catalogue(settings.queries) if settings.queries.is_dir() else {}
    register_error_handlers(app)
    init_metrics(app)
    init_sparql(app, dataset, settings)
    app.register_blueprint(void)
    init_pages(app, dataset, settings)

    @app.get("/health")
    def health() -> Response:
        return jsonify({"status": "ok", "release": dataset.version})

    return app
