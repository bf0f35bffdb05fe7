"""The release's validation report: the standard sh:ValidationReport of graph/validation, for curators.

Results are grouped by shape and by curated file, each naming the line to edit and linking the
record's page; the same report downloads as CSV (for a spreadsheet) and Turtle (the graph itself).
A release built without validation results says so instead.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pyoxigraph as ox
from flask import Response, url_for
from rdflib import Graph, URIRef
from werkzeug.exceptions import NotFound

from spacekg.store.explanations import from_oxigraph
from spacekg.validate import ValidationReport, render, results_from_graph
from spacekg.validate.report import SEVERITIES, compact, sorted_results
from spacekg.web.pages.common import dataset, pages, render_page
from spacekg.web.state import site


def _graph_name() -> ox.NamedNode:
    return ox.NamedNode(f"{site().base_iri}graph/validation")


def validation_quads() -> list[ox.Quad]:
    return list(dataset().store.quads_for_pattern(None, None, None, _graph_name()))


def read_report() -> tuple[ValidationReport | None]:
    """The report held in graph/validation, or None when the release has none (a 1-tuple, so that None is cached too)."""
    quads = validation_quads()
    if not quads:
        return (None,)
    graph = Graph()
    for quad in quads:
        graph.add((from_oxigraph(quad.subject), from_oxigraph(quad.predicate), from_oxigraph(quad.object)))
    return (ValidationReport(results=sorted_results(results_from_graph(graph))),)


def _report() -> ValidationReport | None:
    return site().cached("validation-report", read_report)[0]


def validation_results(iri: str) -> list[dict[str, str]]:
    """The validation results whose focus is this entity, for its page."""
    report = _report()
    if report is None:
        return []
    return [{"severity": r.severity, "message": r.message, "path": r.path_text, "where": r.where, "shape": compact(r.source_shape)}
            for r in report.results if str(r.focus_node) == iri]


@pages.get("/validation")
def validation() -> Response:
    """The report page: verdict and counts, results per shape, then every result under its file."""
    report = _report()
    if report is None:
        return render_page("validation.html", report=None, graph=_graph_name().value)
    by_shape: dict[str, Counter[str]] = defaultdict(Counter)
    by_file: dict[str, list[dict[str, object]]] = defaultdict(list)
    for result in report.results:
        by_shape[str(result.source_shape)][result.severity] += 1
        focus = str(result.focus_node)
        by_file[result.position.path if result.position else "(no source file)"].append({
            "severity": result.severity, "line": result.position.line if result.position and result.position.line else "",
            "focus": site().iri_term(focus, result.focus_label) if isinstance(result.focus_node, URIRef) else None,
            "focus_label": result.focus_label, "path": result.path_text,
            "value": "" if result.value is None or result.value == result.focus_node else compact(result.value),
            "message": result.message, "shape": compact(result.source_shape)})
    shapes = sorted(by_shape.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    files = sorted(by_file.items(), key=lambda item: item[0])
    alternates = [("text/csv", "CSV", url_for("pages.validation_download", extension="csv")),
                  ("text/turtle", "Turtle (sh:ValidationReport)", url_for("pages.validation_download", extension="ttl"))]
    return render_page("validation.html", report=report, graph=_graph_name().value, severities=SEVERITIES,
                       counts={s: report.count(s) for s in SEVERITIES},
                       shapes=[(compact(URIRef(shape)), counts) for shape, counts in shapes],
                       files=[(path, results, Counter(r["severity"] for r in results)) for path, results in files],
                       alternates=alternates)


@pages.get("/validation.<extension>")
def validation_download(extension: str) -> Response:
    """The report as CSV (one row per result, file and line first) or as the Turtle of graph/validation."""
    report = _report()
    if report is None or extension not in ("csv", "ttl"):
        raise NotFound("this release has no validation results" if report is None else f"no report format {extension!r}; use csv or ttl")
    if extension == "csv":
        response = Response(render(report, "csv"), mimetype="text/csv")
    else:
        triples = [quad.triple for quad in validation_quads()]
        prefixes = {**site().prefixes, "skgsh": f"{site().base_iri}shapes#"}
        response = Response(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b"", mimetype="text/turtle")
    response.headers["Content-Disposition"] = f'attachment; filename="spacekg-validation-{dataset().version}.{extension}"'
    return response
