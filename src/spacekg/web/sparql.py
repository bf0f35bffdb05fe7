"""The SPARQL 1.1 Protocol endpoint at /sparql: read-only, time-limited, row-capped, cached per release."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Flask, Response, current_app, request
from rdflib import Graph

from spacekg.errors import UsageError
from spacekg.settings import Settings
from spacekg.store.serving import ServedDataset
from spacekg.web.description import graph_sizes, service_description
from spacekg.web.executor import QueryJob
from spacekg.web.mediatypes import GRAPH_TYPES, RESULT_TYPES, by_format_parameter, format_names, negotiate
from spacekg.web.metrics import record_query
from spacekg.web.protocol import parse_query_request
from spacekg.web.state import served

sparql = Blueprint("sparql", __name__)

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept, If-None-Match",
    "Access-Control-Expose-Headers": "ETag, SpaceKG-Result-Truncated, SpaceKG-Rows, SpaceKG-Release",
}


class NotAcceptable(UsageError):
    http_status = 406


def init_sparql(app: Flask) -> None:
    app.register_blueprint(sparql)


def _choose(table: dict, default: str, what: str) -> str:
    # Clients such as SPARQLWrapper send several format= values (a name and a media type); the first known one wins.
    explicit = [value for value in request.values.getlist("format") if value.strip()]
    if explicit:
        for value in explicit:
            chosen = by_format_parameter(value, table)
            if chosen is not None:
                return chosen
        raise NotAcceptable(f"format {explicit[0]!r} is not available for {what}", f"use one of: {', '.join(format_names(table))}")
    chosen = negotiate(request.headers.get("Accept"), list(table), default)
    if chosen is None:
        raise NotAcceptable(f"none of the types in Accept: {request.headers.get('Accept')} is available for {what}",
                            f"accept one of: {', '.join(table)}")
    return chosen


def _graph_media_type() -> str:
    # Browsers send Accept: text/html,...,*/*; a graph answer then defaults to Turtle, as for no Accept.
    return _choose(GRAPH_TYPES, "text/turtle", "graphs")


def _result_media_type() -> str:
    return _choose(RESULT_TYPES, "application/sparql-results+json", "SELECT/ASK results")


def _etag(version: str, key: str) -> str:
    return f'"{version}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"'


def _finish(response: Response, etag: str | None = None) -> Response:
    response.headers.update(CORS_HEADERS)
    response.headers["Vary"] = "Accept"
    response.headers["SpaceKG-Release"] = served().dataset.version
    if etag:
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _wants_html() -> bool:
    return negotiate(request.headers.get("Accept"), ["text/turtle", "text/html"], "text/turtle") == "text/html" and "format" not in request.values


@sparql.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    if request.method == "OPTIONS":
        return _finish(Response(status=204, content_type=None))
    settings: Settings = current_app.config["SPACEKG_SETTINGS"]
    release = served()
    dataset = release.dataset
    parsed = parse_query_request(request, settings.query_timeout_s, settings.max_query_bytes)
    if parsed is None:
        return _service_description(dataset)
    explicit = [value for value in request.values.getlist("format") if value.strip()]
    if explicit and not any(by_format_parameter(v, RESULT_TYPES) or by_format_parameter(v, GRAPH_TYPES) for v in explicit):
        raise NotAcceptable(f"unknown format {explicit[0]!r}", f"use one of: {', '.join(format_names(RESULT_TYPES, GRAPH_TYPES))}")
    result_type, graph_type = _result_media_type_or_any(), _graph_media_type_or_any()
    key = json.dumps([parsed.query, parsed.default_graphs, parsed.named_graphs, result_type, graph_type])
    etag = _etag(dataset.version, key)
    if request.if_none_match.contains_weak(etag.strip('"')):  # the header's tags are parsed without their quotes
        return _finish(Response(status=304), etag)
    cache = release.results
    outcome = cache.get(key)
    cached = outcome is not None
    if outcome is None:
        job = QueryJob(parsed.query, result_type or "application/sparql-results+json", graph_type or "text/turtle",
                       settings.max_result_rows, parsed.union_default, parsed.default_graphs, parsed.named_graphs, request.base_url)
        outcome = release.runner.run(job, parsed.timeout_s)
        if outcome.form == "graph" and graph_type is None:
            _graph_media_type()  # raises NotAcceptable naming what was asked and what is available
        if outcome.form != "graph" and result_type is None:
            _result_media_type()
        cache.put(key, outcome)
    response = Response(outcome.body, mimetype=outcome.media_type)
    response.headers["SpaceKG-Rows"] = str(outcome.rows)
    if outcome.truncated:
        response.headers["SpaceKG-Result-Truncated"] = f"true; limit={settings.max_result_rows}"
        response.headers["Warning"] = f'199 spacekg "result truncated at {settings.max_result_rows} rows; use LIMIT and OFFSET to page"'
    record_query(parsed.query, outcome.rows, outcome.truncated, cached)
    return _finish(response, etag)


def _result_media_type_or_any() -> str | None:
    try:
        return _result_media_type()
    except NotAcceptable:
        return None


def _graph_media_type_or_any() -> str | None:
    try:
        return _graph_media_type()
    except NotAcceptable:
        return None


def _service_description(dataset: ServedDataset) -> Response:
    if _wants_html():
        from spacekg.web.pages import query_page

        return _finish(query_page())
    media = _graph_media_type()
    sizes = served().site.cached("graph-sizes", lambda: graph_sizes(dataset))
    graph = service_description(request.base_url, dataset, sizes)
    return _finish(Response(rdf_bytes(graph, media), mimetype=media), _etag(dataset.version, "sd:" + request.base_url + media))


RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "pretty-xml", "application/ld+json": "json-ld"}


def rdf_bytes(graph: Graph, media: str) -> bytes:
    """Serialise a small descriptive graph (service description, VoID) with rdflib's pretty writers."""
    return graph.serialize(format=RDFLIB_FORMATS[media], encoding="utf-8")
