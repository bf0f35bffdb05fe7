"""Stage 2: map the curated records to the asserted RDF graph, remembering file:line per subject."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import pycountry
from rdflib import Graph, URIRef
from rdflib.term import Node

from spacekg.errors import SourceDataErrors, SourcePosition
from spacekg.namespaces import Minter
from spacekg.rdf import actors, redirects, status, turtle
from spacekg.rdf.context import MappingContext
from spacekg.sources.reading import CuratedSources, Record


@dataclass(frozen=True)
class AssertedGraph:
    """The curated facts as RDF, and the source position of every subject minted from them."""

    triples: frozenset[tuple[Node, URIRef, Node]]
    positions: dict[URIRef, SourcePosition] = field(default_factory=dict)
    statement_positions: dict[tuple[Node, URIRef, Node], SourcePosition] = field(default_factory=dict)
    # Retired IRIs and their successors (data/redirects.csv), for the meta graph: not validated facts about the world.
    meta: frozenset[tuple[Node, URIRef, Node]] = frozenset()
    meta_positions: dict[URIRef, SourcePosition] = field(default_factory=dict)

    @cached_property
    def graph(self) -> Graph:
        """The triples as an rdflib Graph, built on first use (validation and reasoning need one)."""
        graph = Graph()
        graph.addN((s, p, o, graph) for s, p, o in self.triples)
        return graph

    def __len__(self) -> int:
        return len(self.triples)


class MappedKind(Protocol):
    """What the mapping stage needs of a record kind (spacekg.kinds.RecordKind)."""

    @property
    def file(self) -> str: ...

    @property
    def map(self) -> Callable[[MappingContext, list[Record]], None]: ...

    @property
    def declare(self) -> Callable[[MappingContext, list[Record]], None] | None: ...


def map_sources(sources: CuratedSources, ontology: Graph, minter: Minter, kinds: Sequence[MappedKind]) -> AssertedGraph:
    """Map every curated record to RDF; raise SourceDataErrors with every problem found, not just the first.

    Every kind first declares the identifiers its rows define, so that rows may refer to each other in
    any order; then each kind's rows are mapped, in the order of `kinds`, then the Turtle files, and last the treaty
    statuses are derived from every act, listing and coverage record (spacekg.rdf.status).
    """
    ctx = MappingContext(ontology, minter)
    for kind in kinds:
        if kind.declare is not None:
            kind.declare(ctx, sources.tables[kind.file])
    actors.map_iso_citation(ctx, getattr(pycountry, "__version__", "unknown"))
    for kind in kinds:
        kind.map(ctx, sources.tables[kind.file])
    for source in sources.turtle:
        turtle.map_turtle(ctx, source)
    redirects.map_redirects(ctx, sources.tables.get(redirects.FILE, []))
    status.derive(ctx)  # last: the status rule reads every act, listing and coverage record
    redirects.check_redirects(ctx)  # against every IRI this build mints
    if ctx.errors:
        raise SourceDataErrors(ctx.errors)
    return AssertedGraph(frozenset(ctx.graph), ctx.positions, ctx.statement_positions, frozenset(ctx.meta), ctx.meta_positions)
