"""Links out to other datasets: Wikidata items, the UN's symbol resolver, DOIs, UN Digital Library records.

The predicate says how strong the claim is (docs/links.md):
- `schema:sameAs` for an identifier of the same thing in another system (a Wikidata item, a DOI, a UN
  document symbol at undocs.org). It makes no OWL equality, so the reasoner never merges our entities
  with outside IRIs it cannot see, and it does not make our states `skos:Concept`s as `skos:exactMatch` would.
- `rdfs:seeAlso` for a record about the thing (the UN Digital Library's voting record of a resolution).

Wikidata QIDs are curated, each with its source (data/wikidata_links.csv, one cited statement per row);
the other links follow by rule from facts already cited on their record (a symbol, a DOI, a record URL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from spacekg.namespaces import RDF, RDFS, SCHEMA, SKG, slugify
from spacekg.rdf.context import MappingContext
from spacekg.sources.reading import Record

WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"  # Wikidata's concept IRIs (they dereference with content negotiation)
UNDOCS = "https://undocs.org/"
DOI_RESOLVER = "https://doi.org/"
QID = re.compile(r"Q[1-9][0-9]*")
UN_DIGITAL_LIBRARY = "https://digitallibrary.un.org/record/"


@dataclass(frozen=True)
class LinkTarget:
    """One dataset SpaceKG links to: how its IRIs begin, the predicate of the links, and what people call it."""

    slug: str  # names its linkset in VoID: {base}dataset/linkset/{slug}
    title: str
    homepage: str
    uri_space: str  # every link's object begins with it
    predicate: URIRef
    pattern: str  # a regular expression every link's object matches in full (the shapes check the same)


LINK_TARGETS: tuple[LinkTarget, ...] = (
    LinkTarget("wikidata", "Wikidata", "https://www.wikidata.org/", WIKIDATA_ENTITY, SCHEMA.sameAs,
               r"http://www\.wikidata\.org/entity/Q[1-9][0-9]*"),
    LinkTarget("undocs", "UN Official Document System (symbol resolver)", "https://documents.un.org/", UNDOCS, SCHEMA.sameAs,
               r"https://undocs\.org/(A|CD|ST)/\S+"),
    LinkTarget("doi", "DOI", "https://www.doi.org/", DOI_RESOLVER, SCHEMA.sameAs, r"https://doi\.org/10\.[0-9]{4,9}/\S+"),
    LinkTarget("un-digital-library", "UN Digital Library", "https://digitallibrary.un.org/", UN_DIGITAL_LIBRARY, RDFS.seeAlso,
               r"https://digitallibrary\.un\.org/record/[0-9]+"),
)


def target_of(iri: str) -> LinkTarget | None:
    """The link target an outside IRI belongs to, or None."""
    return next((target for target in LINK_TARGETS if iri.startswith(target.uri_space)), None)
# Symbols whose form at undocs.org is attested: "A/RES/72/279", and "A/RES/1514(XV)" with the space before the
# session dropped. Press releases (GA/…) are not UN documents in the resolver; for part letters ("A/RES/45/55 B")
# no attested form was found, so they get no resolver link rather than a guessed one.
RESOLVABLE = re.compile(r"(A|CD|ST)/[A-Za-z0-9.]+(/[A-Za-z0-9.-]+)*( \([IVXLC]+\))?")


def undocs_link(symbol: str) -> URIRef | None:
    """The UN's official symbol resolver for a document symbol, or None where its form there is not known."""
    if not RESOLVABLE.fullmatch(symbol):
        return None
    return URIRef(UNDOCS + symbol.replace(" (", "("))


def link_symbol(ctx: MappingContext, subject: URIRef, symbol: str) -> None:
    ctx.add(subject, SCHEMA.sameAs, undocs_link(symbol))


def link_doi(ctx: MappingContext, subject: URIRef, doi: str) -> None:
    ctx.add(subject, SCHEMA.sameAs, URIRef(DOI_RESOLVER + doi))


def link_record(ctx: MappingContext, subject: URIRef | None, record_page: URIRef | None) -> None:
    """A resolution's record in the UN Digital Library (given by the roll call that adopted it)."""
    if subject is not None and record_page is not None:
        ctx.add(subject, RDFS.seeAlso, record_page)


def _linked_entity(ctx: MappingContext, value: str, record: Record) -> URIRef | None:
    """A state already in the graph (by ISO 3166 code), an instrument (by id or UN symbol), or an organisation."""
    if len(value) == 3 and value.isalpha() and value.isupper():
        iri = ctx.minter.entity("state", value)
        if iri not in ctx.positions:  # linking must not make a state (or a territory) part of the graph by itself
            ctx.fail(record, "entity", f"no other record mentions the state {value!r}",
                     "delete this row, or add the record about the state first (scripts/import_wikidata_links.py keeps only states in the graph)")
            return None
        return iri
    found = ctx.ids.instruments.get(value) or ctx.ids.actors.get(value)
    if found is None:
        ctx.fail(record, "entity", f"unknown entity {value!r}",
                 "use an ISO 3166 alpha-3 state code (e.g. USA), an id of data/instruments.csv or data/organizations.csv, or a UN symbol")
    return found


def map_wikidata(ctx: MappingContext, records: list[Record]) -> None:
    """One cited `schema:sameAs` per row: our entity and its Wikidata item. A QID names one entity, an entity has one QID."""
    by_qid: dict[str, Record] = {}
    by_entity: dict[str, Record] = {}
    for record in records:
        entity, qid = record.get("entity"), record.get("qid")
        if not QID.fullmatch(qid):
            ctx.fail(record, "qid", f"{qid!r} is not a Wikidata QID", "write the item's id as Wikidata shows it, e.g. Q30")
            continue
        for seen, key, what in ((by_qid, qid, f"{qid} is already linked to {by_qid.get(qid, record).get('entity')}"),
                                (by_entity, entity, f"{entity} already has the QID {by_entity.get(entity, record).get('qid')}")):
            if key in seen:
                ctx.fail(record, "qid" if seen is by_qid else "entity", f"{what} (line {seen[key].line})",
                         "a Wikidata item stands for one entity and an entity has one item: keep the row the source supports")
                break
        else:
            by_qid[qid], by_entity[entity] = record, record
            subject = _linked_entity(ctx, entity, record)
            if subject is None:
                continue
            target = URIRef(WIKIDATA_ENTITY + qid)
            node = ctx.statement(subject, SCHEMA.sameAs, target, ctx.mint_unique("statement", f"{slugify(entity)}-wikidata", record), record)
            ctx.add(node, RDF.type, SKG.WikidataLink)
            ctx.text(node, SKG.nameInSource, record, "label_in_source")
            ctx.cite(node, record)
            ctx.doubt(node, record)
