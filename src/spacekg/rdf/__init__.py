"""Stage 2: map the curated records to the asserted RDF graph, remembering file:line per subject."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pycountry
from rdflib import Graph, URIRef
from rdflib.term import Node

from spacekg.errors import SourceDataErrors, SourcePosition
from spacekg.namespaces import Minter
from spacekg.rdf import actors, chronology, documents, participation, turtle
from spacekg.rdf.context import MappingContext
from spacekg.sources.reading import CuratedSources


@dataclass(frozen=True)
class AssertedGraph:
    """The curated facts as RDF, and the source position of every subject minted from them."""

    triples: frozenset[tuple[Node, URIRef, Node]]
    positions: dict[URIRef, SourcePosition] = field(default_factory=dict)
    statement_positions: dict[tuple[Node, URIRef, Node], SourcePosition] = field(default_factory=dict)

    @cached_property
    def graph(self) -> Graph:
        """The triples as an rdflib Graph, built on first use (validation and reasoning need one)."""
        graph = Graph()
        graph.addN((s, p, o, graph) for s, p, o in self.triples)
        return graph

    def __len__(self) -> int:
        return len(self.triples)


def map_sources(sources: CuratedSources, ontology: Graph, minter: Minter) -> AssertedGraph:
    """Map every curated record to RDF; raise SourceDataErrors with every problem found, not just the first."""
    ctx = MappingContext(ontology, minter)
    tables = sources.tables
    documents.declare_documents(ctx, tables["citations"], tables["instruments"], tables["un_documents"])
    actors.declare_actors(ctx, tables["organizations"], tables["people"])
    chronology.declare_events_and_norms(ctx, tables["events"], tables["norms"])

    actors.map_iso_citation(ctx, getattr(pycountry, "__version__", "unknown"))
    documents.map_citations(ctx, tables["citations"])
    actors.map_organizations(ctx, tables["organizations"])
    actors.map_people(ctx, tables["people"])
    documents.map_instruments(ctx, tables["instruments"])
    documents.map_un_documents(ctx, tables["un_documents"])
    documents.map_instrument_links(ctx, tables["instrument_links"])
    participation.map_status(ctx, tables["participation_status"])
    participation.map_actions(ctx, tables["participation_actions"])
    participation.map_artemis(ctx, tables["artemis_signatories"])
    participation.map_totals(ctx, tables["treaty_totals"])
    chronology.map_events(ctx, tables["events"])
    chronology.map_norms(ctx, tables["norms"])
    for source in sources.turtle:
        turtle.map_turtle(ctx, source)
    if ctx.errors:
        raise SourceDataErrors(ctx.errors)
    return AssertedGraph(frozenset(ctx.graph), ctx.positions, ctx.statement_positions)
