"""The SPARQL 1.1 Protocol endpoint at /sparql: read-only, time-limited, row-capped, cached per release."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Blueprint, Response, current_app, request

from spacekg.errors import NotAcceptable
from spacekg.formats import GRAPHS, RESULTS, Format, by_media_type, by_name, format_names
from spacekg.settings import Settings
from spacekg.store.serving import ServedDataset
from spacekg.web.answers import answer_file_name, choose_format, etag, explicit_formats, finish, graph_format, rdflib_bytes
from spacekg.web.description import graph_sizes, service_description
from spacekg.web.evaluation import QueryJob
from spacekg.web.mediatypes import negotiate
from spacekg.web.metrics import record_query
from spacekg.web.pages.query import query_page
from spacekg.web.protocol import parse_query_request
from spacekg.web.state import served

sparql = Blueprint("sparql", __name__)


def _result_format() -> Format:
    return choose_format(RESULTS, by_media_type("application/sparql-results+json"), "SELECT/ASK results")


def _or_none(choose: Callable[[], Format]) -> Format | None:
    try:
        return choose()
    except NotAcceptable:
        return None


def _wants_html() -> bool:
    return negotiate(request.headers.get("Accept"), ["text/turtle", "text/html"], "text/turtle") == "text/html" and "format" not in request.values


@sparql.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    if request.method == "OPTIONS":
        return finish(Response(status=204, content_type=None))
    settings: Settings = current_app.config["SPACEKG_SETTINGS"]
    release = served()
    dataset = release.dataset
    parsed = parse_query_request(request, settings.query_timeout_s, settings.max_query_bytes)
    if parsed is None:
        return _service_description(dataset)
    explicit = explicit_formats()
    if explicit and not any(by_name(v, RESULTS) or by_name(v, GRAPHS) for v in explicit):
        raise NotAcceptable(f"unknown format {explicit[0]!r}", f"use one of: {', '.join(format_names(RESULTS + GRAPHS))}")
    # The query's form (SELECT or CONSTRUCT) is known only after evaluation: both formats are chosen now,
    # and the one the answer needs must exist.
    result_format, graph_format_ = _or_none(_result_format), _or_none(graph_format)
    # Everything that changes the answer: the query, its dataset, the formats, and the base IRI relative IRIs resolve against.
    key = json.dumps([parsed.query, parsed.default_graphs, parsed.named_graphs,
                      result_format and result_format.media_type, graph_format_ and graph_format_.media_type, request.base_url])
    tag = etag(dataset.version, key)
    if request.if_none_match.contains_weak(tag.strip('"')):  # the header's tags are parsed without their quotes
        return finish(Response(status=304), tag)
    cache = release.results
    outcome = cache.get(key)
    cached = outcome is not None
    if outcome is None:
        job = QueryJob(parsed.query, (result_format or RESULTS[0]).media_type, (graph_format_ or GRAPHS[0]).media_type,
                       settings.max_result_rows, parsed.union_default, parsed.default_graphs, parsed.named_graphs, request.base_url,
                       settings.max_response_bytes)
        outcome = release.runner.run(job, parsed.timeout_s)
        if outcome.form == "graph" and graph_format_ is None:
            graph_format()  # raises NotAcceptable naming what was asked and what is available
        if outcome.form != "graph" and result_format is None:
            _result_format()
        cache.put(key, outcome)
    response = Response(outcome.body, mimetype=outcome.media_type)
    response.headers["SpaceKG-Rows"] = str(outcome.rows)
    # inline: a browser still shows what it can show; saved (the query page's links ask to), the name tells of a cut
    response.headers["Content-Disposition"] = f'inline; filename="{answer_file_name(outcome.media_type, outcome.form, outcome.rows, outcome.truncated)}"'
    if outcome.truncated:
        # the row cap, or else the byte cap, stopped the answer
        cap = f"limit={settings.max_result_rows}" if outcome.rows >= settings.max_result_rows else f"max-bytes={settings.max_response_bytes}"
        shown = f"{settings.max_result_rows} rows" if cap.startswith("limit") else f"{settings.max_response_bytes} bytes"
        response.headers["SpaceKG-Result-Truncated"] = f"true; {cap}"
        response.headers["Warning"] = f'199 spacekg "result truncated at {shown}; use LIMIT and OFFSET to page"'
    record_query(parsed.query, outcome.rows, outcome.truncated, cached)
    return finish(response, tag)


def _service_description(dataset: ServedDataset) -> Response:
    if _wants_html():
        return finish(query_page())
    chosen = graph_format()
    sizes = served().site.cached("graph-sizes", lambda: graph_sizes(dataset))
    graph = service_description(request.base_url, dataset, sizes)
    return finish(Response(rdflib_bytes(graph, chosen), mimetype=chosen.media_type), etag(dataset.version, "sd:" + request.base_url + chosen.media_type))
