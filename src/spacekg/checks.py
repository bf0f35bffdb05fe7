"""The validation stage as the pipeline runs it: data and ontology against their shapes, reused when nothing changed."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from spacekg import __version__
from spacekg.rdf import AssertedGraph
from spacekg.settings import Settings
from spacekg.store.releases import Release
from spacekg.validate import ValidationReport, load_shapes, results_from_graph, turtle_positions, validate
from spacekg.validate.engine import PYSHACL, PendingValidation, ShaclEngine
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


def check(settings: Settings, ontology: Graph, asserted: AssertedGraph, engine: ShaclEngine = PYSHACL) -> ValidationReport:
    """Validate the asserted graph (with the ontology beside it) and the ontology itself, now."""
    return start_check(settings, ontology, asserted, {}, None, engine).result().report


@dataclass(frozen=True)
class Checked:
    """The validation stage's outcome: the report, the key of its inputs, how it was made and by which engine."""

    report: ValidationReport
    key: str
    how: str  # "full", "reused" (the previous release's, for unchanged inputs)
    engine: str  # the engine (and version) that validated the data


class PendingCheck:
    """The validation stage under way: `result()` waits for the engine, `cancel()` stops it."""

    def __init__(self, key: str, how: str, engine: str, ontology_report: ValidationReport,
                 data: PendingValidation | None = None, reused: ValidationReport | None = None) -> None:
        self.key, self.how, self.engine = key, how, engine
        self.ontology_report, self.data, self.reused = ontology_report, data, reused

    def result(self) -> Checked:
        if self.reused is not None:
            return Checked(self.reused, self.key, self.how, self.engine)
        assert self.data is not None
        return Checked(merge(self.data.report(), self.ontology_report), self.key, self.how, self.engine)

    def cancel(self) -> None:
        if self.data is not None:
            self.data.cancel()


def start_check(settings: Settings, ontology: Graph, asserted: AssertedGraph, inputs: dict[str, str], previous: Release | None,
                engine: ShaclEngine, converted: Sequence[ox.Triple] | None = None) -> PendingCheck:
    """Start the validation stage: the previous release's report when nothing changed, else the data validated by `engine`.

    Jena validates in its own process, so the caller can go on (reasoning) and ask for the result later;
    `converted` may give the asserted graph and the ontology as Oxigraph triples, for Jena's input.
    The ontology is always validated by pySHACL (it is small, and kept per content in this process).
    """
    key = validation_key({**inputs, **shapes_checksums(settings)})
    validation = previous.manifest.get("validation", {}) if previous is not None else {}
    if previous is not None and inputs and validation.get("key") == key and (previous.path / "validation.ttl").exists():
        return PendingCheck(key, "reused", str(validation.get("engine", "")), ValidationReport(results=()),
                            reused=reuse(previous.path / "validation.ttl"))
    data = PendingValidation(asserted.triples, load_shapes(settings.shapes / DATA_SHAPES), ontology, asserted.positions,
                             settings.base_iri, engine, converted=converted)
    try:
        ontology_report = ontology_check(settings, ontology)  # while Jena, if it validates the data, runs
    except BaseException:
        data.cancel()
        raise
    return PendingCheck(key, "full", engine.version, ontology_report, data)


# Reports of the ontology by what they were made from: a curator's edit of data/ leaves the ontology and its
# shapes as they were, so a process that validates again (a test run, a long-lived tool) does not redo them.
_ONTOLOGY_REPORTS: OrderedDict[str, ValidationReport] = OrderedDict()
_ONTOLOGY_REPORTS_KEPT = 8
_ONTOLOGY_REPORTS_LOCK = threading.Lock()


def ontology_check(settings: Settings, ontology: Graph) -> ValidationReport:
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
