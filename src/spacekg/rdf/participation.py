"""Map participation records: dated acts, status listings, Artemis signatures and official counts."""

from __future__ import annotations

import re

from rdflib import Literal, URIRef

from spacekg.namespaces import RDF, RDFS, SKG, XSD, slugify
from spacekg.rdf.context import MappingContext
from spacekg.rdf.values import PARTIAL_DATE, parse_count, split_cell, stated_date
from spacekg.sources.reading import Record

# The property that names the act also names its class (through rdfs:domain): curators write one
# row, the mapper writes one participation -> actor triple, the reasoner derives the rest.
ACTOR_PROPERTY = {
    SKG.Signature: SKG.signedBy, SKG.Ratification: SKG.ratifiedBy, SKG.Accession: SKG.accededBy,
    SKG.Succession: SKG.successorState, SKG.Deposit: SKG.depositedBy, SKG.DeclarationOfAcceptance: SKG.declaredBy,
    SKG.Withdrawal: SKG.withdrawnBy, SKG.PartyListing: SKG.listedParty, SKG.SignatoryListing: SKG.listedSignatory,
    SKG.AcceptanceListing: SKG.listedAcceptingOrganization, SKG.NoStatusListing: SKG.listedWithoutStatus,
}
ARTEMIS = "artemis"


def _slug_part(value: str) -> str:
    return value if re.fullmatch(r"[A-Z]{3}", value) else slugify(value)


def _source_date(ctx: MappingContext, iri: URIRef, record: Record) -> None:
    """The as-of cell: a date (possibly partial), or words that may start with the source's date ("1969 (AJIL reprint)")."""
    as_of = record.get("as_of")
    if not as_of:
        return
    if PARTIAL_DATE.fullmatch(as_of):
        ctx.date(iri, SKG.asOf, record, "as_of", bounds=False)
        return
    ctx.add(iri, SKG.asOfNote, Literal(as_of))
    stated = stated_date(as_of)
    if stated is not None:
        ctx.add(iri, SKG.asOf, stated.literal)


def _participation(ctx: MappingContext, record: Record, act: URIRef, actor_value: str, actor_column: str,
                   instrument_value: str, date_column: str, kind: str, key: str) -> URIRef | None:
    """One act or listing. Its IRI comes from actor, instrument and `key` (the act, or the listing's source), never from
    a date, so that correcting a date keeps the IRI (rows that differ only by source get a suffix)."""
    actor = ctx.actor(actor_value, record, actor_column)
    instrument = ctx.instrument(instrument_value, record, "instrument") if instrument_value else None
    if actor is None or (instrument_value and instrument is None):
        return None
    notation = ctx.codes_label(act)
    iri = ctx.mint_unique(kind, "-".join((_slug_part(actor_value), slugify(instrument_value), slugify(key))), record)
    ctx.add(iri, RDF.type, act)
    ctx.add(iri, ACTOR_PROPERTY[act], actor)
    ctx.add(iri, SKG.instrument, instrument)
    when = (record.get(date_column) if date_column else "") or record.get("as_of")
    when = when if PARTIAL_DATE.fullmatch(when) else ""
    ctx.add(iri, RDFS.label, Literal(f"{actor_value} {notation} {instrument_value}" + (f" ({when})" if when else "")))
    ctx.text(iri, SKG.nameInSource, record, "actor_name_in_source")
    if date_column:
        ctx.date(iri, SKG.date, record, date_column, bounds=True)
        ctx.date(iri, SKG.effectiveDate, record, "effective_date")
    _source_date(ctx, iri, record)
    ctx.cite(iri, record)
    ctx.doubt(iri, record)
    ctx.evidence.append((iri, act, actor, instrument, record, date_column))
    return iri


def map_actions(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        act = ctx.code(SKG.Participation, record.get("action"), record, "action")
        if act is not None:
            _participation(ctx, record, act, record.get("actor"), "actor", record.get("instrument"), "date", "participation",
                           record.get("action"))


def map_status(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        listing = ctx.code(SKG.StatusListing, record.get("status"), record, "status")
        if listing is not None:
            _participation(ctx, record, listing, record.get("actor"), "actor", record.get("instrument"), "", "status-listing",
                           split_cell(record.get("sources"))[0] if record.get("sources") else "unsourced")


def map_artemis(ctx: MappingContext, records: list[Record]) -> None:
    if ARTEMIS not in ctx.ids.instruments:
        if records:
            ctx.fail(records[0], "", "data/instruments.csv has no instrument with id 'artemis'", "restore the Artemis Accords row")
        return
    for record in records:
        iri = _participation(ctx, record, SKG.Signature, record.get("state"), "state", ARTEMIS, "date_signed", "participation", "signature")
        if iri is None:
            continue
        for column, predicate in (("order_from", SKG.signingOrderFrom), ("order_to", SKG.signingOrderTo)):
            value = record.get(column)
            if value:
                if value.isdigit() and int(value) > 0:
                    ctx.add(iri, predicate, Literal(int(value), datatype=XSD.integer))  # as stores keep it
                else:
                    ctx.fail(record, column, f"signing order {value!r} is not a positive whole number", "write the position, e.g. 9")


def map_totals(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        instrument = ctx.instrument(record.get("instrument"), record, "instrument")
        if instrument is None:
            continue
        # keyed by source, not date: a corrected as-of date keeps the IRI
        source = split_cell(record.get("sources"))[0] if record.get("sources") else "unsourced"
        iri = ctx.mint_unique("count", f"{slugify(record.get('instrument'))}-{slugify(source)}", record)
        ctx.add(iri, RDF.type, SKG.OfficialCount)
        ctx.add(iri, SKG.instrument, instrument)
        ctx.add(iri, RDFS.label, Literal(f"official count for {record.get('instrument')} as of {record.get('as_of') or 'an undated source'}"))
        ctx.date(iri, SKG.asOf, record, "as_of")
        for column, predicate in (("parties", SKG.partyCount), ("signatories", SKG.signatoryCount), ("igo_declarations", SKG.declarationCount)):
            value = record.get(column)
            if value:
                try:
                    ctx.add(iri, predicate, parse_count(value))
                except ValueError as error:
                    ctx.fail(record, column, str(error), "write the count as a whole number, or leave it blank")
        ctx.cite(iri, record)
        ctx.doubt(iri, record)
