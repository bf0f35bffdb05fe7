"""Stage 3: validate a graph against SHACL shapes with the chosen engine, and map each result to file:line.

Two engines give the same results (tests/test_shacl_engines.py): pySHACL, the reference, in this
process; and Apache Jena, a Java process (validate/jena.py), which is ~50x faster on large graphs.
`choose_engine` picks Jena when it can run ("auto"), else pySHACL with a one-line notice saying why.
A validation of some focus nodes only (an incremental build) always runs pySHACL: Jena's command
validates whole graphs.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from spacekg.errors import SourceDataError, SourceDataErrors, SourcePosition, UsageError
from spacekg.namespaces import DCTERMS, DEFAULT_BASE, RDF, RDFS, SH, SKOS
from spacekg.parsed_files import graph_copy, parsed_once
from spacekg.validate.jena import Jena, JenaRun, find_jena
from spacekg.validate.pyshacl_run import pyshacl_report, pyshacl_version
from spacekg.validate.report import (
    Triple,
    ValidationReport,
    ValidationResult,
    compact,
    path_structure,
    path_text,
    sorted_results,
)

ENGINE_CHOICES = ("auto", "jena", "pyshacl")
TARGETS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
_CITING = frozenset({DCTERMS.source, DCTERMS.references})
_LABELS = (RDFS.label, SKOS.prefLabel)


@dataclass(frozen=True)
class ShaclEngine:
    """The engine that validates: its name, the version recorded in a release's provenance, and Jena's runtime if it is Jena."""

    name: str
    version: str
    jena: Jena | None = None


PYSHACL = ShaclEngine("pyshacl", pyshacl_version())


def choose_engine(wanted: str, cache_dir: Path, jena_classpath: str = "") -> tuple[ShaclEngine, str]:
    """(engine, notice): "auto" takes Jena when it can run here, else pySHACL and a notice saying why; "jena" requires Jena."""
    if wanted not in ENGINE_CHOICES:
        raise UsageError(f"unknown SHACL engine {wanted!r}", f"choose one of: {', '.join(ENGINE_CHOICES)} (setting SPACEKG_SHACL_ENGINE)")
    if wanted == "pyshacl":
        return PYSHACL, ""
    jena, why_not = find_jena(cache_dir, jena_classpath)
    if jena is not None:
        return ShaclEngine("jena", jena.name, jena), ""
    if wanted == "jena":
        raise UsageError(f"the SHACL engine jena was asked for, but {why_not}", "install it, or set SPACEKG_SHACL_ENGINE=pyshacl")
    return PYSHACL, f"validating with pySHACL (slower on large graphs): {why_not}"


def load_shapes(*paths: Path) -> Graph:
    """Parse SHACL shape files into one graph; a file that does not parse is a source data error."""
    return parsed_once("shapes", paths, lambda: _parse_shapes(paths))


def _parse_shapes(paths: Sequence[Path]) -> Graph:
    shapes = Graph()
    for path in paths:
        try:
            shapes.parse(path, format="turtle")
        except (OSError, SyntaxError, ValueError) as error:
            raise SourceDataErrors([SourceDataError(SourcePosition(str(path), 0), f"shapes do not parse: {error}",
                                                    "fix the Turtle syntax of the shapes file")]) from error
    return shapes


def validate(data: Iterable[Triple], shapes: Graph, ontology: Iterable[Triple], positions: Mapping[URIRef, SourcePosition],
             base_iri: str = DEFAULT_BASE, engine: ShaclEngine = PYSHACL, focus: Iterable[Node] | None = None) -> ValidationReport:
    """Validate `data` (with the ontology's axioms beside it) against `shapes`; inputs are not mutated.

    Every result names its focus node's label and the file:line of the record behind it: the focus
    node's own position, else that of a record linking to it (a norm assessment -> its norm).
    Shapes are written against the canonical base IRI; for another `base_iri` their IRI patterns
    and entity IRIs are rewritten before validating. With `focus`, only those focus nodes are validated.
    `data` and `ontology` are read more than once: give sets or graphs, not generators.
    """
    return PendingValidation(data, shapes, ontology, positions, base_iri, engine, focus).report()


class PendingValidation:
    """A validation started now and read later: Jena runs on the other core while the build goes on."""

    def __init__(self, data: Iterable[Triple], shapes: Graph, ontology: Iterable[Triple], positions: Mapping[URIRef, SourcePosition],
                 base_iri: str = DEFAULT_BASE, engine: ShaclEngine = PYSHACL, focus: Iterable[Node] | None = None,
                 converted: Sequence[ox.Triple] | None = None) -> None:
        """Start validating; `converted` may give data and ontology as Oxigraph triples (what Jena reads), converted once."""
        self.started = time.perf_counter()
        self.data, self.ontology, self.positions = data, ontology, positions
        self.shapes = _rebased(shapes, base_iri)
        self.engine = engine if focus is None else PYSHACL
        # Each shape's focus nodes: counted in the report, and the targets of a run restricted to `focus`.
        self._selected = None if focus is None else focus_nodes(self.shapes, chain(data, ontology))
        run_shapes = self.shapes if self._selected is None else _targeting(self.shapes, self._selected, set(focus or ()))
        self._graph: Graph | None = None
        self._run: JenaRun | None = None
        if self.engine.jena is not None:
            self._run = JenaRun(self.engine.jena, chain(data, ontology), run_shapes, converted)
        else:
            self._graph = pyshacl_report(chain(data, ontology), run_shapes)

    def report(self) -> ValidationReport:
        """The report, once the engine has finished; every result placed at its record."""
        graph = self._graph if self._run is None else self._run.report()
        assert graph is not None
        nodes = [node for node in graph.subjects(RDF.type, SH.ValidationResult)]
        around = Surroundings(chain(self.data, self.ontology), {graph.value(node, SH.focusNode) for node in nodes}, self.positions)
        results = [_result(graph, node, around) for node in nodes]
        selected = self._selected if self._selected is not None else focus_nodes(self.shapes, chain(self.data, self.ontology))
        return ValidationReport(results=sorted_results(results), focus_counts={shape: len(found) for shape, found in selected.items()},
                                shape_labels=_shape_labels(self.shapes), seconds=time.perf_counter() - self.started)

    def cancel(self) -> None:
        """Stop the engine (the build failed for another reason)."""
        if self._run is not None:
            self._run.close()


class Surroundings:
    """What the report says about some nodes of the data: their labels, and the records that link to them or that they link to.

    Read in one pass over the data, so that no indexed graph of the whole data is needed (at a million triples
    an rdflib graph alone takes a minute to build).
    """

    def __init__(self, data: Iterable[Triple], nodes: set[Node | None], positions: Mapping[URIRef, SourcePosition]) -> None:
        self.positions = positions
        self.labels: dict[Node, list[tuple[int, str, Literal]]] = defaultdict(list)
        self.linking: dict[Node, set[Node]] = defaultdict(set)  # records that link to the node (other than by citing it)
        self.linked: dict[Node, set[Node]] = defaultdict(set)  # records it links to
        for s, p, o in data:
            if s in nodes:
                if p in _LABELS and isinstance(o, Literal):
                    self.labels[s].append((_LABELS.index(p), str(o), o))
                elif p not in _CITING and o in positions:
                    self.linked[s].add(o)
            if o in nodes and p not in _CITING and s in positions:
                self.linking[o].add(s)

    def label(self, node: Node) -> str:
        """The node's English rdfs:label, else an English skos:prefLabel, else any of them, else its compact IRI."""
        if isinstance(node, Literal):
            return str(node)
        labels = sorted(self.labels.get(node, ()), key=lambda label: label[:2])
        english = [literal for _, _, literal in labels if literal.language == "en"]
        return str(english[0]) if english else str(labels[0][2]) if labels else compact(node)

    def position(self, node: Node) -> SourcePosition | None:
        """Where the record behind `node` was written.

        A node minted without a record of its own (a norm assessment) is placed at a record that links
        to it, else at one it links to (its norm). Citing a source is not such a link: the line of a
        record that cites a work says nothing about where the work is described.
        """
        if isinstance(node, URIRef) and node in self.positions:
            return self.positions[node]
        if isinstance(node, (URIRef, BNode)):
            for candidate in (*sorted(self.linking.get(node, ()), key=str), *sorted(self.linked.get(node, ()), key=str)):
                return self.positions[candidate]  # type: ignore[index]
        return None


def _result(report: Graph, node: Node, around: Surroundings) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    shape = report.value(node, SH.sourceShape)
    assert focus is not None and shape is not None
    path = report.value(node, SH.resultPath)
    severity = report.value(node, SH.resultSeverity)
    messages = sorted(report.objects(node, SH.resultMessage), key=lambda m: (getattr(m, "language", None) != "en", str(m)))
    return ValidationResult(
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        focus_node=focus, focus_label=around.label(focus), path=path, path_text=path_text(report, path),
        value=report.value(node, SH.value), message=str(messages[0]) if messages else "",
        source_shape=shape, source_constraint_component=report.value(node, SH.sourceConstraintComponent) or SH.ConstraintComponent,
        source_constraint=report.value(node, SH.sourceConstraint), position=around.position(focus),
        path_triples=path_structure(report, path))


def _rebased(shapes: Graph, base_iri: str) -> Graph:
    """The shapes with the canonical entity base replaced, in IRIs and in regular expressions: a copy, or under the
    canonical base the shapes themselves (nothing downstream changes them; those of load_shapes cannot change)."""
    if base_iri == DEFAULT_BASE:
        return shapes
    canonical_pattern, pattern = _regex_escape(DEFAULT_BASE), _regex_escape(base_iri)
    entities = DEFAULT_BASE + "id/"

    def rebase(term: Node) -> Node:
        if isinstance(term, URIRef) and str(term).startswith(entities):
            return URIRef(base_iri + str(term)[len(DEFAULT_BASE):])
        if isinstance(term, Literal) and canonical_pattern in str(term):
            return Literal(str(term).replace(canonical_pattern, pattern), lang=term.language, datatype=term.datatype)
        return term

    return graph_copy(shapes, ((rebase(s), p, rebase(o)) for s, p, o in shapes))


def _regex_escape(text: str) -> str:
    """Escape a base IRI the way the shapes file writes it in sh:pattern (only '.' needs it there)."""
    return "".join("\\" + c if c in ".^$*+?()[]{}|\\" else c for c in text)


def _targeting(shapes: Graph, selected: Mapping[Node, set[Node]], focus: set[Node]) -> Graph:
    """The shapes with each shape's targets replaced by the nodes of `focus` they select (`selected`), as sh:targetNode.

    A validation of some focus nodes only, whose results for them are those of a whole run: nested shapes
    (sh:node, sh:qualifiedValueShape, sh:or) still see every value. (pySHACL's own focus_nodes option filters
    the value nodes of nested shapes too, and so reports qualified counts of zero.)
    """
    targeting = graph_copy(shapes, (triple for triple in shapes if triple[1] not in TARGETS))
    for shape, nodes in selected.items():
        for node in nodes & focus:
            targeting.add((shape, SH.targetNode, node))
    return targeting


def focus_nodes(shapes: Graph, data: Iterable[Triple]) -> dict[Node, set[Node]]:
    """The focus nodes that each node shape's core targets select in the data (read in one pass).

    Class targets include instances of subclasses, read from the rdfs:subClassOf triples of the data
    (which carries the ontology), as SHACL specifies. Shapes without targets are left out.
    """
    targeted = {shape for p in TARGETS for shape in shapes.subjects(p, None)}
    subjects_of = {p for shape in targeted for p in shapes.objects(shape, SH.targetSubjectsOf)}
    objects_of = {p for shape in targeted for p in shapes.objects(shape, SH.targetObjectsOf)}
    instances: dict[Node, set[Node]] = defaultdict(set)
    subclasses: dict[Node, set[Node]] = defaultdict(set)
    with_subject: dict[Node, set[Node]] = defaultdict(set)
    with_object: dict[Node, set[Node]] = defaultdict(set)
    for s, p, o in data:
        if p == RDF.type:
            instances[o].add(s)
        elif p == RDFS.subClassOf:
            subclasses[o].add(s)
        if p in subjects_of:
            with_subject[p].add(s)
        if p in objects_of:
            with_object[p].add(o)
    selected: dict[Node, set[Node]] = {}
    for shape in targeted:
        focus: set[Node] = set(shapes.objects(shape, SH.targetNode))
        for target_class in shapes.objects(shape, SH.targetClass):
            classes, todo = {target_class}, [target_class]
            while todo:
                for sub in subclasses.get(todo.pop(), ()):
                    if sub not in classes:
                        classes.add(sub)
                        todo.append(sub)
            for cls in classes:
                focus.update(instances.get(cls, ()))
        for predicate in shapes.objects(shape, SH.targetSubjectsOf):
            focus.update(with_subject.get(predicate, ()))
        for predicate in shapes.objects(shape, SH.targetObjectsOf):
            focus.update(with_object.get(predicate, ()))
        selected[shape] = focus
    return selected


def _shape_labels(shapes: Graph) -> dict[Node, str]:
    """Node shapes by their rdfs:label; property shapes as 'node shape label: path'."""
    labels: dict[Node, str] = {}
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        label = shapes.value(shape, RDFS.label)
        labels[shape] = str(label) if label is not None else compact(shape)
    for shape in set(shapes.subjects(RDF.type, SH.PropertyShape)):
        label = shapes.value(shape, RDFS.label)
        parent = shapes.value(None, SH.property, shape)
        path = path_text(shapes, shapes.value(shape, SH.path))
        labels[shape] = str(label) if label is not None else (f"{labels.get(parent, compact(parent))}: {path}" if parent else path)
    return labels
