"""Stage 6: the web. `create_app(settings)` builds the Flask app over the current release (or given files)."""

from __future__ import annotations

import os
from collections.abc import Callable

from flask import Flask, Response, jsonify, request

from spacekg.queries import load_catalogue
from spacekg.settings import Settings
from spacekg.store.releases import CURRENT, current_release
from spacekg.store.remote import RemoteStore, remote_release_id
from spacekg.store.serving import ServedDataset, load_files, load_release, load_remote
from spacekg.web.context import context
from spacekg.web.edge import Edge, public_url, trusted_networks
from spacekg.web.errors import register_error_handlers
from spacekg.web.feed import feed
from spacekg.web.front import refusal_of
from spacekg.web.linked_data import linked_data
from spacekg.web.metrics import init_metrics
from spacekg.web.pages import init_pages
from spacekg.web.query_pool import ExecutorPool
from spacekg.web.remote_runner import RemoteQueryRunner
from spacekg.web.result_cache import ResultCache
from spacekg.web.site import Site
from spacekg.web.sparql import sparql
from spacekg.web.state import QueryRunner, ReleaseFollower, Served, init_state, served
from spacekg.web.void import void


def load_dataset(settings: Settings) -> ServedDataset:
    """The dataset to serve: RDF files named in the settings, the release in a remote store, else the current release."""
    if settings.dataset_files:
        return load_files(list(settings.dataset_files))
    if settings.store_url:
        return load_remote(settings.store_url, settings.base_iri, settings.releases, settings.query_timeout_s)
    return load_release(current_release(settings.releases))


def release_probe(settings: Settings, dataset: ServedDataset) -> Callable[[], str] | None:
    """How a worker learns which release is current: the remote store's meta graph, the `current` link, or never (files)."""
    store = dataset.store
    if isinstance(store, RemoteStore):
        return lambda: remote_release_id(store, settings.base_iri)
    if settings.dataset_files or dataset.release is None:
        return None
    return lambda: os.readlink(settings.releases / CURRENT)  # the link names the release's folder, which is its id


def bundle(dataset: ServedDataset, settings: Settings) -> Served:
    """What a worker keeps for one release: its query runner, result cache and page caches."""
    store = dataset.store
    runner: QueryRunner = (RemoteQueryRunner(store) if isinstance(store, RemoteStore)
                           else ExecutorPool(store, settings.threads, settings.query_memory_mb, settings.query_wait_s))
    return Served(dataset, runner, ResultCache(max_entries=512, max_bytes=64 << 20), Site(dataset, settings.base_iri))


def create_app(settings: Settings, dataset: ServedDataset | None = None) -> Flask:
    """One app serves one immutable release at a time and switches to a new one when `current` moves."""
    inherited = dataset is not None  # loaded by the server's master process, maybe long before this worker started
    dataset = dataset or load_dataset(settings)
    app = Flask(__name__)
    # Links and redirects name the public URL; only a trusted proxy's X-Forwarded-* headers may name another.
    app.wsgi_app = Edge(app.wsgi_app, public_url(settings.public_url, settings.host, settings.port),  # type: ignore[method-assign]
                        trusted_networks(settings.trusted_proxies))
    app.config["SPACEKG_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["SPACEKG_CATALOGUE"] = load_catalogue(settings.queries) if settings.queries.is_dir() else {}
    follower = ReleaseFollower(bundle(dataset, settings), lambda fresh: bundle(fresh, settings), lambda: load_dataset(settings),
                               release_probe(settings, dataset))
    if inherited:
        follower.catch_up()
    init_state(app, follower)
    register_error_handlers(app)

    @app.before_request
    def refuse_what_the_front_refused() -> None:  # a body too slow or too large (front.py): answered like any error
        refusal = refusal_of(request.environ)
        if refusal is not None:
            raise refusal

    init_metrics(app)
    app.register_blueprint(sparql)
    app.register_blueprint(void)
    app.register_blueprint(context)
    app.register_blueprint(feed)
    app.register_blueprint(linked_data)
    init_pages(app)

    @app.get("/health")
    def health() -> Response:
        return jsonify({"status": "ok", "release": served().dataset.version})

    return app
