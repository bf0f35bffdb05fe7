"""The release's validation report: the standard sh:ValidationReport of graph/validation, for curators.

The page opens with a summary (counts by severity and by file, what is new or fixed since the previous release) and its
contents; results can be filtered by severity, shape and file, and are grouped by curated file, each naming the line to
edit and linking the record's page, repeated ones folded per shape (validation_view.py arranges them). When the last
build was refused, its report (releases/last-attempt.json) is shown first, marked as not published. The release's report
downloads as CSV (for a spreadsheet) and Turtle (the graph itself). A release built without validation results says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Response, request, url_for
from rdflib import Graph
from werkzeug.exceptions import NotFound

from spacekg.store.explanations import from_oxigraph
from spacekg.store.releases import LAST_ATTEMPT, Release, last_attempt
from spacekg.validate import ValidationReport, render, results_from_graph
from spacekg.validate.report import SEVERITIES, compact, sorted_results
from spacekg.web.pages.common import dataset, pages, render_page
from spacekg.web.pages.validation_view import parse_filters, report_view
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


@dataclass(frozen=True)
class Attempt:
    """A build after the served release that was not published, with its report (releases/last-attempt.json)."""

    attempted: str  # when it started, as the page says it: 2026-12-03 09:31 UTC
    reason: str
    report: ValidationReport


def _parse_report(turtle: str) -> ValidationReport | None:
    try:
        graph = Graph().parse(data=turtle, format="turtle")
    except (SyntaxError, ValueError):  # rdflib's Turtle errors are SyntaxErrors; the file was written by our build, so this is rare
        return None
    return ValidationReport(results=sorted_results(results_from_graph(graph)))


def _moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def read_attempt(release: Release) -> tuple[Attempt | None]:
    """The last refused build beside the served release, if it came after it (a 1-tuple, so that None is cached too).

    A record older than the release served is stale (the build that published it was killed before removing the
    record, or an operator switched releases): that release's own report is the one to read.
    """
    record = last_attempt(release.path.parent)
    if record is None or not isinstance(record.get("report"), str):
        return (None,)
    attempted, created = _moment(str(record.get("attempted", ""))), _moment(str(release.manifest.get("created", "")))
    if attempted is None or (created is not None and attempted <= created):
        return (None,)
    report = _parse_report(record["report"])
    if report is None:
        return (None,)
    return (Attempt(attempted.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), str(record.get("reason", "")), report),)


def _attempt() -> Attempt | None:
    release = dataset().release
    if release is None:  # RDF files served without a release have no builds
        return None
    try:
        stat = (release.path.parent / LAST_ATTEMPT).stat()
    except OSError:
        return None
    # a build may be refused while this release is served: the record's size and time are part of the key
    return site().cached(f"validation-attempt-{stat.st_mtime_ns}-{stat.st_size}", lambda: read_attempt(release))[0]


def read_previous() -> tuple[ValidationReport | None, str]:
    """The report of the release the served one followed, and its id; (None, why not) when there is none to compare with."""
    release = dataset().release
    if release is None:
        return None, "No previous release to compare: this server serves RDF files, not a release."
    previous = release.manifest.get("validation", {}).get("previous_release")
    if not previous:
        return None, "No previous release to compare."
    report = None
    path = release.path.parent / str(previous) / "validation.ttl"
    if path.is_file():
        report = _parse_report(path.read_text(encoding="utf-8"))
    if report is None:
        return None, f"No previous release to compare: release {previous} is no longer kept on this server."
    return report, str(previous)


@pages.get("/validation")
def validation() -> Response:
    """The report page: a summary and contents, filters (severity=, shape=, file=), then the results per file, folded per shape.

    When the last build was refused, its report comes first, marked as not published, beside the served release's.
    """
    report, attempt = _report(), _attempt()
    filters = parse_filters(request.args, [r for r in (report, attempt.report if attempt else None) if r is not None])
    views = []
    if attempt is not None:
        views.append(report_view(
            attempt.report, filters, "attempt", f"The build of {attempt.attempted} (not published)", prefix="attempt-",
            notice=f"Not published: the build of {attempt.attempted} failed ({attempt.reason}). This site still serves release "
                   f"{dataset().version}, whose report follows.",
            baseline=report, against=f"the served release {dataset().version}",
            no_comparison="No report of the served release to compare with."))
    if report is not None:
        previous, previous_id = site().cached("validation-previous", read_previous)
        views.append(report_view(report, filters, "release", f"Release {dataset().version} (served)", baseline=previous,
                                 against=f"release {previous_id}", no_comparison=previous_id))
    alternates = [("text/csv", "CSV", url_for("pages.validation_download", extension="csv")),
                  ("text/turtle", "Turtle (sh:ValidationReport)", url_for("pages.validation_download", extension="ttl"))] if report else []
    shapes = sorted({shape for view in views for shape, _ in view.shapes})
    files = sorted({path for view in views for path, _, _ in view.by_file})
    return render_page("validation.html", report=report, views=views, graph=_graph_name().value, severities=SEVERITIES, filters=filters,
                       filter_shapes=shapes, filter_files=files, alternates=alternates)


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
