"""The kinds of things SpaceKG holds: one registry of record kinds and one of entity (IRI) kinds.

- A record kind is one curated file of data/: its columns (the contract with curators), how its rows
  are declared and mapped to RDF, the IRI kind its rows mint and the class each row becomes (which is
  how `spacekg stats` counts them). The pipeline passes the columns to the sources stage and the
  mappers to the rdf stage, in this order (the order in which rows are mapped).
- An entity kind is one kind of IRI, `{base}id/{slug}/…`: what people call it, what it holds, and the
  facts its page shows first. Every kind gets a prefix in queries (state:USA), a browse page
  (/browse/{slug}) and a count on the landing page.

Adding a data file: one RecordKind here, its mapper in spacekg/rdf/, its classes in ontology/ and its
shapes in shapes/ (docs/architecture.md has the recipe).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import URIRef

from spacekg.namespaces import BIBO, DCTERMS, FOAF, OPENGOV, ORG, PREFIXES, RDF, RDFS, SCHEMA, SKG, SKOS, Minter
from spacekg.rdf import actors, chronology, documents, links, participation, redirects, status, votes
from spacekg.rdf.context import MappingContext
from spacekg.sources.reading import Record

Mapper = Callable[[MappingContext, list[Record]], None]
DOUBT = ("confidence", "contested", "notes")  # the optional columns in which curators keep their doubt


@dataclass(frozen=True)
class EntityKind:
    """One kind of entity IRI, {base}id/{slug}/…, as people see it."""

    slug: str
    plural: str
    description: str
    key_facts: tuple[URIRef, ...] = ()  # the properties that open its page, in this order


@dataclass(frozen=True)
class RecordKind:
    """One curated file, data/{file}.csv: its columns, its mapper, and what its rows become."""

    file: str
    label: str  # what `spacekg stats` calls its records
    required: tuple[str, ...]
    optional: tuple[str, ...]
    entity_kinds: tuple[str, ...]  # the slugs of the IRIs its rows mint
    record_class: URIRef  # each row becomes one instance of this class (or of a subclass)
    map: Mapper
    declare: Mapper | None = None  # registers the identifiers its rows define, before any row is mapped


ENTITY_KINDS: dict[str, EntityKind] = {kind.slug: kind for kind in (
    EntityKind("state", "states", "sovereign states, historic ones included, by ISO 3166 code",
               (RDF.type, SKG.iso3166Alpha3, SKG.iso3166Alpha2, SKG.iso3166Numeric, SKOS.altLabel, SKG.isoCodeWithdrawn)),
    EntityKind("org", "organisations", "intergovernmental organisations, UN bodies, think tanks, foundations",
               (RDF.type, SKG.kindDescription, SKG.country, FOAF.homepage, ORG.subOrganizationOf)),
    EntityKind("person", "people", "authors, compilers, conveners", (RDF.type, SKG.country, FOAF.homepage, ORG.memberOf)),
    EntityKind("instrument", "instruments", "treaties, conventions, resolutions, guidelines, codes, accords, drafts",
               (RDF.type, SKG.unSymbol, SKG.adoptionDate, SKG.openedForSignature, SKG.entryIntoForce, SKG.signaturePlace,
                SKG.depositary, SKG.untsCitation, SKG.adoptedBy, SKG.votesInFavour, SKG.votesAgainst, SKG.abstentions, SKG.buildsOn)),
    EntityKind("document", "UN documents", "reports, conference room papers, letters, press releases",
               (RDF.type, DCTERMS.title, SKG.unSymbol, DCTERMS.issued, SKG.topic)),
    EntityKind("participation", "participation acts", "signatures, ratifications, accessions, successions, deposits, withdrawals",
               (RDF.type, SKG.actor, SKG.instrument, SKG.date, SKG.nameInSource, SKG.signingOrderFrom, SKG.confidence)),
    EntityKind("status-listing", "status listings", "what a status document lists for one actor and one instrument",
               (RDF.type, SKG.actor, SKG.listedWithoutStatus, SKG.instrument, SKG.asOf, SKG.asOfNote, SKG.nameInSource, SKG.confidence)),
    EntityKind("event", "events", "the chronology: launches, signings, tests, resolutions, workshops",
               (RDF.type, SKG.date, SKG.endDate, SKG.involves, SKG.convenedBy, SKG.fundedBy, SKG.partner, SKG.venue, SKG.concerns)),
    EntityKind("norm", "norms and assessments", "norms of space security with their assessed status and strength",
               (SKG.codifiedIn, SKG.proposedBy)),
    EntityKind("citation", "citations", "the works behind the facts: articles, UN documents, web pages",
               (RDF.type, DCTERMS.title, SKG.authorNames, DCTERMS.creator, DCTERMS.publisher, DCTERMS.issued, SKG.container,
                BIBO.doi, SKG.unSymbol, FOAF.page)),
    EntityKind("count", "official counts", "numbers of parties and signatories that a source states",
               (SKG.instrument, SKG.asOf, SKG.asOfNote, SKG.partyCount, SKG.signatoryCount, SKG.declarationCount, SKG.confidence)),
    EntityKind("coverage", "status coverage", "which actors a status source covers for one instrument, and as of when",
               (SKG.instrument, SKG.coverage, SKG.asOf, SKG.readOn, DCTERMS.source)),
    EntityKind("status", "treaty statuses", "the status of one actor for one instrument, derived by the status rule, and its periods",
               (RDF.type, SKG.assessedActor, SKG.instrument, SKG.currentStatus, SKG.statusAsOf, SKG.decidedBy, SKG.contested,
                SKG.conflictingEvidence, SKG.status, SKG.validFrom, SKG.validUntil)),
    EntityKind("rollcall", "roll calls", "recorded votes of the UN General Assembly on outer-space resolutions",
               (RDF.type, DCTERMS.title, SCHEMA.startDate, SKG.unSymbol, SKG.sourceId, OPENGOV.motion, SKG.voteTopic, SKG.voteOn, SKG.session, FOAF.page)),
    EntityKind("vote", "votes", "one state's vote in one roll call", (OPENGOV.voteEvent, SCHEMA.agent, SCHEMA.option)),
    EntityKind("statement", "cited statements", "single relations with their own source: between instruments, and to Wikidata items",
               (RDF.type, RDF.subject, RDF.predicate, RDF.object, SKG.nameInSource, RDFS.comment)),
)}

RECORD_KINDS: tuple[RecordKind, ...] = (
    RecordKind("citations", "citations", ("key", "type", "title"),
               ("authors", "container", "volume", "issue", "pages", "year", "doi", "un_symbol", "publisher", "place", "url", "cited_by",
                "metadata_from", *DOUBT),
               ("citation",), SKG.Citation, documents.map_citations, documents.declare_citations),
    RecordKind("organizations", "organisations", ("id", "name", "type", "sources"), ("kind", "part_of", "country", "homepage", *DOUBT),
               ("org",), SKG.Organization, actors.map_organizations, actors.declare_organizations),
    RecordKind("people", "people", ("id", "name", "sources"), ("kind", "country", "homepage", *DOUBT),
               ("person",), SKG.Person, actors.map_people, actors.declare_people),
    RecordKind("instruments", "instruments", ("id", "kind", "short_name", "sources"),
               ("title", "legally_binding", "adopted_by", "adoption_date", "opened_for_signature", "signature_place", "entry_into_force",
                "depositaries", "unts_citation", *DOUBT),
               ("instrument",), SKG.Instrument, documents.map_instruments, documents.declare_instruments),
    RecordKind("un_documents", "UN resolutions and documents", ("symbol", "kind", "title", "sources"),
               ("date", "vote_yes", "vote_no", "vote_abstain", "topics", *DOUBT),
               ("instrument", "document"), SKG.UNDocument, documents.map_un_documents, documents.declare_un_documents),
    RecordKind("instrument_links", "cited relations between instruments", ("instrument", "relation", "target", "sources"), ("notes",),
               ("statement",), SKG.InstrumentRelation, documents.map_instrument_links),
    RecordKind("participation_status", "participation status listings", ("actor", "instrument", "status", "sources"),
               ("actor_name_in_source", "as_of", *DOUBT), ("status-listing",), SKG.StatusListing, participation.map_status),
    RecordKind("participation_actions", "participation acts (participation_actions.csv)", ("actor", "instrument", "action", "sources"),
               ("actor_name_in_source", "date", "effective_date", "as_of", *DOUBT), ("participation",), SKG.Participation, participation.map_actions),
    RecordKind("artemis_signatories", "Artemis Accords signatories", ("state", "sources"), ("order_from", "order_to", "date_signed", *DOUBT),
               ("participation",), SKG.Signature, participation.map_artemis),
    RecordKind("treaty_totals", "official treaty totals", ("instrument", "sources"), ("as_of", "parties", "signatories", "igo_declarations", *DOUBT),
               ("count",), SKG.OfficialCount, participation.map_totals),
    RecordKind("status_coverage", "status coverage (what each status source covers)", ("sources", "instrument", "covers"),
               ("as_of", "read_on", "notes"), ("coverage", "status"), SKG.StatusCoverage, status.map_coverage),
    RecordKind("un_roll_calls", "UN General Assembly roll calls", ("id", "date", "source_id", "title", "topic", "sources"),
               ("symbol", "session", "vote_on", "yes", "no", "abstain", "non_voting", "record_url", *DOUBT),
               ("rollcall",), SKG.RollCall, votes.map_roll_calls, votes.declare_roll_calls),
    RecordKind("un_votes", "votes of states in roll calls", ("roll_call", "state", "vote", "sources"), (),
               ("vote",), OPENGOV.Vote, votes.map_votes),
    RecordKind("events", "chronology events", ("id", "date", "type", "title", "sources"), ("actors", "instruments", *DOUBT),
               ("event",), SKG.Event, chronology.map_events, chronology.declare_events),
    RecordKind("norms", "norms", ("id", "name", "status", "sources"), ("strength", "codified_in", "proposed_by", *DOUBT),
               ("norm",), SKG.Norm, chronology.map_norms, chronology.declare_norms),
    # last: a state gets its Wikidata item only if another record made it part of the graph
    RecordKind("wikidata_links", "Wikidata items of states and instruments", ("entity", "qid", "sources"), ("label_in_source", *DOUBT),
               ("statement",), SKG.WikidataLink, links.map_wikidata),
)


def record_columns() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """file stem -> (required columns, optional columns): what the sources stage checks each file against.

    data/redirects.csv is read too, though it is no record kind: its rows are about IRIs, not the world."""
    return {**{kind.file: (kind.required, kind.optional) for kind in RECORD_KINDS}, redirects.FILE: redirects.COLUMNS}


def entity_prefixes(minter: Minter) -> dict[str, str]:
    """The standard prefixes plus one per entity kind, e.g. state: -> {base}id/state/ (status-listing: -> status_listing:)."""
    return {**PREFIXES, **{slug.replace("-", "_"): f"{minter.base}id/{slug}/" for slug in ENTITY_KINDS}}


def record_count_query(kind: RecordKind) -> str:
    """SPARQL counting the records of one kind in a release: instances of its class minted from its file.

    The meta graph says which file (and line) minted each subject, so two files whose rows become the
    same class (acts and Artemis signatures) are counted apart.
    """
    return ("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { "
            f"?s <{SKG.sourceFile}> ?file FILTER(STRENDS(CONCAT('/', STR(?file)), '/{kind.file}.csv')) "
            f"?s a ?class . ?class <{RDFS.subClassOf}>* <{kind.record_class}> }}")
