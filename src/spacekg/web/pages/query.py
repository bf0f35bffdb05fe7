"""The query page: an editor, the catalogue's examples one click away, results as a table, downloads, a shareable URL.

The page runs queries exactly as the endpoint does: the same request checks (read-only, no SERVICE,
size and time limits) and the same killable query process (the release's query runner). It is
a plain GET form, so the URL of a results page is the link to share. An example's parameters are fields of the form
(query_parameters.py). The editor (static/query-editor.js over the vendored YASQE) only enhances the textarea: without
JavaScript the form works the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from flask import Response, current_app, request, url_for

from spacekg.errors import SpaceKGError, UsageError
from spacekg.formats import GRAPHS, RESULTS
from spacekg.namespaces import PREFIXES
from spacekg.queries import CannedQuery
from spacekg.settings import Settings
from spacekg.store.querying import term_from_text
from spacekg.store.remote import bind_values
from spacekg.web.evaluation import QueryJob
from spacekg.web.pages.common import dataset, pages, render_page
from spacekg.web.pages.query_cut import COUNT_S, COUNT_TO, Cut, cut, page_href, paged_on
from spacekg.web.pages.query_parameters import bindings, parameter_fields, submitted_fields
from spacekg.web.protocol import parse_query_request
from spacekg.web.site import Term
from spacekg.web.state import served, site

DEFAULT_QUERY = """SELECT ?class (COUNT(?s) AS ?n)
WHERE { ?s a ?class }
GROUP BY ?class
ORDER BY DESC(?n)"""
PAGE_ROWS = 2000  # the page shows at most this many rows; the downloads carry up to the endpoint's limit


@dataclass
class Answer:
    """What the page shows of one evaluated query."""

    form: str = ""  # "select", "ask", "graph" or "" before any query
    variables: list[str] = field(default_factory=list)
    rows: list[list[Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False
    counted: int = 0  # rows in the whole answer (at least this many unless counted_all)
    counted_all: bool = True
    error: str = ""
    hint: str = ""
    status: int = 200


def _examples(catalogue: dict[str, CannedQuery]) -> list[dict[str, Any]]:
    return [{"name": query.name, "title": query.title, "description": query.description,
             "parameters": [(p.name, p.default, p.description) for p in query.parameters],
             "href": url_for("pages.query", **_fields_with_defaults(query))} for query in catalogue.values()]


def _fields_with_defaults(query: CannedQuery) -> dict[str, Any]:
    """The URL parameters that open an example: its text, then each parameter field with its default."""
    return {"query": query.text, **{f"param.{p.name}": p.default for p in query.parameters}}


def _run(text: str, graph: str, bound: tuple[tuple[str, str], ...] = ()) -> Answer:
    settings: Settings = current_app.config["SPACEKG_SETTINGS"]
    try:
        parsed = parse_query_request(request, settings.query_timeout_s, settings.max_query_bytes)
        if parsed is None:
            return Answer()
        if graph and graph not in dataset().named_graphs():
            raise UsageError(f"there is no graph {graph!r} in this release", "choose one of the graphs offered")
        job = QueryJob(parsed.query, "application/sparql-results+json", "application/n-triples", min(PAGE_ROWS, settings.max_result_rows),
                       union_default=parsed.union_default and not graph, default_graphs=(graph,) if graph else parsed.default_graphs,
                       named_graphs=parsed.named_graphs, base_iri=url_for("sparql.endpoint", _external=True),
                       byte_cap=settings.max_page_bytes, count_to=COUNT_TO, count_within_s=min(COUNT_S, parsed.timeout_s / 2), bindings=bound)
        outcome = served().runner.run(job, parsed.timeout_s)
    except SpaceKGError as error:
        return Answer(error=error.message, hint=error.hint, status=error.http_status)
    if outcome.form == "graph":
        triples = list(ox.parse(outcome.body, format=ox.RdfFormat.N_TRIPLES))
        rows: list[list[Term | None]] = [[site().term(t.subject), site().term(t.predicate), site().term(t.object)] for t in triples]
        return Answer("graph", ["subject", "predicate", "object"], rows, truncated=outcome.truncated,
                      counted=outcome.counted, counted_all=outcome.counted_all)
    answer = json.loads(outcome.body)
    if "boolean" in answer:
        return Answer("ask", boolean=bool(answer["boolean"]))
    variables = list(answer["head"]["vars"])
    rows = [[site().json_term(binding[name]) if name in binding else None for name in variables] for binding in answer["results"]["bindings"]]
    return Answer("select", variables, rows, truncated=outcome.truncated, counted=outcome.counted, counted_all=outcome.counted_all)


def _downloads(text: str, graph: str, form: str, bound: tuple[tuple[str, str], ...] = ()) -> list[tuple[str, str]]:
    if bound:  # the endpoint has no parameters: the values go into the query text, where they bind the same variables
        text = bind_values(text, {ox.Variable(name): term_from_text(value) for name, value in bound})
    extra: dict[str, Any] = {"default-graph-uri": graph} if graph else {}
    offered = GRAPHS if form == "graph" else RESULTS
    return [(f.label, url_for("sparql.endpoint", query=text, format=f.name, **extra)) for f in offered]


def _cut(text: str, graph: str, answer: Answer, settings: Settings, fields: dict[str, str]) -> tuple[Cut | None, str]:
    """How a cap cut the answer (None if it did not), and the link to the next page of a paged SELECT (keeping the example's fields)."""
    shown = len(answer.rows)
    if answer.truncated:
        found = cut(text, graph, answer.form, shown, answer.counted, answer.counted_all, min(PAGE_ROWS, settings.max_result_rows),
                    settings.max_result_rows, dataset().manifest.get("dumps", {}), fields)
        return found, found.next_href
    return None, page_href(paged_on(text, shown), graph, fields) if answer.form == "select" else ""


def query_page() -> Response:
    """The query page; with ?query= it runs the query and shows the answer (errors included) below the editor."""
    catalogue: dict[str, CannedQuery] = current_app.config.get("SPACEKG_CATALOGUE", {})
    text = request.args.get("query", "")
    graph = request.args.get("graph", "")
    try:
        fields = parameter_fields(request.args, text, catalogue)
    except UsageError as error:  # shown with the form, so the reader can correct the field the message names
        fields = submitted_fields(request.args)
        answer = Answer(error=error.message, hint=error.hint, status=error.http_status)
    else:
        answer = _run(text, graph, bindings(fields)) if text else Answer()
    shown = text or DEFAULT_QUERY
    shared: dict[str, Any] = {"query": text, "graph": graph} if graph else {"query": text}
    shared.update({field.field_name: field.value for field in fields})
    share = url_for("pages.query", _external=True, **shared) if text else ""
    graphs = [(iri, site().compact(iri) if not iri.startswith(site().base_iri) else iri[len(site().base_iri):]) for iri in dataset().named_graphs()]
    downloads = _downloads(text, graph, answer.form, bindings(fields)) if text and not answer.error else []
    cut_short, next_href = _cut(text, graph, answer, current_app.config["SPACEKG_SETTINGS"], {field.field_name: field.value for field in fields})
    return render_page("query.html", status=answer.status, query=shown, ran=bool(text or answer.error), answer=answer, graph=graph, graphs=graphs,
                       examples=_examples(catalogue), downloads=downloads, fields=fields, prefixes=PREFIXES, share=share, page_rows=PAGE_ROWS,
                       cut=cut_short, next_href=next_href,
                       page_bytes=current_app.config["SPACEKG_SETTINGS"].max_page_bytes,
                       action=url_for("pages.query"), endpoint=url_for("sparql.endpoint"),
                       alternates=[("application/sparql-results+json", "SPARQL JSON", href) for name, href in downloads if name == "SPARQL JSON"])


@pages.get("/query")
def query() -> Response:
    return query_page()
