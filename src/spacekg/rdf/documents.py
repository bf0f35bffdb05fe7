"""Map citations, instruments, UN documents and the relations between instruments."""

from __future__ import annotations

import re

from rdflib import Literal

from spacekg.namespaces import BIBO, DCTERMS, FOAF, RDF, RDFS, SKG, XSD, slugify
from spacekg.rdf import links
from spacekg.rdf.context import MappingContext
from spacekg.rdf.values import parse_count, split_cell
from spacekg.sources.reading import Record

DOI = re.compile(r"10\.\d{4,9}/\S+")
UN_SYMBOL = re.compile(r"(A|CD|ST|GA)/[A-Za-z0-9.]+(/[A-Za-z0-9.]+)*( \([IVXLC]+\))?( [A-Z])?")
UN_INSTRUMENT_KINDS = {"resolution", "decision", "draft-resolution"}
RELATIONS = {"builds-on": SKG.buildsOn}


def declare_citations(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        ctx.declare(ctx.ids.citations, record.get("key"), ctx.minter.entity("citation", record.get("key")), record, "key")


def declare_instruments(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        ctx.declare(ctx.ids.instruments, record.get("id"), ctx.minter.entity("instrument", record.get("id")), record, "id")


def declare_un_documents(ctx: MappingContext, records: list[Record]) -> None:
    """UN documents share the instruments' identifiers: a resolution is referred to by its symbol."""
    for record in records:
        symbol = record.get("symbol")
        if not UN_SYMBOL.fullmatch(symbol):
            ctx.fail(record, "symbol", f"{symbol!r} is not a UN document symbol", "write it as the UN does, e.g. A/RES/62/43 or A/RES/1721 (XVI)")
            continue
        kind = "instrument" if record.get("kind") in UN_INSTRUMENT_KINDS else "document"
        ctx.declare(ctx.ids.instruments, symbol, ctx.minter.entity(kind, slugify(symbol)), record, "symbol")


def map_citations(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        iri = ctx.ids.citations[record.get("key")]
        ctx.add(iri, RDF.type, ctx.code(SKG.Citation, record.get("type"), record, "type") or SKG.Citation)
        title = record.get("title") or record.get("url") or record.get("key")
        ctx.add(iri, RDFS.label, Literal(title))
        ctx.text(iri, DCTERMS.title, record, "title")
        ctx.text(iri, SKG.authorNames, record, "authors")
        ctx.text(iri, SKG.container, record, "container")
        ctx.text(iri, BIBO.volume, record, "volume")
        ctx.text(iri, BIBO.issue, record, "issue")
        ctx.text(iri, BIBO.pages, record, "pages")
        ctx.text(iri, DCTERMS.publisher, record, "publisher")
        ctx.text(iri, SKG.place, record, "place")
        ctx.text(iri, SKG.metadataFrom, record, "metadata_from")
        year = record.get("year")
        if year:
            if re.fullmatch(r"\d{4}", year):
                ctx.add(iri, DCTERMS.issued, Literal(year, datatype=XSD.gYear))
            else:
                ctx.fail(record, "year", f"year {year!r} is not four digits", "write the year of publication, e.g. 2013")
        doi = record.get("doi")
        if doi:
            if DOI.fullmatch(doi):
                ctx.add(iri, BIBO.doi, Literal(doi))
                links.link_doi(ctx, iri, doi)
            else:
                ctx.fail(record, "doi", f"{doi!r} is not a DOI", "write the bare DOI, e.g. 10.1080/09636419109347459")
        symbol = record.get("un_symbol")
        if symbol:
            ctx.add(iri, SKG.unSymbol, Literal(symbol))
            links.link_symbol(ctx, iri, symbol)
            if symbol in ctx.ids.instruments:
                ctx.add(iri, DCTERMS.isVersionOf, ctx.ids.instruments[symbol])
        ctx.add(iri, FOAF.page, ctx.web_address(record, "url"))
        for key in split_cell(record.get("cited_by")):
            citing = ctx.ids.citations.get(key)
            if citing is None:
                ctx.fail(record, "cited_by", f"unknown citation {key!r}", "use the key of a row of data/citations.csv")
            else:
                ctx.add(citing, DCTERMS.references, iri)
        ctx.doubt(iri, record)


def map_instruments(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        iri = ctx.ids.instruments[record.get("id")]
        ctx.add(iri, RDF.type, ctx.code(SKG.Instrument, record.get("kind"), record, "kind") or SKG.Instrument)
        binding = record.get("legally_binding")
        if binding in ("yes", "no"):
            ctx.add(iri, RDF.type, SKG.LegallyBindingInstrument if binding == "yes" else SKG.NonBindingInstrument)
        elif binding:
            ctx.fail(record, "legally_binding", f"legally_binding must be yes or no, not {binding!r}", "write yes, no, or leave it blank if unknown")
        ctx.add(iri, RDFS.label, Literal(record.get("short_name"), lang="en"))
        ctx.text(iri, DCTERMS.title, record, "title", "en")
        ctx.date(iri, SKG.adoptionDate, record, "adoption_date")
        ctx.date(iri, SKG.openedForSignature, record, "opened_for_signature")
        ctx.date(iri, SKG.entryIntoForce, record, "entry_into_force")
        for place in split_cell(record.get("signature_place")):
            ctx.add(iri, SKG.signaturePlace, Literal(place))
        for depositary in ctx.actors(record, "depositaries"):
            ctx.add(iri, SKG.depositary, depositary)
        ctx.text(iri, SKG.untsCitation, record, "unts_citation")
        adopted_by = record.get("adopted_by")
        if adopted_by:
            ctx.add(iri, SKG.adoptedBy, ctx.instrument(adopted_by, record, "adopted_by"))
        ctx.cite(iri, record)
        ctx.doubt(iri, record)


def map_un_documents(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        symbol = record.get("symbol")
        iri = ctx.ids.instruments.get(symbol)
        if iri is None:
            continue  # its symbol was already reported as malformed
        kind = record.get("kind")
        ctx.add(iri, RDF.type, ctx.code(SKG.UNDocument, kind, record, "kind") or SKG.UNDocument)
        ctx.add(iri, RDFS.label, Literal(f"{symbol}: {record.get('title')}", lang="en"))
        ctx.text(iri, DCTERMS.title, record, "title", "en")
        ctx.add(iri, SKG.unSymbol, Literal(symbol))
        links.link_symbol(ctx, iri, symbol)
        ctx.date(iri, SKG.adoptionDate if kind in UN_INSTRUMENT_KINDS else DCTERMS.issued, record, "date")
        for column, predicate in (("vote_yes", SKG.votesInFavour), ("vote_no", SKG.votesAgainst), ("vote_abstain", SKG.abstentions)):
            value = record.get(column)
            if value:
                try:
                    ctx.add(iri, predicate, parse_count(value))
                except ValueError as error:
                    ctx.fail(record, column, str(error), "write the number of votes, or leave it blank")
        for topic in split_cell(record.get("topics")):
            ctx.add(iri, SKG.topic, Literal(topic))
        ctx.cite(iri, record)
        ctx.doubt(iri, record)


def map_instrument_links(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        relation = RELATIONS.get(record.get("relation"))
        if relation is None:
            ctx.fail(record, "relation", f"unknown relation {record.get('relation')!r}", f"use one of: {', '.join(RELATIONS)}")
            continue
        subject = ctx.instrument(record.get("instrument"), record, "instrument")
        target = ctx.instrument(record.get("target"), record, "target")
        if subject is None or target is None:
            continue
        slug = f"{slugify(record.get('instrument'))}-{record.get('relation')}-{slugify(record.get('target'))}"
        node = ctx.statement(subject, relation, target, ctx.mint_unique("statement", slug, record), record)
        ctx.add(node, RDF.type, SKG.InstrumentRelation)
        ctx.cite(node, record)
        ctx.text(node, RDFS.comment, record, "notes", "en")
