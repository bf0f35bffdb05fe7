"""Map the chronology of events and the norms of space security."""

from __future__ import annotations

from rdflib import Literal

from spacekg.namespaces import RDF, RDFS, SKG
from spacekg.rdf.context import MappingContext
from spacekg.sources.reading import Record


def declare_events(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        ctx.declare(ctx.ids.events, record.get("id"), ctx.minter.entity("event", record.get("id")), record, "id")


def declare_norms(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        ctx.declare(ctx.ids.norms, record.get("id"), ctx.minter.entity("norm", record.get("id")), record, "id")


def map_events(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        iri = ctx.ids.events[record.get("id")]
        ctx.add(iri, RDF.type, ctx.code(SKG.Event, record.get("type"), record, "type") or SKG.Event)
        ctx.add(iri, RDFS.label, Literal(record.get("title"), lang="en"))
        ctx.date(iri, SKG.date, record, "date", bounds=True)
        for actor in ctx.actors(record, "actors"):
            ctx.add(iri, SKG.involves, actor)
        for instrument in ctx.instruments(record, "instruments"):
            ctx.add(iri, SKG.concerns, instrument)
        ctx.cite(iri, record)
        ctx.doubt(iri, record)


def map_norms(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        iri = ctx.ids.norms[record.get("id")]
        ctx.add(iri, RDF.type, SKG.Norm)
        ctx.add(iri, RDFS.label, Literal(record.get("name"), lang="en"))
        for instrument in ctx.instruments(record, "codified_in"):
            ctx.add(iri, SKG.codifiedIn, instrument)
        for actor in ctx.actors(record, "proposed_by"):
            ctx.add(iri, SKG.proposedBy, actor)
        # The status (and strength) is one cited source's assessment, so it lives on its own node.
        assessment = ctx.minter.entity("norm", f"{record.get('id')}/assessment")
        ctx.add(assessment, RDF.type, SKG.NormAssessment)
        ctx.add(assessment, SKG.assessedNorm, iri)
        ctx.add(assessment, RDFS.label, Literal(f"assessment of the norm '{record.get('id')}'", lang="en"))
        ctx.add(assessment, SKG.normStatus, ctx.code(SKG.NormStatusScheme, record.get("status"), record, "status"))
        strength = record.get("strength")
        if strength:
            ctx.add(assessment, SKG.normStrength, ctx.code(SKG.NormStrengthScheme, strength, record, "strength"))
        ctx.positions.setdefault(assessment, record.position())
        ctx.cite(assessment, record)
        ctx.cite(iri, record)
        ctx.doubt(iri, record)
