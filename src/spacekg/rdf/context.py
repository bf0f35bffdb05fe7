"""Shared state of one mapping run: the graph being built, identifiers seen, and errors found."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pycountry
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from spacekg.errors import SourceDataError, SourcePosition
from spacekg.namespaces import DCTERMS, RDF, RDFS, SKG, SKOS, XSD, Minter
from spacekg.rdf.state_names import english_names, list_forms, translations
from spacekg.rdf.values import parse_partial_date, split_cell
from spacekg.sources.reading import Record

ISO_CITATION_KEY = "iso-3166"
CONFIDENCE = {"high": SKG.highConfidence, "medium": SKG.mediumConfidence, "low": SKG.lowConfidence}


@dataclass
class Identifiers:
    """Identifiers declared by curated records, collected before mapping so references resolve in any order."""

    citations: dict[str, URIRef] = field(default_factory=dict)
    actors: dict[str, URIRef] = field(default_factory=dict)
    instruments: dict[str, URIRef] = field(default_factory=dict)  # by id and by UN symbol
    events: dict[str, URIRef] = field(default_factory=dict)
    norms: dict[str, URIRef] = field(default_factory=dict)
    roll_calls: dict[str, URIRef] = field(default_factory=dict)


# Characters an IRI cannot hold as written (RFC 3987): space, controls and "<>{}|\\^`.
NOT_IN_IRI = re.compile(r'[\x00-\x20"<>{}|\\^`\x7f]')


class MappingContext:
    """Collects triples, the source position of every minted subject, and every error found."""

    def __init__(self, ontology: Graph, minter: Minter) -> None:
        # A plain set collects triples: rdflib's indexed memory store costs ~60 us per add, which
        # dominated the build at 100k triples. An rdflib Graph is made only where a library needs one.
        self.graph: set[tuple[Node, URIRef, Node]] = set()
        self.minter = minter
        self.positions: dict[URIRef, SourcePosition] = {}
        # Where single triples were written when that is not their subject's own record (links, Turtle).
        self.statement_positions: dict[tuple[Node, URIRef, Node], SourcePosition] = {}
        self.errors: list[SourceDataError] = []
        self.ids = Identifiers()
        # What the status rule reads once every record is mapped (spacekg.rdf.status): acts and listings as
        # (iri, class, actor, instrument, record, date column), and status coverage as (iri, record).
        self.evidence: list[tuple[URIRef, URIRef, URIRef, URIRef | None, Record, str]] = []
        self.coverage: list[tuple[URIRef, Record]] = []
        # Retired IRIs (data/redirects.csv): old -> (successor or None, record); their statements go to the meta graph.
        self.redirects: dict[URIRef, tuple[URIRef | None, Record]] = {}
        self.meta: set[tuple[Node, URIRef, Node]] = set()
        self.meta_positions: dict[URIRef, SourcePosition] = {}
        self.codes = self._codes_from(ontology)
        self._labels = {term: code for table in self.codes.values() for code, term in table.items()}

    @staticmethod
    def _codes_from(ontology: Graph) -> dict[URIRef, dict[str, URIRef]]:
        """Map each code curators write (skos:notation) to its class or concept, grouped by top class/scheme."""
        codes: dict[URIRef, dict[str, URIRef]] = {}
        for term, notation in ontology.subject_objects(SKOS.notation):
            assert isinstance(term, URIRef)
            groups = set(ontology.objects(term, SKOS.inScheme))
            groups |= {g for g in ontology.transitive_objects(term, RDFS.subClassOf) if g is not None and g != term}
            for group in groups:
                if isinstance(group, URIRef):
                    codes.setdefault(group, {})[str(notation)] = term
        return codes

    def codes_label(self, term: URIRef) -> str:
        """The code curators write for an ontology term, e.g. SKG.Ratification -> 'ratification'."""
        return self._labels.get(term) or str(term).rsplit("#", 1)[-1]

    # -- errors -------------------------------------------------------------------------------------
    def fail(self, record: Record, column: str, message: str, hint: str) -> None:
        self.errors.append(SourceDataError(record.position(column), message, hint))

    # -- minting ------------------------------------------------------------------------------------
    def declare(self, registry: dict[str, URIRef], key: str, iri: URIRef, record: Record, column: str) -> bool:
        """Register a curated identifier; a second record with the same identifier is an error."""
        if key in registry or iri in self.positions:
            first = self.positions.get(registry.get(key, iri))
            self.fail(record, column, f"duplicate identifier {key!r}" + (f" (first defined at {first.path}:{first.line})" if first else ""),
                      "give each record its own identifier, or merge the two rows")
            return False
        registry[key] = iri
        self.positions[iri] = SourcePosition(record.path, record.line)
        return True

    def mint_unique(self, kind: str, slug: str, record: Record) -> URIRef:
        """Mint an IRI for a record without its own identifier; rows differing only by source get a suffix."""
        iri = self.minter.entity(kind, slug)
        if iri in self.positions:
            suffix = hashlib.sha256(record.get("sources").encode()).hexdigest()[:6]
            iri = self.minter.entity(kind, f"{slug}-{suffix}")
            if iri in self.positions:
                first = self.positions[iri]
                self.fail(record, "", f"duplicate record: same values and sources as {first.path}:{first.line}",
                          "delete one of the two rows")
        self.positions.setdefault(iri, SourcePosition(record.path, record.line))
        return iri

    def add(self, subject: Node, predicate: URIRef, obj: Node | None) -> None:
        if obj is not None:
            self.graph.add((subject, predicate, obj))

    def text(self, subject: Node, predicate: URIRef, record: Record, column: str, language: str | None = None) -> None:
        value = record.get(column)
        if value:
            self.graph.add((subject, predicate, Literal(value, lang=language) if language else Literal(value)))

    def web_address(self, record: Record, column: str) -> URIRef | None:
        """The cell as an IRI to link to (a homepage, a page, a record), or None, reported at its line, if it is not one."""
        value = record.get(column)
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or NOT_IN_IRI.search(value):
            self.fail(record, column, f"{value!r} is not a web address",
                      "write the whole address, e.g. https://www.example.org/page, with spaces, quotes and <>{}|\\^` percent-encoded")
            return None
        return URIRef(value)

    # -- references -----------------------------------------------------------------------------------
    def state(self, code: str, record: Record, column: str) -> URIRef | None:
        """The IRI of a state by ISO 3166-1 (or historic ISO 3166-3) alpha-3 code, minted on first use."""
        iri = self.minter.entity("state", code)
        if iri in self.positions:
            return iri
        country = pycountry.countries.get(alpha_3=code)
        historic = None if country else pycountry.historic_countries.get(alpha_3=code)
        if country is None and historic is None:
            self.fail(record, column, f"unknown state code {code!r}",
                      "use an ISO 3166-1 alpha-3 code (e.g. USA, FRA) or an ISO 3166-3 code for a former state (e.g. SUN, CSK)")
            return None
        self.positions[iri] = SourcePosition(record.path, record.line)
        entry = country or historic
        assert entry is not None
        g = self.graph
        g.add((iri, RDF.type, SKG.HistoricState if historic else SKG.State))
        name = getattr(entry, "common_name", None) or entry.name
        g.add((iri, RDFS.label, Literal(name, lang="en")))
        for other in english_names(entry):
            if other != name:
                g.add((iri, SKOS.altLabel, Literal(other, lang="en")))
            for form in list_forms(other):
                g.add((iri, SKOS.hiddenLabel, Literal(form, lang="en")))
        for translated, language in translations(entry, historic is not None):
            g.add((iri, SKOS.altLabel, Literal(translated, lang=language)))
        g.add((iri, SKG.iso3166Alpha3, Literal(code)))
        g.add((iri, SKG.iso3166Alpha2, Literal(entry.alpha_2)))
        g.add((iri, SKG.iso3166Numeric, Literal(entry.numeric)))
        if historic is not None and getattr(historic, "withdrawal_date", None):
            g.add((iri, SKG.isoCodeWithdrawn, Literal(historic.withdrawal_date, datatype=XSD.date)))
        g.add((iri, DCTERMS.source, self.minter.entity("citation", ISO_CITATION_KEY)))
        return iri

    def actor(self, value: str, record: Record, column: str) -> URIRef | None:
        if len(value) == 3 and value.isalpha() and value.isupper():
            return self.state(value, record, column)
        if value in self.ids.actors:
            return self.ids.actors[value]
        self.fail(record, column, f"unknown actor {value!r}",
                  "use an ISO 3166 alpha-3 state code (e.g. USA) or an id from data/organizations.csv or data/people.csv")
        return None

    def actors(self, record: Record, column: str) -> list[URIRef]:
        return [iri for value in split_cell(record.get(column)) if (iri := self.actor(value, record, column))]

    def instrument(self, value: str, record: Record, column: str) -> URIRef | None:
        if value in self.ids.instruments:
            return self.ids.instruments[value]
        self.fail(record, column, f"unknown instrument {value!r}",
                  "use an id from data/instruments.csv or a symbol from data/un_documents.csv")
        return None

    def instruments(self, record: Record, column: str) -> list[URIRef]:
        return [iri for value in split_cell(record.get(column)) if (iri := self.instrument(value, record, column))]

    def cite(self, subject: Node, record: Record, column: str = "sources") -> None:
        """Link the subject to every citation in the record's sources cell; a record needs at least one."""
        keys = split_cell(record.get(column))
        if not keys and column == "sources":
            self.fail(record, column, "the record cites no source", "add the key of a row of data/citations.csv")
        for key in keys:
            if key not in self.ids.citations:
                self.fail(record, column, f"unknown citation {key!r}", "add it to data/citations.csv or correct the key")
                continue
            self.graph.add((subject, DCTERMS.source, self.ids.citations[key]))

    def code(self, group: URIRef, value: str, record: Record, column: str) -> URIRef | None:
        """Resolve a curator's code (e.g. 'asat-test') to the ontology term that carries it as skos:notation."""
        table = self.codes.get(group, {})
        if value in table:
            return table[value]
        self.fail(record, column, f"unknown {column} {value!r}", f"use one of: {', '.join(sorted(table))}")
        return None

    # -- values -------------------------------------------------------------------------------------
    def date(self, subject: Node, predicate: URIRef, record: Record, column: str, bounds: bool = False) -> None:
        value = record.get(column)
        if not value:
            return
        try:
            parsed = parse_partial_date(value)
        except ValueError as error:
            self.fail(record, column, f"bad date: {error}", "write the date as YYYY-MM-DD, or YYYY-MM / YYYY when only that is known")
            return
        self.graph.add((subject, predicate, parsed.literal))
        if bounds:
            self.graph.add((subject, SKG.earliestDate, Literal(parsed.earliest)))
            self.graph.add((subject, SKG.latestDate, Literal(parsed.latest)))

    def doubt(self, subject: Node, record: Record) -> None:
        """Keep the curators' doubt: confidence level, contested flag and notes."""
        level = record.get("confidence")
        if level:
            if level in CONFIDENCE:
                self.graph.add((subject, SKG.confidence, CONFIDENCE[level]))
            else:
                self.fail(record, "confidence", f"unknown confidence {level!r}", "use high, medium or low, or leave it blank")
        contested = record.get("contested")
        if contested:
            if contested in ("yes", "no"):
                self.graph.add((subject, SKG.contested, Literal(contested == "yes")))
            else:
                self.fail(record, "contested", f"contested must be yes or no, not {contested!r}", "write yes, no or leave it blank")
        self.text(subject, SKOS.note, record, "notes", "en")

    def statement(self, subject: URIRef, predicate: URIRef, obj: URIRef, node_iri: URIRef, record: Record) -> URIRef:
        """Add a triple and its reification, so a single relation can carry its own source and note."""
        self.graph.add((subject, predicate, obj))
        self.statement_positions[(subject, predicate, obj)] = SourcePosition(record.path, record.line)
        for p, o in ((RDF.type, RDF.Statement), (RDF.subject, subject), (RDF.predicate, predicate), (RDF.object, obj)):
            self.graph.add((node_iri, p, o))
        return node_iri

