"""Stage 3: validate a graph against SHACL shapes with pySHACL, and map each result to file:line."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyshacl
import rdflib
import rdflib.term
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from spacekg.errors import ShapesNotEvaluable, SourceDataError, SourceDataErrors, SourcePosition
from spacekg.namespaces import DCTERMS, DEFAULT_BASE, RDF, RDFS, SH, SKOS, XSD
from spacekg.validate.report import (
    ValidationReport,
    ValidationResult,
    compact,
    path_structure,
    path_text,
    sorted_results,
)

# pySHACL switches rdflib's process-wide literal normalisation (and its xsd:boolean parser) while it
# loads shapes. One validation at a time, with that state restored afterwards, keeps other rdflib
# work in this process unaffected; callers must still not run other rdflib work concurrently.
_ENGINE = threading.Lock()
_CITING = frozenset({DCTERMS.source, DCTERMS.references})


def load_shapes(*paths: Path) -> Graph:
    """Parse SHACL shape files into one graph; a file that does not parse is a source data error."""
    shapes = Graph()
    for path in paths:
        try:
            shapes.parse(path, format="turtle")
        except (OSError, SyntaxError, ValueError) as error:
            raise SourceDataErrors([SourceDataError(SourcePosition(str(path), 0), f"shapes do not parse: {error}",
                                                    "fix the Turtle syntax of the shapes file")]) from error
    return shapes


def validate(data_graph: Graph, shapes: Graph, ontology: Graph, positions: Mapping[URIRef, SourcePosition],
             base_iri: str = DEFAULT_BASE) -> ValidationReport:
    """Validate `data_graph` (with the ontology's axioms beside it) against `shapes`; inputs are not mutated.

    Every result names its focus node's label and the file:line of the record behind it: the focus
    node's own position, else that of a record linking to it (a norm assessment -> its norm).
    Shapes are written against the canonical base IRI; for another `base_iri` their IRI patterns
    and entity IRIs are rewritten before validating.
    """
    data = _ParsedOnceGraph()
    data += data_graph
    data += ontology
    shapes_graph = _rebased(shapes, base_iri)
    started = time.perf_counter()
    with _ENGINE, _rdflib_state_kept():
        _, pyshacl_report, _ = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none", inplace=True,
                                                advanced=False, meta_shacl=False, allow_infos=True, allow_warnings=True)
    seconds = time.perf_counter() - started
    if not isinstance(pyshacl_report, Graph):  # pySHACL returns, not raises, its failure to evaluate a shape
        raise ShapesNotEvaluable(str(pyshacl_report))
    results = [_result(pyshacl_report, node, data, positions)
               for node in pyshacl_report.subjects(RDF.type, SH.ValidationResult)]
    selected = focus_nodes(shapes_graph, data)
    return ValidationReport(results=sorted_results(results), focus_counts={shape: len(nodes) for shape, nodes in selected.items()},
                            shape_labels=_shape_labels(shapes_graph), seconds=seconds)


@functools.lru_cache(maxsize=512)  # the shapes hold a few dozen SPARQL texts; other bases or shapes files add theirs
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _ParsedOnceGraph(Graph):
    """A graph that parses each SPARQL text once per process.

    pySHACL sends the text of a SPARQL constraint again for every focus node, and parsing it costs
    rdflib far more than evaluating it (on the tiny project, 1.8 s of a 2.5 s validation): the parsed
    query is kept for every later focus node and validation.
    """

    def query(self, query_object: str | Query, processor: Any = "sparql", result: Any = "sparql",
              initNs: Mapping[str, Any] | None = None, initBindings: Mapping[str, Any] | None = None,  # noqa: N803
              use_store_provided: bool = True, **kwargs: Any) -> Result:
        if isinstance(query_object, str) and not initNs:
            query_object = _prepared(query_object)
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


@contextmanager
def _rdflib_state_kept() -> Iterator[None]:
    normalize = rdflib.NORMALIZE_LITERALS
    boolean = rdflib.term._toPythonMapping.get(XSD.boolean)
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
        rdflib.term._toPythonMapping[XSD.boolean] = boolean


def _rebased(shapes: Graph, base_iri: str) -> Graph:
    """A copy of the shapes with the canonical entity base replaced, in IRIs and in regular expressions."""
    copy = Graph()
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace)
    if base_iri == DEFAULT_BASE:
        for triple in shapes:
            copy.add(triple)
        return copy
    canonical_pattern, pattern = _regex_escape(DEFAULT_BASE), _regex_escape(base_iri)
    entities = DEFAULT_BASE + "id/"

    def rebase(term: Node) -> Node:
        if isinstance(term, URIRef) and str(term).startswith(entities):
            return URIRef(base_iri + str(term)[len(DEFAULT_BASE):])
        if isinstance(term, Literal) and canonical_pattern in str(term):
            return Literal(str(term).replace(canonical_pattern, pattern), lang=term.language, datatype=term.datatype)
        return term

    for s, p, o in shapes:
        copy.add((rebase(s), p, rebase(o)))
    return copy


def _regex_escape(text: str) -> str:
    """Escape a base IRI the way the shapes file writes it in sh:pattern (only '.' needs it there)."""
    return "".join("\\" + c if c in ".^$*+?()[]{}|\\" else c for c in text)


def _result(report: Graph, node: Node, data: Graph, positions: Mapping[URIRef, SourcePosition]) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    shape = report.value(node, SH.sourceShape)
    assert focus is not None and shape is not None
    path = report.value(node, SH.resultPath)
    severity = report.value(node, SH.resultSeverity)
    messages = sorted(report.objects(node, SH.resultMessage), key=lambda m: (getattr(m, "language", None) != "en", str(m)))
    return ValidationResult(
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        focus_node=focus, focus_label=label_of(data, focus), path=path, path_text=path_text(report, path),
        value=report.value(node, SH.value), message=str(messages[0]) if messages else "",
        source_shape=shape, source_constraint_component=report.value(node, SH.sourceConstraintComponent) or SH.ConstraintComponent,
        source_constraint=report.value(node, SH.sourceConstraint), position=position_of(data, focus, positions),
        path_triples=path_structure(report, path))


def label_of(graph: Graph, node: Node) -> str:
    """The node's English rdfs:label, else any label or preferred label, else its compact IRI."""
    if isinstance(node, Literal):
        return str(node)
    labels = list(graph.objects(node, RDFS.label)) + list(graph.objects(node, SKOS.prefLabel))
    for label in labels:
        if isinstance(label, Literal) and label.language == "en":
            return str(label)
    return str(labels[0]) if labels else compact(node)


def position_of(graph: Graph, node: Node, positions: Mapping[URIRef, SourcePosition]) -> SourcePosition | None:
    """Where the record behind `node` was written.

    A node minted without a record of its own (a norm assessment) is placed at a record that links
    to it, else at one it links to (its norm). Citing a source is not such a link: the line of a
    record that cites a work says nothing about where the work is described.
    """
    if isinstance(node, URIRef) and node in positions:
        return positions[node]
    if isinstance(node, (URIRef, BNode)):
        linking = sorted({s for s, p in graph.subject_predicates(node) if s in positions and p not in _CITING}, key=str)
        linked = sorted({o for p, o in graph.predicate_objects(node) if o in positions and p not in _CITING}, key=str)
        for candidate in (*linking, *linked):
            return positions[candidate]  # type: ignore[index]
    return None


def focus_nodes(shapes: Graph, data: Graph) -> dict[Node, set[Node]]:
    """The focus nodes that each node shape's core targets select in the data graph.

    Class targets include instances of subclasses, read from the rdfs:subClassOf triples of the data
    graph (which carries the ontology), as SHACL specifies. Node shapes without targets are left out.
    """
    selected: dict[Node, set[Node]] = {}
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        if not any(shapes.triples((shape, p, None)) for p in (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)):
            continue
        focus: set[Node] = set(shapes.objects(shape, SH.targetNode))
        for target_class in shapes.objects(shape, SH.targetClass):
            for cls in data.transitive_subjects(RDFS.subClassOf, target_class):
                focus.update(data.subjects(RDF.type, cls))
        for predicate in shapes.objects(shape, SH.targetSubjectsOf):
            focus.update(data.subjects(predicate, None))
        for predicate in shapes.objects(shape, SH.targetObjectsOf):
            focus.update(data.objects(None, predicate))
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
