"""The validation report: results mapped back to the curated sources, and its standard SHACL graph form."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from spacekg.errors import DataDoesNotConform, SourcePosition
from spacekg.namespaces import PREFIXES, RDF, RDFS, SH, SKG, XSD

SEVERITIES = ("Violation", "Warning", "Info")
Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with the label of its focus node and the file:line a curator edits to fix it."""

    severity: str  # "Violation", "Warning" or "Info" (the local name of sh:resultSeverity)
    focus_node: Node
    focus_label: str
    path: Node | None
    path_text: str  # the path in SPARQL property-path syntax with prefixes, e.g. "^skg:assessedNorm"
    value: Node | None
    message: str
    source_shape: Node
    source_constraint_component: Node
    source_constraint: Node | None = None
    position: SourcePosition | None = None
    path_triples: tuple[Triple, ...] = ()  # structure of a blank-node path, for the report graph

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What identifies a result across releases: focus node, path, source shape and value."""
        return (str(self.focus_node), self.path_text, str(self.source_shape), _term_key(self.value))

    @property
    def where(self) -> str:
        """'data/events.csv:12', or '(no source line)' when the focus node came from no curated record."""
        return f"{self.position.path}:{self.position.line}" if self.position else "(no source line)"


@dataclass(frozen=True)
class ValidationReport:
    """Every result of one validation run, and how many focus nodes each node shape targeted."""

    results: tuple[ValidationResult, ...]
    focus_counts: Mapping[Node, int] = field(default_factory=dict)  # node shape -> number of focus nodes
    shape_labels: Mapping[Node, str] = field(default_factory=dict)  # shape -> rdfs:label or compact IRI
    seconds: float = 0.0

    @property
    def conforms(self) -> bool:
        """True when no result is a Violation: Warnings and Infos do not block a release."""
        return not any(result.severity == "Violation" for result in self.results)

    def count(self, severity: str) -> int:
        return sum(1 for result in self.results if result.severity == severity)

    def counts_by_shape(self) -> dict[tuple[Node, str], int]:
        """Number of results per (source shape, severity)."""
        return dict(Counter((result.source_shape, result.severity) for result in self.results))

    @property
    def unmatched_shapes(self) -> tuple[Node, ...]:
        """Node shapes whose targets selected no focus node at all, so they checked nothing."""
        return tuple(sorted((shape for shape, n in self.focus_counts.items() if n == 0), key=str))

    def shape_label(self, shape: Node) -> str:
        return self.shape_labels.get(shape) or compact(shape)


def _term_key(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return f"{term}|{term.datatype or ''}|{term.language or ''}"
    return str(term)


_COMPACT_PREFIXES = (*PREFIXES.items(), ("skgsh", "https://w3id.org/spacekg/shapes#"))


def compact(term: Node | None) -> str:
    """A short readable form of an RDF term: 'skg:date', a literal's text, or the full IRI."""
    if term is None:
        return ""
    if isinstance(term, Literal):
        return str(term)
    if not isinstance(term, URIRef):
        return f"_:{term}"
    matches = [(namespace, prefix) for prefix, namespace in _COMPACT_PREFIXES if str(term).startswith(namespace)]
    if matches:
        namespace, prefix = max(matches, key=lambda match: len(match[0]))
        local = str(term)[len(namespace):]
        if local and all(c.isalnum() or c in "_-." for c in local):
            return f"{prefix}:{local}"
    return str(term)


def report_graph(report: ValidationReport) -> Graph:
    """The standard sh:ValidationReport graph; each result also names skg:sourceFile and skg:sourceLine.

    The focus nodes' labels are added as rdfs:label triples so that a later diff can name them.
    """
    graph = Graph()
    graph.bind("sh", SH)
    graph.bind("skg", SKG)
    graph.bind("skgsh", "https://w3id.org/spacekg/shapes#")
    for prefix in ("rdf", "rdfs", "xsd", "dct", "skos", "foaf", "bibo", "org", "schema"):
        graph.bind(prefix, PREFIXES[prefix])
    root = BNode("report")  # blank nodes are labelled by content, so that an unchanged report dumps the same lines
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(report.conforms)))
    used: set[str] = set()
    for result in report.results:
        node = _result_node(result, used)
        graph.add((root, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, SH[result.severity]))
        graph.add((node, SH.focusNode, result.focus_node))
        if result.focus_label and isinstance(result.focus_node, URIRef):
            graph.add((result.focus_node, RDFS.label, Literal(result.focus_label)))
        if result.path is not None:
            path_labels = _path_labels(result.path_triples, str(node))
            graph.add((node, SH.resultPath, path_labels.get(result.path, result.path)))
            for s, p, o in result.path_triples:
                graph.add((path_labels.get(s, s), p, path_labels.get(o, o)))
        if result.value is not None:
            graph.add((node, SH.value, result.value))
        graph.add((node, SH.resultMessage, Literal(result.message)))
        graph.add((node, SH.sourceShape, result.source_shape))
        graph.add((node, SH.sourceConstraintComponent, result.source_constraint_component))
        if result.source_constraint is not None and not isinstance(result.source_constraint, BNode):
            graph.add((node, SH.sourceConstraint, result.source_constraint))
        if result.position is not None:
            graph.add((node, SKG.sourceFile, Literal(result.position.path)))
            if result.position.line > 0:
                graph.add((node, SKG.sourceLine, Literal(result.position.line, datatype=XSD.integer)))
    return graph


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _result_node(result: ValidationResult, used: set[str]) -> BNode:
    """A label made of what the result says in the graph (not where: a moved line changes one triple, not the whole result).

    Release diffs compare dumps line by line; a fresh random label each build would show every result as
    removed and added again. Two results that say the same thing get a counter to stay apart.
    """
    path = result.path_text if not isinstance(result.path, BNode) else _structure(result.path, _by_subject(result.path_triples), set())
    constraint = "" if isinstance(result.source_constraint, BNode) else _term_key(result.source_constraint)  # a blank one is not written
    label = "r" + _digest("\x1f".join((result.severity, _term_key(result.focus_node), path, _term_key(result.value), result.message,
                                      str(result.source_shape), str(result.source_constraint_component), constraint)))
    unique, n = label, 1
    while unique in used:
        n += 1
        unique = f"{label}x{n}"
    used.add(unique)
    return BNode(unique)


