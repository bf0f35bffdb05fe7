"""The validation stage as the pipeline runs it: data and ontology against their shapes, reused when nothing changed."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

from rdflib import Graph

from spacekg import __version__
from spacekg.rdf import AssertedGraph
from spacekg.settings import Settings
from spacekg.validate import ValidationReport, load_shapes, results_from_graph, turtle_positions, validate
from spacekg.validate.report import sorted_results

DATA_SHAPES = "spacekg-shapes.ttl"
ONTOLOGY_SHAPES = "ontology-shapes.ttl"


def shapes_checksums(settings: Settings) -> dict[str, str]:
    """SHA-256 of each shapes file, by path relative to the project (recorded as build inputs)."""
    return {f"shapes/{path.name}": hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(settings.shapes.glob("*.ttl"))}


def validation_key(input_checksums: dict[str, str]) -> str:
    """Identifies a validation run: same data, ontology, shapes and SpaceKG version give the same report."""
    text = __version__ + "".join(f"{path}={digest}" for path, digest in sorted(input_checksums.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def merge(first: ValidationReport, second: ValidationReport) -> ValidationReport:
    return ValidationReport(results=sorted_results([*first.results, *second.results]),
                            focus_counts={**first.focus_counts, **second.focus_counts},
                            shape_labels={**first.shape_labels, **second.shape_labels},
                            seconds=first.seconds + second.seconds)


def check(settings: Settings, ontology: Graph, asserted: AssertedGraph) -> ValidationReport:
    """Validate the asserted graph (with the ontology beside it) and the ontology itself."""
    data_report = validate(asserted.graph, load_shapes(settings.shapes / DATA_SHAPES), ontology, asserted.positions, settings.base_iri)
    return merge(data_report, ontology_report(settings, ontology))


# Reports of the ontology by what they were made from: a curator's edit of data/ leaves the ontology and its
# shapes as they were, so a process that validates again (a test run, a long-lived tool) does not redo them.
_ONTOLOGY_REPORTS: OrderedDict[str, ValidationReport] = OrderedDict()
_ONTOLOGY_REPORTS_KEPT = 8
_ONTOLOGY_REPORTS_LOCK = threading.Lock()


def ontology_report(settings: Settings, ontology: Graph) -> ValidationReport:
    """The ontology (the graph of the *.ttl files of its folder) validated against the ontology shapes, once per content."""
    ontology_path = settings.ontology / "spacekg.ttl"
    shapes_path = settings.shapes / ONTOLOGY_SHAPES
    shown = str(ontology_path.relative_to(settings.project_dir)) if ontology_path.is_relative_to(settings.project_dir) else str(ontology_path)
    digest = hashlib.sha256(f"{__version__}\n{settings.base_iri}\n{shown}\n".encode())
    for path in [*sorted(settings.ontology.glob("*.ttl")), shapes_path]:
        digest.update(path.read_bytes())
    key = digest.hexdigest()
    with _ONTOLOGY_REPORTS_LOCK:
        if key in _ONTOLOGY_REPORTS:
            _ONTOLOGY_REPORTS.move_to_end(key)
            return dataclasses.replace(_ONTOLOGY_REPORTS[key], seconds=0.0)
    positions = turtle_positions(ontology_path.read_text(encoding="utf-8"), shown)
    report = validate(ontology, load_shapes(shapes_path), Graph(), positions, settings.base_iri)
    with _ONTOLOGY_REPORTS_LOCK:
        _ONTOLOGY_REPORTS[key] = report
        while len(_ONTOLOGY_REPORTS) > _ONTOLOGY_REPORTS_KEPT:
            _ONTOLOGY_REPORTS.popitem(last=False)
    return report


def reuse(previous_report: Path) -> ValidationReport:
    """A report read back from a previous release's validation.ttl (for an unchanged input)."""
    graph = Graph().parse(previous_report, format="turtle")
    return ValidationReport(results=sorted_results(results_from_graph(graph)))
