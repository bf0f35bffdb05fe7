"""Status coverage records, and the treaty status the rule (spacekg.rdf.status_rule) derives from all evidence.

Runs in the mapping stage, after every record is mapped, so the derived statuses are validated and
published with the curated facts they come from. Every instrument with at least one row in
data/status_coverage.csv gets one assessment per state in the graph and per actor with evidence.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from rdflib import Literal, URIRef

from spacekg.errors import SourcePosition
from spacekg.namespaces import RDF, RDFS, SKG, XSD, slugify
from spacekg.rdf.context import MappingContext
from spacekg.rdf.status_rule import Evidence, assess
from spacekg.rdf.values import PartialDate, parse_partial_date, split_cell, stated_date
from spacekg.sources.reading import Record

STATUS_OF_CLASS = {
    SKG.Signature: "signatory", SKG.Ratification: "party", SKG.Accession: "party", SKG.Succession: "party", SKG.Deposit: "party",
    SKG.DeclarationOfAcceptance: "declared-acceptance", SKG.Withdrawal: "withdrawn",
    SKG.PartyListing: "party", SKG.SignatoryListing: "signatory", SKG.AcceptanceListing: "declared-acceptance",
    SKG.NoStatusListing: "not-party",
}
LISTINGS = {SKG.PartyListing, SKG.SignatoryListing, SKG.AcceptanceListing, SKG.NoStatusListing}
STATUS_CONCEPTS = {
    "party": SKG.statusParty, "signatory": SKG.statusSignatory, "declared-acceptance": SKG.statusDeclaredAcceptance,
    "withdrawn": SKG.statusWithdrawn, "not-party": SKG.statusNotParty, "unknown": SKG.statusUnknown, "not-covered": SKG.statusNotCovered,
}


@dataclass(frozen=True)
class Coverage:
    iri: URIRef
    source: str
    instrument: str
    complete: bool
    as_of: PartialDate | None
    read_on: dt.date | None
    record: Record

    @property
    def known_by(self) -> dt.date | None:
        return self.as_of.latest if self.as_of else self.read_on


def _partial(record: Record, column: str) -> PartialDate | None:
    value = record.get(column)
    if not value:
        return None
    try:
        return parse_partial_date(value)
    except ValueError:
        return None  # the mapper of the record has already reported it


def map_coverage(ctx: MappingContext, records: list[Record]) -> None:
    """data/status_coverage.csv: whom each status source covers for one instrument, and as of when."""
    for record in records:
        instrument = ctx.instrument(record.get("instrument"), record, "instrument")
        scope = ctx.code(SKG.CoverageScheme, record.get("covers"), record, "covers")
        sources = split_cell(record.get("sources"))
        if len(sources) != 1:
            ctx.fail(record, "sources", f"a coverage row names one status source, not {len(sources)}", "write one citation key per row")
        if instrument is None or scope is None or len(sources) != 1:
            continue
        iri = ctx.mint_unique("coverage", f"{slugify(record.get('instrument'))}-{slugify(sources[0])}", record)
        ctx.add(iri, RDF.type, SKG.StatusCoverage)
        ctx.add(iri, SKG.instrument, instrument)
        ctx.add(iri, SKG.coverage, scope)
        ctx.add(iri, RDFS.label, Literal(f"what {sources[0]} covers for {record.get('instrument')}"))
        ctx.date(iri, SKG.asOf, record, "as_of")
        ctx.date(iri, SKG.readOn, record, "read_on")
        ctx.cite(iri, record)
        ctx.doubt(iri, record)
        ctx.coverage.append((iri, record))


def _coverages(ctx: MappingContext) -> dict[tuple[str, str], Coverage]:
    found = {}
    for iri, record in ctx.coverage:
        read_on = _partial(record, "read_on")
        source = split_cell(record.get("sources"))[0]
        found[(source, record.get("instrument"))] = Coverage(iri, source, record.get("instrument"), record.get("covers") == "all-states",
                                                             _partial(record, "as_of"), read_on.latest if read_on else None, record)
    return found


def _evidence(ctx: MappingContext, coverages: dict[tuple[str, str], Coverage], item: tuple) -> tuple[Evidence, PartialDate | None] | None:
    """One act or listing as evidence, and the date it states the status as of (its date, else its source's stated date).

    An undated one is known by its own source date, else its source's coverage date."""
    iri, cls, _actor, _instrument, record, date_column = item
    instrument = record.get("instrument") or "artemis"
    date = _partial(record, "effective_date") or (_partial(record, date_column) if date_column else None)
    listing = cls in LISTINGS
    if listing:
        date = _partial(record, "as_of")
    own_date = stated_date(record.get("as_of"))  # the source's own date: "1969 (AJIL reprint)" gives 1969
    known_by = date.latest if date else (own_date.latest if own_date else None)
    if known_by is None:
        for source in split_cell(record.get("sources")):
            coverage = coverages.get((source, instrument))
            if coverage and coverage.known_by:
                known_by = coverage.known_by if known_by is None else min(known_by, coverage.known_by)
    if known_by is None:
        ctx.fail(record, "sources", f"the {'listing' if listing else 'act'} has no date, and no row of data/status_coverage.csv says "
                 f"when its source {record.get('sources')!r} was current for {instrument!r}",
                 "add a row for this source and instrument to data/status_coverage.csv (with as_of or read_on), or give the date")
        return None
    contested = record.get("contested") == "yes"
    stated = date or own_date
    return Evidence(str(iri), STATUS_OF_CLASS[cls], date.earliest if date else None, date.latest if date else None, known_by, listing,
                    contested), stated


def derive(ctx: MappingContext) -> None:
    """Add one skg:StatusAssessment per actor and covered instrument, with its periods (see status_rule)."""
    coverages = _coverages(ctx)
    covered_instruments = {instrument for _, instrument in coverages}
    by_pair: dict[tuple[URIRef, URIRef], list[Evidence]] = defaultdict(list)
    listed_by: dict[tuple[str, str], set[URIRef]] = defaultdict(set)
    instruments: dict[str, URIRef] = {}
    positions: dict[tuple[URIRef, URIRef], SourcePosition] = {}
    records: dict[str, Record] = {str(coverage.iri): coverage.record for coverage in coverages.values()}
    stated: dict[str, PartialDate | None] = {str(c.iri): c.as_of for c in coverages.values()}
    for item in ctx.evidence:
        iri, _cls, actor, instrument, record, _column = item
        key = record.get("instrument") or "artemis"
        if key not in covered_instruments or instrument is None:
            continue
        instruments[key] = instrument
        found = _evidence(ctx, coverages, item)
        if found is None:
            continue
        piece, stated[str(iri)] = found
        by_pair[(actor, instrument)].append(piece)
        records[piece.iri] = record
        positions.setdefault((actor, instrument), SourcePosition(record.path, record.line))
        for source in split_cell(record.get("sources")):
            listed_by[(source, key)].add(actor)
    states = [iri for iri in ctx.positions if isinstance(iri, URIRef) and iri.startswith(ctx.minter.entity("state", ""))]
    for coverage in coverages.values():
        instrument = ctx.ids.instruments.get(coverage.instrument)
        if instrument is None or not coverage.complete or coverage.known_by is None:
            continue
        instruments[coverage.instrument] = instrument
        silence = Evidence(str(coverage.iri), "not-party", coverage.as_of.earliest if coverage.as_of else None,
                           coverage.as_of.latest if coverage.as_of else None, coverage.known_by, listing=True)
        for state in states:
            if state not in listed_by[(coverage.source, coverage.instrument)]:
                by_pair[(state, instrument)].append(silence)
                positions.setdefault((state, instrument), SourcePosition(coverage.record.path, coverage.record.line))
    opened = _opening_days(ctx, set(instruments.values()))
    for key, instrument in instruments.items():
        for actor in sorted(set(states) | {actor for actor, inst in by_pair if inst == instrument}):
            _write(ctx, actor, instrument, key, by_pair.get((actor, instrument), []), opened.get(instrument), records, stated,
                   positions.get((actor, instrument)) or ctx.positions.get(actor))


def _opening_days(ctx: MappingContext, instruments: set[URIRef]) -> dict[URIRef, dt.date]:
    """When each instrument opened for signature (day-precise dates only): the first period starts there."""
    return {s: o.toPython() for s, p, o in ctx.graph
            if p == SKG.openedForSignature and isinstance(s, URIRef) and s in instruments and isinstance(o, Literal) and o.datatype == XSD.date}


def _write(ctx: MappingContext, actor: URIRef, instrument: URIRef, key: str, evidence: list[Evidence], opened: dt.date | None,
           records: dict[str, Record], stated: dict[str, PartialDate | None], position: SourcePosition | None) -> None:
    result = assess(evidence, opened)
    code = actor.rsplit("/", 1)[-1]
    iri = ctx.minter.entity("status", f"{code}-{slugify(key)}")
    if position is not None:
        ctx.positions.setdefault(iri, position)
    ctx.add(iri, RDF.type, SKG.StatusAssessment)
    ctx.add(iri, SKG.assessedActor, actor)
    ctx.add(iri, SKG.instrument, instrument)
    ctx.add(iri, SKG.currentStatus, STATUS_CONCEPTS[result.status])
    ctx.add(iri, RDFS.label, Literal(f"status of {code} for {key}: {result.status.replace('-', ' ')}"))
    # the deciding evidence's own date, as precise as its source gives it (1969 for a list of 1969)
    as_of = max((day for piece in result.decided_by if (day := stated.get(piece))), key=lambda day: day.latest, default=None)
    if as_of and result.status not in ("unknown", "not-covered"):
        ctx.add(iri, SKG.statusAsOf, as_of.literal)
    for piece in result.decided_by:
        ctx.add(iri, SKG.decidedBy, URIRef(piece))
        if result.status != "unknown":
            ctx.cite(iri, records[piece])  # the deciding sources, for pages and queries that cite one source per status
    for piece in result.conflicting:
        ctx.add(iri, SKG.conflictingEvidence, URIRef(piece))
    if result.contested:
        ctx.add(iri, SKG.contested, Literal(True))
    for period in result.periods:
        # a part of the status, named by a fragment: periods come and go as evidence changes, the status IRI stays
        node = URIRef(f"{iri}#from-{period.start.isoformat() if period.start else 'start'}")
        if position is not None:
            ctx.positions.setdefault(node, position)
        ctx.add(iri, SKG.statusPeriod, node)
        ctx.add(node, RDF.type, SKG.StatusPeriod)
        ctx.add(node, SKG.status, STATUS_CONCEPTS[period.status])
        ctx.add(node, RDFS.label, Literal(f"{code} for {key}, {period.status.replace('-', ' ')}"
                                          + (f" from {period.start.isoformat()}" if period.start else "")))
        if period.start:
            ctx.add(node, SKG.validFrom, Literal(period.start))
        if period.end:
            ctx.add(node, SKG.validUntil, Literal(period.end))
        for piece in period.decided_by:
            ctx.add(node, SKG.decidedBy, URIRef(piece))
