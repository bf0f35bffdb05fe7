"""Map organisations and people (states are minted from ISO 3166 when first referenced)."""

from __future__ import annotations

from rdflib import Literal, URIRef

from spacekg.namespaces import DCTERMS, FOAF, ORG, RDF, RDFS, SKG
from spacekg.rdf.context import ISO_CITATION_KEY, MappingContext
from spacekg.sources.reading import Record


def declare_organizations(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        ctx.declare(ctx.ids.actors, record.get("id"), ctx.minter.entity("org", record.get("id")), record, "id")


def declare_people(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        ctx.declare(ctx.ids.actors, record.get("id"), ctx.minter.entity("person", record.get("id")), record, "id")


def map_organizations(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        iri = ctx.ids.actors[record.get("id")]
        org_class = ctx.code(SKG.Organization, record.get("type"), record, "type")
        ctx.add(iri, RDF.type, org_class or SKG.Organization)
        ctx.add(iri, RDFS.label, Literal(record.get("name"), lang="en"))
        ctx.text(iri, SKG.kindDescription, record, "kind")
        _common(ctx, iri, record)
        parent = record.get("part_of")
        if parent:
            ctx.add(iri, ORG.subOrganizationOf, ctx.actor(parent, record, "part_of"))


def map_people(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        iri = ctx.ids.actors[record.get("id")]
        ctx.add(iri, RDF.type, SKG.Person)
        ctx.add(iri, RDFS.label, Literal(record.get("name")))
        ctx.add(iri, FOAF.name, Literal(record.get("name")))
        _common(ctx, iri, record)


def _common(ctx: MappingContext, iri: URIRef, record: Record) -> None:
    country = record.get("country")
    if country:
        ctx.add(iri, SKG.country, ctx.state(country, record, "country"))
    ctx.add(iri, FOAF.homepage, ctx.web_address(record, "homepage"))
    ctx.cite(iri, record)
    ctx.doubt(iri, record)


def map_iso_citation(ctx: MappingContext, pycountry_version: str) -> None:
    """The citation every state carries: ISO 3166 as packaged by pycountry."""
    iri = ctx.minter.entity("citation", ISO_CITATION_KEY)
    ctx.add(iri, RDF.type, SKG.DatasetCitation)
    ctx.add(iri, RDFS.label, Literal("ISO 3166-1 and ISO 3166-3 country codes", lang="en"))
    ctx.add(iri, DCTERMS.title, Literal("ISO 3166-1 and ISO 3166-3 country codes", lang="en"))
    ctx.add(iri, DCTERMS.publisher, Literal("International Organization for Standardization (via the Debian iso-codes data in pycountry)"))
    ctx.add(iri, DCTERMS.hasVersion, Literal(f"pycountry {pycountry_version}"))
    ctx.add(iri, FOAF.page, URIRef("https://www.iso.org/iso-3166-country-codes.html"))
