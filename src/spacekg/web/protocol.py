"""Read a SPARQL 1.1 Protocol query request (GET, POST form, POST direct) into a QueryRequest, or refuse it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import pyoxigraph as ox
from flask import Request, g

from spacekg.errors import Forbidden, PayloadTooLarge, UnsupportedMediaType, UsageError
from spacekg.store.sparql_text import looks_like_update, names_dataset, nesting_depth, uses_service


@dataclass(frozen=True)
class QueryRequest:
    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    union_default: bool
    timeout_s: float


READ_ONLY = "SPARQL Update (including LOAD) is not allowed: this endpoint is read-only"


MAX_NESTING = 200  # levels of {}, () and [] in a query; real queries use a handful, Oxigraph's parser overflows near 3,000


def _check_percent_encoding(encoded: bytes, where: str) -> None:
    """Refuse percent-encoded bytes that are not UTF-8 (%FF): decoded leniently they would become U+FFFD, another query."""
    try:
        unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"the {where} is not UTF-8 once percent-decoded (byte {error.object[error.start]:#04x} at {error.start})",
                         "percent-encode the query's UTF-8 bytes, e.g. with encodeURIComponent") from None


def parse_query_request(request: Request, max_timeout_s: float, max_query_bytes: int) -> QueryRequest | None:
    """The query request, or None for a plain GET of the endpoint (which shows the service description)."""
    params = request.args
    if request.method == "POST":
        content_type = (request.mimetype or "").lower()
        charset = (request.mimetype_params.get("charset") or "utf-8").lower()
        if content_type == "application/x-www-form-urlencoded":  # before the form is parsed from the (then cached) body
            _check_percent_encoding(request.get_data(cache=True), "form body")
        if content_type == "application/sparql-update" or (content_type == "application/x-www-form-urlencoded" and "update" in request.form):
            raise Forbidden(READ_ONLY)
        if charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(f"charset {charset} is not supported", "send the query as UTF-8")
        if content_type == "application/sparql-query":
            try:
                queries = [request.get_data().decode("utf-8")]
            except UnicodeDecodeError:
                raise UnsupportedMediaType("the query is not valid UTF-8", "send the query as UTF-8") from None
            if "query" in params:
                raise UsageError("a direct POST carries the query in its body; the URL must not have a 'query' parameter")
        elif content_type == "application/x-www-form-urlencoded":
            queries = request.form.getlist("query")
            params = request.values
        else:
            raise UnsupportedMediaType(f"unsupported Content-Type {content_type or '(none)'}",
                                       "POST application/sparql-query, or application/x-www-form-urlencoded with query=")
    else:
        _check_percent_encoding(request.query_string, "URL")
        if "update" in params:
            raise Forbidden(READ_ONLY)
        queries = params.getlist("query")
        if not queries:
            return None
    if len(queries) != 1:
        raise UsageError(f"give exactly one query, not {len(queries)}", "send a single 'query' parameter")
    query = queries[0]
    g.spacekg_query_text = query  # for the access log, also when the query is refused below
    if len(query.encode()) > max_query_bytes:
        raise PayloadTooLarge(f"the query is {len(query.encode())} bytes; the limit is {max_query_bytes}", "shorten the query")
    if not query.strip():
        raise UsageError("the query is empty", "e.g. SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    depth = nesting_depth(query)
    if depth > MAX_NESTING:
        raise UsageError(f"the query is too deeply nested ({depth} levels of braces, brackets or parentheses; "
                         f"the limit is {MAX_NESTING})", "flatten the groups: a group inside a group with nothing else in it changes nothing")
    if looks_like_update(query):
        raise Forbidden(READ_ONLY)
    if uses_service(query):
        raise Forbidden("SERVICE is not allowed: this endpoint does not query other endpoints", "remove the SERVICE clause")
    timeout_s = max_timeout_s
    if "timeout" in params:
        try:
            asked = float(params["timeout"])
        except ValueError:
            asked = math.nan
        if math.isnan(asked):  # float() reads "nan", which no comparison below would catch
            raise UsageError(f"timeout {params['timeout']!r} is not a number of seconds", "e.g. timeout=5")
        if asked <= 0:
            raise UsageError("timeout must be more than 0 seconds", "e.g. timeout=5")
        timeout_s = min(asked, max_timeout_s)  # a client may only lower the server's limit
    default_graphs = _graph_iris(params.getlist("default-graph-uri"), "default-graph-uri")
    named_graphs = _graph_iris(params.getlist("named-graph-uri"), "named-graph-uri")
    return QueryRequest(query, default_graphs, named_graphs, not names_dataset(query), timeout_s)


def _graph_iris(values: list[str], parameter: str) -> tuple[str, ...]:
    """The graph IRIs of a dataset parameter, each checked to be an absolute IRI, as Oxigraph needs them."""
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as error:
            raise UsageError(f"{parameter} {value!r} is not an absolute IRI ({error})",
                             "give the full IRI of a graph, e.g. https://w3id.org/spacekg/graph/asserted") from None
    return tuple(values)