def _by_subject(triples: Iterable[Triple]) -> dict[Node, list[tuple[Node, Node]]]:
    found: dict[Node, list[tuple[Node, Node]]] = {}
    for s, p, o in triples:
        found.setdefault(s, []).append((p, o))
    return found


def _structure(node: Node, by_subject: Mapping[Node, list[tuple[Node, Node]]], seen: set[Node]) -> str:
    """A blank node of a path written out by content (nested nodes inlined), the same whatever its label."""
    if not isinstance(node, BNode) or node in seen:
        return node.n3() if not isinstance(node, BNode) else "[cycle]"
    inner = seen | {node}
    return "[" + ";".join(sorted(f"{p.n3()} {_structure(o, by_subject, inner)}" for p, o in by_subject.get(node, []))) + "]"


def _path_labels(path_triples: tuple[Triple, ...], result_label: str) -> dict[Node, BNode]:
    """Content labels for the blank nodes of a result's path, within the result (each result keeps its own copy)."""
    by_subject = _by_subject(path_triples)
    nodes = {term for s, _, o in path_triples for term in (s, o) if isinstance(term, BNode)}
    return {node: BNode("p" + _digest(result_label + _structure(node, by_subject, set()))) for node in nodes}


def results_from_graph(graph: Graph) -> list[ValidationResult]:
    """Read the results back from a report graph (ours or any SHACL engine's), e.g. a previous release's."""
    results = []
    for node in graph.subjects(RDF.type, SH.ValidationResult):
        focus = graph.value(node, SH.focusNode)
        shape = graph.value(node, SH.sourceShape)
        if focus is None or shape is None:
            continue
        path = graph.value(node, SH.resultPath)
        severity = graph.value(node, SH.resultSeverity)
        source_file = graph.value(node, SKG.sourceFile)
        source_line = graph.value(node, SKG.sourceLine)
        position = None
        if source_file is not None:
            position = SourcePosition(str(source_file), int(source_line.toPython()) if isinstance(source_line, Literal) else 0)
        label = graph.value(focus, RDFS.label) if isinstance(focus, URIRef) else None
        results.append(ValidationResult(
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            focus_node=focus, focus_label=str(label) if label is not None else compact(focus),
            path=path, path_text=path_text(graph, path), value=graph.value(node, SH.value),
            message=str(graph.value(node, SH.resultMessage) or ""), source_shape=shape,
            source_constraint_component=graph.value(node, SH.sourceConstraintComponent) or SH.ConstraintComponent,
            source_constraint=graph.value(node, SH.sourceConstraint), position=position, path_triples=path_structure(graph, path)))
    return results


def path_text(graph: Graph, path: Node | None) -> str:
    """Write a SHACL property path in SPARQL syntax: skg:date, ^skg:assessedNorm, (a/b), (a|b), a*."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return compact(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_text(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, item) for item in _flat_alternatives(graph, alternatives)) + ")"
    for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            return path_text(graph, inner) + suffix
    if graph.value(path, RDF.first) is not None:
        return "(" + "/".join(path_text(graph, item) for item in graph.items(path)) + ")"
    return compact(path)


def _flat_alternatives(graph: Graph, alternatives: Node) -> list[Node]:
    """The members of an alternative path, with nested alternatives inlined: Jena writes a|b|c as (a|b)|c."""
    members: list[Node] = []
    for item in graph.items(alternatives):
        nested = graph.value(item, SH.alternativePath) if isinstance(item, BNode) else None
        members.extend(_flat_alternatives(graph, nested) if nested is not None else [item])
    return members


def path_structure(graph: Graph, path: Node | None) -> tuple[Triple, ...]:
    """The triples that spell out a blank-node path (inverse, sequence, ...), to copy it into another graph."""
    if not isinstance(path, BNode):
        return ()
    triples: list[Triple] = []
    pending: list[Node] = [path]
    seen: set[Node] = set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, obj in graph.predicate_objects(node):
            triples.append((node, predicate, obj))
            if isinstance(obj, BNode):
                pending.append(obj)
    return tuple(triples)


def sorted_results(results: Iterable[ValidationResult]) -> tuple[ValidationResult, ...]:
    """Order results as a curator reads them: by file and line, then severity, shape and focus node."""
    rank = {severity: index for index, severity in enumerate(SEVERITIES)}

    def order(result: ValidationResult) -> tuple[str, int, int, str, str, str, str]:
        where = result.position or SourcePosition("~", 0)
        return (where.path, where.line, rank.get(result.severity, 9), str(result.source_shape), str(result.focus_node),
                result.path_text, _term_key(result.value))

    return tuple(sorted(results, key=order))


def ensure_conforms(report: ValidationReport) -> ValidationReport:
    """Return the report if it has no Violation; raise DataDoesNotConform otherwise."""
    if not report.conforms:
        raise DataDoesNotConform(report)
    return report
