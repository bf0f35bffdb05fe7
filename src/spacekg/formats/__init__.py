"""The one table of formats SpaceKG reads and writes: SPARQL results, RDF graphs and RDF datasets.

Every place that offers or names a format reads this table: content negotiation and `format=` on the
endpoint, the service description (its W3C format IRIs), the query page's downloads, the linked-data
documents and their `<link rel=alternate>`s, the release's dumps and `spacekg export`, and the RDF
files `spacekg serve --dataset` accepts. Adding a format is one entry here (and a writer if it is a
new kind of results format).

Kinds:
- "results": answers of SELECT and ASK (SPARQL 1.1 Query Results formats);
- "graph": RDF triples (answers of CONSTRUCT/DESCRIBE, entity documents);
- "dataset": RDF quads, which keep the named graph of each statement (entity documents, dumps).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from spacekg.formats import results

W3C_FORMATS = "http://www.w3.org/ns/formats/"
SelectWriter = Callable[[Sequence[str], Sequence[Sequence[results.Term]], Sequence[str]], bytes]
AskWriter = Callable[[bool], bytes]


@dataclass(frozen=True)
class Format:
    """One format: how it is named (format=, file extension), its media type, its W3C IRI and its writer."""

    name: str  # the canonical format= value, e.g. "turtle"
    label: str  # what people read, e.g. "Turtle"
    media_type: str
    kind: str  # "results", "graph" or "dataset"
    w3c_name: str  # local name under http://www.w3.org/ns/formats/
    extensions: tuple[str, ...]  # file extensions, the first one canonical (documents /doc/…/X.ttl, dumps)
    aliases: tuple[str, ...] = ()  # more format= values that mean this format (within its kind)
    rdf_format: ox.RdfFormat | None = None  # the Oxigraph parser/serialiser of an RDF format
    rdflib_name: str = ""  # rdflib's serialiser name, for the small descriptive graphs (service description, VoID)
    write_select: SelectWriter | None = None
    write_ask: AskWriter | None = None
    dumped: bool = False  # each release is dumped in this format (file spacekg.<extension>)
    keeps_graphs: bool = False  # a file in this format can hold named graphs
    other_media_types: tuple[str, ...] = ()  # also answered by content negotiation of documents (JSON-LD is JSON)

    @property
    def extension(self) -> str:
        return self.extensions[0]

    @property
    def w3c_iri(self) -> str:
        return W3C_FORMATS + self.w3c_name

    @property
    def format_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def dump_name(self) -> str:
        return f"spacekg.{self.extension}"

    def write_graph(self, statements: Sequence[ox.Triple] | Sequence[ox.Quad], prefixes: dict[str, str] | None = None) -> bytes:
        """Serialise triples (graph formats) or quads (dataset formats) with Oxigraph."""
        assert self.rdf_format is not None, f"{self.name} is not an RDF format"
        return ox.serialize(statements, format=self.rdf_format, prefixes=prefixes) or b""


FORMATS: tuple[Format, ...] = (
    Format("json", "SPARQL JSON", "application/sparql-results+json", "results", "SPARQL_Results_JSON", ("srj", "json"), ("srj",),
           write_select=results.select_json, write_ask=results.ask_json),
    Format("xml", "SPARQL XML", "application/sparql-results+xml", "results", "SPARQL_Results_XML", ("srx", "xml"), ("srx",),
           write_select=results.select_xml, write_ask=results.ask_xml),
    Format("csv", "CSV", "text/csv", "results", "SPARQL_Results_CSV", ("csv",),
           write_select=results.select_csv, write_ask=results.ask_text),
    Format("tsv", "TSV", "text/tab-separated-values", "results", "SPARQL_Results_TSV", ("tsv",),
           write_select=results.select_tsv, write_ask=results.ask_text),
    Format("turtle", "Turtle", "text/turtle", "graph", "Turtle", ("ttl",), ("ttl",), ox.RdfFormat.TURTLE, "turtle", dumped=True),
    Format("ntriples", "N-Triples", "application/n-triples", "graph", "N-Triples", ("nt",), ("nt",), ox.RdfFormat.N_TRIPLES, "nt"),
    Format("rdfxml", "RDF/XML", "application/rdf+xml", "graph", "RDF_XML", ("rdf", "owl"), ("rdf", "xml", "rdf+xml"),
           ox.RdfFormat.RDF_XML, "pretty-xml"),
    Format("jsonld", "JSON-LD", "application/ld+json", "graph", "JSON-LD", ("jsonld",), ("json-ld", "json"), ox.RdfFormat.JSON_LD, "json-ld",
           dumped=True, keeps_graphs=True, other_media_types=("application/json",)),
    Format("trig", "TriG", "application/trig", "dataset", "TriG", ("trig",), (), ox.RdfFormat.TRIG, "trig", dumped=True, keeps_graphs=True),
    Format("nquads", "N-Quads", "application/n-quads", "dataset", "N-Quads", ("nq",), ("nq",), ox.RdfFormat.N_QUADS, "nquads",
           dumped=True, keeps_graphs=True),
)


def of_kind(*kinds: str) -> tuple[Format, ...]:
    """The formats of the given kinds, in table order."""
    return tuple(f for f in FORMATS if f.kind in kinds)


RESULTS = of_kind("results")
GRAPHS = of_kind("graph")  # what a CONSTRUCT or DESCRIBE answer can be written as
RDF_DOCUMENTS = of_kind("graph", "dataset")  # what an entity's description can be written as
DUMPS = tuple(f for f in FORMATS if f.dumped)


def by_media_type(media_type: str) -> Format:
    """The format of a media type of the table (StopIteration for any other: callers offer only the table's)."""
    return next(f for f in FORMATS if media_type == f.media_type or media_type in f.other_media_types)


def by_extension(extension: str, formats: Sequence[Format] = FORMATS) -> Format | None:
    """The format a file extension names (without the dot, any case), or None."""
    extension = extension.lower()
    return next((f for f in formats if extension in f.extensions), None)


def by_name(value: str, formats: Sequence[Format]) -> Format | None:
    """The format a `format=` value names among `formats`: a name, an alias or a media type (any case)."""
    value = value.strip().lower()
    return next((f for f in formats if value == f.media_type or value in f.format_names), None)


def format_names(formats: Sequence[Format]) -> list[str]:
    """Every value `format=` accepts for these formats, sorted."""
    return sorted({name for f in formats for name in f.format_names})
