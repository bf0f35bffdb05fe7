"""Accept negotiation (spacekg.web.mediatypes) and `format=` names of the formats table (spacekg.formats), from tables of cases."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from spacekg import formats
from spacekg.web.mediatypes import negotiate, parse_accept

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
RDFXML = "application/rdf+xml"
JSONLD = "application/ld+json"
RESULT_TYPES = formats.RESULTS
GRAPH_TYPES = formats.GRAPHS
RESULTS = [f.media_type for f in RESULT_TYPES]
GRAPHS = [f.media_type for f in GRAPH_TYPES]
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
JENA_SELECT = (f"{JSON}, {XML};q=0.9, {TSV};q=0.7, {CSV};q=0.5, application/json;q=0.2, application/xml;q=0.2, */*;q=0.1")
JENA_GRAPH = (f"{TURTLE}, application/n-quads;q=0.9, {NTRIPLES};q=0.9, {RDFXML};q=0.7, {JSONLD};q=0.5, */*;q=0.1")
def case_id(value: object) -> str:
    """Readable test ids: header strings as written, the tables by name."""
    names = {id(RESULTS): "results", id(GRAPHS): "graphs", id(RESULT_TYPES): "results", id(GRAPH_TYPES): "graphs"}
    return names.get(id(value), "none" if value is None else str(value))





@pytest.mark.parametrize(("header", "expected"), [
    ("text/csv", [(CSV, 1.0)]),
    ("text/csv;q=0.5, text/turtle", [(TURTLE, 1.0), (CSV, 0.5)]),
    ("a/b;q=0.5, c/d, e/f;q=0.5", [("c/d", 1.0), ("a/b", 0.5), ("e/f", 0.5)]),  # equal q keeps header order
    ("TEXT/CSV ; Q=0.3", [(CSV, 0.3)]),  # names and parameters are case-insensitive, spaces ignored
    ("text/turtle; charset=utf-8; q=0.7", [(TURTLE, 0.7)]),  # other parameters are ignored
    ("text/csv;level=1;q=0.2", [(CSV, 0.2)]),
    ("text/csv;q=abc", [(CSV, 0.0)]),  # an unreadable q-value counts as 'not acceptable'
    ("text/csv;q=7", [(CSV, 1.0)]),  # q-values are clamped to [0, 1]
    ("text/csv;q=-1", [(CSV, 0.0)]),
    ("*/*;q=0.1, text/*;q=0.2", [("text/*", 0.2), ("*/*", 0.1)]),
    (",, text/csv ,", [(CSV, 1.0)]),  # empty elements are skipped
    ("", []),
], ids=case_id)
def test_parse_accept(header: str, expected: list[tuple[str, float]]) -> None:
    assert parse_accept(header) == expected


@pytest.mark.parametrize(("accept", "offered", "default", "expected"), [
    # no stated preference: the default
    (None, RESULTS, JSON, JSON),
    ("", RESULTS, JSON, JSON),
    ("   ", GRAPHS, TURTLE, TURTLE),
    ("*/*", RESULTS, JSON, JSON),
    ("*/*", GRAPHS, TURTLE, TURTLE),
    # exact matches
    (CSV, RESULTS, JSON, CSV),
    (TSV, RESULTS, JSON, TSV),
    (XML, RESULTS, JSON, XML),
    (RDFXML, GRAPHS, TURTLE, RDFXML),
    (JSONLD, GRAPHS, TURTLE, JSONLD),
    ("Application/N-Triples", GRAPHS, TURTLE, NTRIPLES),
    # q-values
    (f"{CSV};q=0.5, {XML};q=0.8", RESULTS, JSON, XML),
    (f"{CSV};q=0.5, {XML};q=0.5", RESULTS, JSON, CSV),  # a tie goes to the header's order
    (f"{XML};q=0.5, {CSV};q=0.5", RESULTS, JSON, XML),
    (f"*/*;q=0.9, {CSV};q=0.5", RESULTS, JSON, JSON),  # a higher q wins even for a wildcard
    (f"*/*;q=0.5, {CSV};q=0.5", RESULTS, JSON, CSV),  # at equal q an exact match beats a wildcard
    (JENA_SELECT, RESULTS, JSON, JSON),
    (JENA_GRAPH, GRAPHS, TURTLE, TURTLE),
    # wildcards
    ("text/*", RESULTS, JSON, CSV),
    ("text/*", GRAPHS, TURTLE, TURTLE),
    ("application/*", RESULTS, JSON, JSON),
    ("application/*", GRAPHS, TURTLE, NTRIPLES),
    (FIREFOX, RESULTS, JSON, JSON),  # a browser gets the default through */*
    (FIREFOX, GRAPHS, TURTLE, TURTLE),
    (f"text/html, {TSV};q=0.1", RESULTS, JSON, TSV),
    # nothing fits
    ("image/png", RESULTS, JSON, None),
    ("text/html", RESULTS, JSON, None),
    ("application/json", RESULTS, JSON, None),
    (CSV, GRAPHS, TURTLE, None),
    (TURTLE, RESULTS, JSON, None),
    # q=0 means 'not acceptable'
    (f"{CSV};q=0", RESULTS, JSON, None),
    ("*/*;q=0", RESULTS, JSON, None),
    (f"{JSON};q=0, {XML};q=0.1", RESULTS, JSON, XML),
    (f"text/*;q=0, {CSV}", RESULTS, JSON, CSV),  # a more specific range overrides a refusing wildcard
    pytest.param(f"{CSV};q=0, text/*", RESULTS, JSON, TSV),
    pytest.param(f"{JSON};q=0, */*", RESULTS, JSON, XML),
    pytest.param(f"{TURTLE};q=0, */*;q=0.5", GRAPHS, TURTLE, NTRIPLES),
], ids=case_id)
def test_negotiate(accept: str | None, offered: list[str], default: str, expected: str | None) -> None:
    assert negotiate(accept, offered, default) == expected


@pytest.mark.parametrize(("value", "table", "expected"), [
    ("json", RESULT_TYPES, JSON),
    ("srj", RESULT_TYPES, JSON),
    ("xml", RESULT_TYPES, XML),
    ("srx", RESULT_TYPES, XML),
    ("csv", RESULT_TYPES, CSV),
    ("tsv", RESULT_TYPES, TSV),
    ("  CSV ", RESULT_TYPES, CSV),  # trimmed, case-insensitive
    (TSV, RESULT_TYPES, TSV),  # a full media type works too
    ("Application/SPARQL-Results+JSON", RESULT_TYPES, JSON),
    ("turtle", GRAPH_TYPES, TURTLE),
    ("ttl", GRAPH_TYPES, TURTLE),
    ("ntriples", GRAPH_TYPES, NTRIPLES),
    ("nt", GRAPH_TYPES, NTRIPLES),
    ("rdfxml", GRAPH_TYPES, RDFXML),
    ("rdf", GRAPH_TYPES, RDFXML),
    ("xml", GRAPH_TYPES, RDFXML),  # the same short name means the matching type of each table
    ("json", GRAPH_TYPES, JSONLD),
    ("jsonld", GRAPH_TYPES, JSONLD),
    (RDFXML, GRAPH_TYPES, RDFXML),
    ("turtle", RESULT_TYPES, None),
    ("csv", GRAPH_TYPES, None),
    ("png", RESULT_TYPES, None),
    ("", RESULT_TYPES, None),
    # Names SPARQLWrapper sends (format=rdf+xml&format=application/rdf+xml, format=json-ld&format=application/ld+json).
    pytest.param("rdf+xml", GRAPH_TYPES, RDFXML),
    pytest.param("json-ld", GRAPH_TYPES, JSONLD),
], ids=case_id)
def test_a_format_parameter_names_a_format_of_its_kind(value: str, table: tuple[formats.Format, ...], expected: str | None) -> None:
    chosen = formats.by_name(value, table)
    assert (chosen.media_type if chosen else None) == expected


def test_every_format_is_a_lower_case_type_that_its_own_names_choose() -> None:
    for table in (RESULT_TYPES, GRAPH_TYPES, formats.RDF_DOCUMENTS):
        for fmt in table:
            assert fmt.media_type == fmt.media_type.lower() and fmt.media_type.count("/") == 1
            assert all(formats.by_name(name, table) is fmt for name in (*fmt.format_names, fmt.media_type))


def test_the_rdf_formats_name_the_matching_oxigraph_formats() -> None:
    for fmt in formats.RDF_DOCUMENTS:
        assert fmt.rdf_format is not None and fmt.rdf_format.media_type == fmt.media_type
    assert {fmt.media_type for fmt in RESULT_TYPES} == {f.media_type.partition(";")[0] for f in (  # Oxigraph adds charset=utf-8 to CSV and TSV
        ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV)}
