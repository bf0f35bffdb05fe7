"""What the reasoning stage returns, and where each asserted triple was written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from rdflib import Graph, URIRef
from rdflib.term import Node

from spacekg.errors import SourcePosition
from spacekg.reason.index import Triple
from spacekg.reason.rules import Derivations


@dataclass(frozen=True)
class Sources:
    """Where asserted triples come from: the ontology file for axioms, the record of the subject for data.

    `positions` maps each minted subject to the record (file:line) that minted it; `statement_positions`
    may map single triples to where they were written. A data triple is located by its own entry if
    there is one, else at its subject's record, else at its object's. Statements written apart from
    their subject's record (a relation table such as instrument_links.csv, a Turtle data file) are
    therefore shown at the subject's record unless the mapping stage records them one by one.
    """

    ontology: frozenset[Triple]
    asserted: frozenset[Triple]
    positions: Mapping[URIRef, SourcePosition]
    ontology_source: str
    statement_positions: Mapping[Triple, SourcePosition] = field(default_factory=dict)

    def _minted(self, term: Node) -> SourcePosition | None:
        return self.positions.get(term) if isinstance(term, URIRef) else None

    def is_asserted(self, triple: Triple) -> bool:
        return triple in self.asserted or triple in self.ontology

    def of(self, triple: Triple) -> SourcePosition | None:
        """The file (and line, for data) where an asserted triple was written; None if unknown or not asserted."""
        if triple in self.asserted:
            return self.statement_positions.get(triple) or self._minted(triple[0]) or self._minted(triple[2])
        if triple in self.ontology:
            return SourcePosition(self.ontology_source, 0)
        return None


@dataclass(frozen=True)
class Reasoning:
    """The outcome of reasoning: the inferred facts, and what is needed to explain each of them."""

    triples: frozenset[Triple]
    engine: str
    derivations: Derivations
    sources: Sources
    seconds: float

    @cached_property
    def inferred(self) -> Graph:
        """The inferred facts as an rdflib Graph, built on first use (the store loads `triples` directly)."""
        graph = Graph()
        graph.addN((s, p, o, graph) for s, p, o in self.triples)
        return graph

    def __len__(self) -> int:
        return len(self.triples)

    @property
    def unexplained(self) -> set[Triple]:
        """Inferred facts the explanation engine did not derive (empty unless the engines disagree)."""
        return {t for t in self.triples if t not in self.derivations.derived}
