"""The SPARQL endpoint blueprint: read-only queries over the current release (GET and POST)."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from spacekg.errors import QueryError, UsageError
from spacekg.store.querying import run_query
from spacekg.web.mediatypes import GRAPH_TYPES, RESULT_TYPES, by_format_parameter, negotiate

sparql = Blueprint("sparql", __name__)


def _query_text() -> str:
    if request.method == "POST":
        content_type = (request.mimetype or "").lower()
        if content_type == "application/sparql-query":
            return request.get_data(as_text=True)
        if content_type == "application/x-www-form-urlencoded":
            if "update" in request.form:
                raise QueryError("SPARQL Update is not allowed: this endpoint is read-only")
            values = request.form.getlist("query")
        else:
            raise UsageError(f"unsupported Content-Type {content_type or '(none)'}",
                             "send application/sparql-query or application/x-www-form-urlencoded")
    else:
        values = request.args.getlist("query")
    if len(values) != 1:
        raise UsageError("give exactly one 'query' parameter" if values else "missing 'query' parameter",
                         "e.g. /sparql?query=SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    return values[0]


def _choose(table: dict, default: str) -> str:
    explicit = request.values.get("format")
    if explicit:
        chosen = by_format_parameter(explicit, table)
        if chosen is None:
            raise UsageError(f"unknown format {explicit!r}", f"use one of: {', '.join(n for names, _ in table.values() for n in names)}")
        return chosen
    chosen = negotiate(request.headers.get("Accept"), list(table), default)
    if chosen is None:
        raise NotAcceptable(f"none of the offered types fits Accept: {request.headers.get('Accept')}; offered: {', '.join(table)}")
    return chosen


class NotAcceptable(UsageError):
    http_status = 406


@sparql.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    text = _query_text()
    store: ox.Store = current_app.config["SPACEKG_STORE"]
    result = run_query(store, text)
    if isinstance(result, ox.QueryTriples):
        media = _choose(GRAPH_TYPES, "text/turtle")
        body = result.serialize(format=GRAPH_TYPES[media][1]) or b""
    else:
        media = _choose(RESULT_TYPES, "application/sparql-results+json")
        body = result.serialize(format=RESULT_TYPES[media][1]) or b""
    response = Response(body, mimetype=media)
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
