"""Explain inferred facts of a published release, for the web pages.

A release keeps the ontology and asserted graphs and where every record was written, so the web app
can re-run the (fast, deterministic) rule engine over them once, on first use, and explain any
inferred triple with the same tree that `spacekg why` prints.
"""

from __future__ import annotations

import re
from threading import Lock
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from spacekg.errors import SourcePosition
from spacekg.kinds import entity_prefixes
from spacekg.namespaces import Minter
from spacekg.reason import Reasoning, explain, reason
from spacekg.store.releases import Release
from spacekg.store.serving import ServedStore

STATEMENT_LINE = re.compile(r"^(.*) \. # (.+):(\d+)$")


def from_oxigraph(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"quoted triples are not explained: {term!r}")


class ReleaseExplainer:
    """Explanations of one release's inferred facts; reasoning runs once, on the first request."""

    def __init__(self, release: Release, store: ServedStore) -> None:
        self.release = release
        self.store = store
        self.minter = Minter(str(release.manifest.get("base_iri", "https://w3id.org/spacekg/")))
        self._reasoning: Reasoning | None = None
        self._lock = Lock()

    def _graph(self, name: str) -> list[tuple[Node, Node, Node]]:
        graph = ox.NamedNode(str(self.minter.graph(name)))
        return [(from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object))
                for q in self.store.quads_for_pattern(None, None, None, graph)]

    def _statement_positions(self) -> dict[tuple[Node, Node, Node], SourcePosition]:
        path = self.release.path / "statement_positions.nt"
        if not path.exists():
            return {}
        positions = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            match = STATEMENT_LINE.match(line)
            if match:
                (quad,) = list(ox.parse(match.group(1).encode() + b" .", format=ox.RdfFormat.N_TRIPLES))
                triple = (from_oxigraph(quad.subject), from_oxigraph(quad.predicate), from_oxigraph(quad.object))
                positions[triple] = SourcePosition(match.group(2), int(match.group(3)))
        return positions

    def reasoning(self) -> Reasoning:
        with self._lock:
            if self._reasoning is None:
                positions = {URIRef(iri): SourcePosition(path, line) for iri, (path, line) in self.release.positions().items()}
                self._reasoning = reason(self._graph("ontology"), self._graph("asserted"), str(self.release.manifest.get("reasoner", "rules")),
                                         positions=positions, statement_positions=self._statement_positions())
            return self._reasoning

    def explain(self, triple: tuple[Node, Node, Node]) -> dict[str, Any]:
        """The explanation tree as JSON (raises NotInferredError for a triple that is not inferred)."""
        return explain(triple, self.reasoning()).to_json(entity_prefixes(self.minter))
