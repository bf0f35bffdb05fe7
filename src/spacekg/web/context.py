"""The JSON-LD @context of each release: /context.jsonld (the served release's) and /releases/<id>/context.jsonld.

Entity documents carry the part of the context they use (spacekg.formats.jsonld); the whole context is
published for programs that compact their own data with SpaceKG's names. The context of every release still
on disk is served (read from its ontology graph), and never changes (immutable, cacheable for a year).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app
from werkzeug.exceptions import NotFound

from spacekg.formats.jsonld import context_for
from spacekg.namespaces import Minter
from spacekg.settings import Settings
from spacekg.store.releases import release_ids
from spacekg.store.serving import ServedStore
from spacekg.terms import to_rdflib
from spacekg.web.answers import finish
from spacekg.web.state import served, site

context = Blueprint("context", __name__)
JSON_LD = "application/ld+json"
KEPT_CONTEXTS = 8  # contexts of older releases held in memory (each a few kilobytes)


def _ontology_context(store: ServedStore | ox.Store, base_iri: str) -> dict[str, Any]:
    graph = ox.NamedNode(str(Minter(base_iri).graph("ontology")))
    return context_for((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))  # type: ignore[arg-type]
                       for q in store.quads_for_pattern(None, None, None, graph))


def served_context() -> dict[str, Any]:
    """The @context of the served release (computed once per release)."""
    return site().cached("jsonld-context", lambda: _ontology_context(served().dataset.store, site().base_iri))


@lru_cache(maxsize=KEPT_CONTEXTS)
def _kept_context(store_path: Path, base_iri: str) -> dict[str, Any]:
    return _ontology_context(ox.Store.read_only(str(store_path)), base_iri)


def _answer(value: dict[str, Any], immutable: bool) -> Response:
    response = Response(json.dumps({"@context": value}, indent=1, sort_keys=True), mimetype=JSON_LD)
    response.headers["Access-Control-Allow-Origin"] = "*"  # JSON-LD processors in browsers fetch it cross-origin
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "public, max-age=300"
    return finish(response)


@context.get("/context.jsonld")
def current_context() -> Response:
    """The served release's context (it changes with the release; documents name the versioned URL instead)."""
    return _answer(served_context(), immutable=False)


@context.get("/releases/<release_id>/context.jsonld")
def release_context(release_id: str) -> Response:
    if release_id == served().dataset.version:
        return _answer(served_context(), immutable=True)
    settings: Settings = current_app.config["SPACEKG_SETTINGS"]
    store_path = settings.releases / release_id / "store"
    if release_id not in release_ids(settings.releases) or not store_path.is_dir():  # only a kept release's folder, by its listed name
        raise NotFound(f"no release {release_id!r} is kept here; the current release's context is at /context.jsonld")
    return _answer(_kept_context(store_path, site().base_iri), immutable=True)
