"""The validation stage as the pipeline runs it: data and ontology against their shapes, reused when nothing changed."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from spacekg import __version__
from spacekg.namespaces import Minter
from spacekg.rdf import AssertedGraph
from spacekg.settings import Settings
from spacekg.store.releases import Release
from spacekg.validate import ValidationReport, load_shapes, results_from_graph, turtle_positions, validate
from spacekg.validate.engine import PYSHACL, PendingValidation, ShaclEngine, Surroundings
from spacekg.validate.incremental import SUBJECTS_FILE, plan, read_digests, subject_digests
from spacekg.validate.report import Triple, sorted_results

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
    """The validation stage's outcome: the report, the keys of its inputs, how it was made and by which engine."""

    report: ValidationReport
    key: str  # identifies every input: the same key, the same report
    frame: str  # identifies all but the data: the same frame, an edit of the data may be validated incrementally
    how: str  # "full", "incremental" (the edit's focus nodes again, the rest kept) or "reused" (unchanged inputs)
    engine: str  # the engine (and version) that validated the data
    digests: dict[str, str]  # subject -> digest of its triples, kept in the release for the next incremental run
    revalidated: int = 0  # focus nodes validated again by an incremental run


class PendingCheck:
    """The validation stage under way: `result()` waits for the engine, `cancel()` stops it."""

    def __init__(self, key: str, frame: str, how: str, engine: str, digests: dict[str, str] | AbstractSet[Triple], kept: ValidationReport,
                 data: PendingValidation | None = None, revalidated: int = 0) -> None:
        """`digests` may be the asserted triples instead: they are then digested in `result()`, while the engine runs."""
        self.key, self.frame, self.how, self.engine, self.digests = key, frame, how, engine, digests
        self.kept, self.data, self.revalidated = kept, data, revalidated

    def result(self) -> Checked:
        """The report: what the engine found now, beside what was kept (the ontology's results, or an incremental run's rest)."""
        digests = self.digests if isinstance(self.digests, dict) else subject_digests(self.digests)
        report = self.kept if self.data is None else merge(self.data.report(), self.kept)
        return Checked(report, self.key, self.frame, self.how, self.engine, digests, self.revalidated)

    def cancel(self) -> None:
        if self.data is not None:
            self.data.cancel()


def frame_key(settings: Settings) -> str:
    """Identifies what the data is validated against: SpaceKG's version, the base IRI, the ontology and the shapes."""
    digest = hashlib.sha256(f"{__version__}\n{settings.base_iri}\n".encode())
    for path in [*sorted(settings.ontology.glob("*.ttl")), *sorted(settings.shapes.glob("*.ttl"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def start_check(settings: Settings, ontology: Graph, asserted: AssertedGraph, inputs: dict[str, str], previous: Release | None,
                engine: ShaclEngine, converted: Sequence[ox.Triple] | None = None) -> PendingCheck:
    """Start the validation stage, the cheapest way that gives the full report:

    - the previous release's report when no input changed;
    - an incremental run when only the data changed and the edit is small (validate/incremental.py): pySHACL
      on the focus nodes the edit can reach, the previous results for the rest;
    - else the data validated by `engine` (Jena in its own process: the caller goes on reasoning and asks for
      the result later; `converted` may give the asserted graph and the ontology as Oxigraph triples, its input),
      and the ontology by pySHACL (it is small, and kept per content in this process).
    """
    key, frame = validation_key({**inputs, **shapes_checksums(settings)}), frame_key(settings)
    triples = asserted.triples
    report_file = previous.path / "validation.ttl" if previous is not None else None
    if previous is None or report_file is None or not report_file.exists() or not inputs:
        return _full(settings, ontology, asserted, engine, converted, key, frame, triples)
    validation = previous.manifest.get("validation", {})
    if validation.get("key") == key:
        return PendingCheck(key, frame, "reused", str(validation.get("engine", "")), triples, reuse(report_file))
    shapes = load_shapes(settings.shapes / DATA_SHAPES)
    before = read_digests(previous.path / SUBJECTS_FILE)
    if validation.get("frame") != frame or before is None or any(isinstance(t[0], BNode) or isinstance(t[2], BNode) for t in triples):
        return _full(settings, ontology, asserted, engine, converted, key, frame, triples, shapes)
    digests = subject_digests(triples)
    edit = plan(before, digests, triples, shapes, lambda subjects: _objects_before(previous, subjects))
    if edit is None:
        return _full(settings, ontology, asserted, engine, converted, key, frame, digests, shapes)
    previous_results = reuse(report_file).results
    ontology_shown = _shown(settings, settings.ontology / "spacekg.ttl")
    ontology_results = [r for r in previous_results if r.position is not None and r.position.path == ontology_shown]
    kept_data = [r for r in previous_results if not (r.position is not None and r.position.path == ontology_shown)
                 and r.focus_node not in edit.revalidate and str(r.focus_node) not in edit.removed]
    around = Surroundings(chain(triples, ontology), {r.focus_node for r in kept_data}, asserted.positions)
    replaced = [dataclasses.replace(r, position=around.position(r.focus_node), focus_label=around.label(r.focus_node)) for r in kept_data]
    data = PendingValidation(triples, shapes, ontology, asserted.positions, settings.base_iri, PYSHACL, focus=edit.revalidate)
    kept = ValidationReport(results=sorted_results([*ontology_results, *replaced]))
    return PendingCheck(key, frame, "incremental", PYSHACL.version, digests, kept, data, len(edit.revalidate))


def _full(settings: Settings, ontology: Graph, asserted: AssertedGraph, engine: ShaclEngine, converted: Sequence[ox.Triple] | None,
          key: str, frame: str, digests: dict[str, str] | AbstractSet[Triple], shapes: Graph | None = None) -> PendingCheck:
    data = PendingValidation(asserted.triples, shapes if shapes is not None else load_shapes(settings.shapes / DATA_SHAPES), ontology,
                             asserted.positions, settings.base_iri, engine, converted=converted)
    try:
        ontology_report = ontology_check(settings, ontology)  # while Jena, if it validates the data, runs
    except BaseException:
        data.cancel()
        raise
    return PendingCheck(key, frame, "full", engine.version, digests, ontology_report, data)


def _objects_before(previous: Release, subjects: set[str]) -> set[Node]:
    """The IRIs the subjects' triples pointed at in the previous release's asserted graph."""
    store = previous.open_store()
    graph = ox.NamedNode(str(Minter(previous.manifest["base_iri"]).graph("asserted")))
    found: set[Node] = set()
    for subject in subjects:
        for quad in store.quads_for_pattern(ox.NamedNode(subject), None, None, graph):
            if isinstance(quad.object, ox.NamedNode):
                found.add(URIRef(quad.object.value))
    return found


def _shown(settings: Settings, path: Path) -> str:
    return str(path.relative_to(settings.project_dir)) if path.is_relative_to(settings.project_dir) else str(path)


# Reports of the ontology by what they were made from: a curator's edit of data/ leaves the ontology and its
# shapes as they were, so a process that validates again (a test run, a long-lived tool) does not redo them.
_ONTOLOGY_REPORTS: OrderedDict[str, ValidationReport] = OrderedDict()
_ONTOLOGY_REPORTS_KEPT = 8
_ONTOLOGY_REPORTS_LOCK = threading.Lock()


def ontology_check(settings: Settings, ontology: Graph) -> ValidationReport:
    """The ontology (the graph of the *.ttl files of its folder) validated against the ontology shapes, once per content."""
    ontology_path = settings.ontology / "spacekg.ttl"
    shapes_path = settings.shapes / ONTOLOGY_SHAPES
    shown = _shown(settings, ontology_path)
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
