"""The two registries are complete and are what every part reads.

- spacekg.formats: every format has a media type, a W3C format IRI and a writer whose output a
  third-party parser (rdflib) reads; the endpoint, the service description, the linked-data documents,
  the query page, the dumps and the CLI offer exactly the registry's formats.
- spacekg.kinds: every record kind has its file (in data/ and in the tiny project) with the columns it
  declares, a class of the ontology that a shape checks, and an entity kind; every entity kind has a
  browse page; `spacekg stats` counts each kind's records as its file has rows.
"""

from __future__ import annotations

import csv
import io
import json
import warnings

import pyoxigraph as ox
import pytest
import rdflib
from flask.testing import FlaskClient
from rdflib.query import Result

from conftest import PROJECT, TINY
from spacekg import formats
from spacekg.cli import build_parser
from spacekg.formats import FORMATS
from spacekg.kinds import ENTITY_KINDS, RECORD_KINDS, entity_prefixes, record_columns
from spacekg.namespaces import OWL, RDF, RDFS, SD, SH, SKG, Minter
from spacekg.stats import release_stats
from spacekg.store.releases import Release

# The W3C's "Unique URIs for File Formats" (https://www.w3.org/ns/formats/) that name formats SpaceKG could offer.
W3C_FORMAT_NAMES = {"JSON-LD", "N3", "N-Triples", "N-Quads", "LD_Patch", "microdata", "OWL_XML", "OWL_Functional", "OWL_Manchester",
                    "POWDER", "POWDER-S", "PROV-N", "PROV-XML", "RDFa", "RDF_JSON", "RDF_XML", "RIF_XML", "SPARQL_Results_XML",
                    "SPARQL_Results_JSON", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle", "TriG"}
RDFLIB_RESULTS = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv"}  # rdflib's result parsers by our format name
EXAMPLE_ROWS: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]] = [
    [ox.NamedNode("https://w3id.org/spacekg/id/state/AUS"), ox.Literal("Australia", language="en")],
    [ox.NamedNode("https://w3id.org/spacekg/id/instrument/ost"), ox.Literal("1967-10-10", datatype=ox.NamedNode(str(rdflib.XSD.date)))],
    [ox.BlankNode("b0"), None],
]


# --- formats ----------------------------------------------------------------------------------------------

def test_every_format_has_a_unique_name_media_type_and_a_w3c_format_iri() -> None:
    assert len({f.name for f in FORMATS}) == len({f.media_type for f in FORMATS}) == len(FORMATS)
    assert {f.w3c_name for f in FORMATS} <= W3C_FORMAT_NAMES
    for kind in ("results", "graph", "dataset"):
        names = [name for f in formats.of_kind(kind) for name in f.format_names]
        assert len(names) == len(set(names)), f"a format= value names two {kind} formats"
    assert {f.kind for f in FORMATS} == {"results", "graph", "dataset"}


@pytest.mark.parametrize("fmt", formats.RESULTS, ids=[f.name for f in formats.RESULTS])
def test_every_results_format_writes_select_and_ask_answers_that_rdflib_reads(fmt: formats.Format) -> None:
    assert fmt.write_select is not None and fmt.write_ask is not None
    parsed = Result.parse(io.BytesIO(fmt.write_select(["s", "o"], EXAMPLE_ROWS, [])), format=RDFLIB_RESULTS[fmt.name])
    assert len(list(parsed)) == len(EXAMPLE_ROWS)
    if fmt.name in ("json", "xml"):  # CSV and TSV booleans are plain text by SPARQL 1.1 convention, not a results document
        assert Result.parse(io.BytesIO(fmt.write_ask(True)), format=RDFLIB_RESULTS[fmt.name]).askAnswer is True
    else:
        assert fmt.write_ask(False).strip() == b"false"


@pytest.mark.parametrize("fmt", formats.RDF_DOCUMENTS, ids=[f.name for f in formats.RDF_DOCUMENTS])
def test_every_rdf_format_writes_statements_that_rdflib_reads(fmt: formats.Format) -> None:
    assert fmt.rdf_format is not None and fmt.rdflib_name
    graph = ox.NamedNode("https://w3id.org/spacekg/graph/asserted")
    quads = [ox.Quad(ox.NamedNode("https://w3id.org/spacekg/id/state/AUS"), ox.NamedNode(str(RDFS.label)), ox.Literal("Australia"), graph)]
    written = fmt.write_graph(quads if fmt.kind == "dataset" else [q.triple for q in quads])
    parsed = rdflib.Dataset()
    with warnings.catch_warnings():  # rdflib's own Dataset.parse and JSON-LD parser call its deprecated APIs
        warnings.simplefilter("ignore", DeprecationWarning)
        parsed.parse(data=written, format=fmt.rdflib_name if fmt.rdflib_name != "pretty-xml" else "xml")
    assert [(str(s), str(o)) for s, _, o, _ in parsed.quads((None, None, None, None))] == [("https://w3id.org/spacekg/id/state/AUS", "Australia")]


def test_the_endpoint_answers_in_every_results_and_graph_format_by_name_and_by_accept(client: FlaskClient) -> None:
    for fmt in formats.RESULTS:
        for ask in ({"format": fmt.name}, {}):
            answer = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s a skg:Treaty }", **ask},
                                headers={} if ask else {"Accept": fmt.media_type})
            assert answer.status_code == 200 and answer.mimetype == fmt.media_type, fmt.name
    for fmt in formats.GRAPHS:
        answer = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s a skg:Treaty }"}, headers={"Accept": fmt.media_type})
        assert answer.status_code == 200 and answer.mimetype == fmt.media_type, fmt.name


def test_the_service_description_names_the_w3c_iri_of_every_answer_format(client: FlaskClient) -> None:
    graph = rdflib.Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert {str(o) for o in graph.objects(None, SD.resultFormat)} == {f.w3c_iri for f in formats.RESULTS + formats.GRAPHS}


def test_every_rdf_document_format_serves_an_entity_and_is_an_alternate_of_its_page(client: FlaskClient) -> None:
    page = client.get("/doc/state/AUS", headers={"Accept": "text/html"}).text
    for fmt in formats.RDF_DOCUMENTS:
        answer = client.get(f"/doc/state/AUS.{fmt.extension}")
        assert answer.status_code == 200 and answer.mimetype == fmt.media_type, fmt.name
        assert f'type="{fmt.media_type}" href="/doc/state/AUS.{fmt.extension}"' in page
        assert client.get("/id/state/AUS", headers={"Accept": fmt.media_type}).headers["Location"].endswith(f".{fmt.extension}")


def test_the_query_page_offers_a_download_in_every_results_format(client: FlaskClient) -> None:
    page = client.get("/query", query_string={"query": "SELECT ?s WHERE { ?s a skg:Treaty }"}).text
    for fmt in formats.RESULTS:
        assert f"format={fmt.name}" in page and fmt.label in page


def test_the_release_is_dumped_in_every_dump_format_and_the_cli_exports_each(built_tiny: Release) -> None:
    assert set(built_tiny.manifest["dumps"]) == {f.dump_name for f in formats.DUMPS}
    export = next(action for action in build_parser()._subparsers._group_actions[0].choices["export"]._actions  # type: ignore[union-attr]
                  if action.dest == "format")
    assert set(export.choices) == {f.name for f in formats.DUMPS}


# --- kinds ------------------------------------------------------------------------------------------------

def _header(folder: str, kind_file: str) -> list[str]:
    base = PROJECT / "data" if folder == "data" else TINY / "data"
    with open(base / f"{kind_file}.csv", encoding="utf-8", newline="") as handle:
        return [name.strip() for name in next(csv.reader(handle))]


@pytest.mark.parametrize("folder", ["data", "tiny"])
def test_every_record_kind_has_its_file_with_the_declared_columns(folder: str) -> None:
    base = PROJECT / "data" if folder == "data" else TINY / "data"
    assert {path.stem for path in base.glob("*.csv")} == {kind.file for kind in RECORD_KINDS} | {"redirects"}  # about IRIs, not a record kind
    for kind in RECORD_KINDS:
        header = _header(folder, kind.file)
        assert set(kind.required) <= set(header) <= set(kind.required) | set(kind.optional), kind.file
    assert record_columns() == {**{kind.file: (kind.required, kind.optional) for kind in RECORD_KINDS}, "redirects": (("old",), ("new", "reason"))}


def test_every_record_kind_becomes_a_class_of_the_ontology_that_a_shape_checks() -> None:
    ontology = rdflib.Graph().parse(PROJECT / "ontology" / "spacekg.ttl")
    shapes = rdflib.Graph().parse(PROJECT / "shapes" / "spacekg-shapes.ttl")
    targets = set(shapes.objects(None, SH.targetClass))
    for kind in RECORD_KINDS:
        if kind.record_class == RDF.Statement:  # rdf:Statement is RDF's own class; its shape targets it all the same
            assert RDF.Statement in targets
            continue
        assert (kind.record_class, RDF.type, OWL.Class) in ontology, kind.file
        assert set(ontology.transitive_objects(kind.record_class, RDFS.subClassOf)) & targets, f"no shape targets {kind.record_class}"
        assert set(kind.entity_kinds) <= set(ENTITY_KINDS), kind.file


def test_every_key_fact_of_our_vocabulary_is_a_property_of_the_ontology() -> None:
    ontology = rdflib.Graph().parse(PROJECT / "ontology" / "spacekg.ttl")
    properties = set(ontology.subjects(RDF.type, OWL.ObjectProperty)) | set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    for kind in ENTITY_KINDS.values():
        ours = {fact for fact in kind.key_facts if fact.startswith(str(SKG))}
        assert ours <= properties, (kind.slug, ours - properties)


def test_every_entity_kind_has_a_prefix_and_every_kind_in_the_release_a_browse_page(client: FlaskClient, tiny_store: ox.Store) -> None:
    prefixes = entity_prefixes(Minter())
    assert all(prefixes[slug.replace("-", "_")] == f"https://w3id.org/spacekg/id/{slug}/" for slug in ENTITY_KINDS)
    landing = client.get("/", headers={"Accept": "text/html"}).text
    present = json.loads(client.get("/sparql", query_string={"query": (
        "SELECT DISTINCT ?kind WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), 'https://w3id.org/spacekg/id/')) "
        "BIND(STRBEFORE(STRAFTER(STR(?s), 'https://w3id.org/spacekg/id/'), '/') AS ?kind) }")}).data)
    slugs = {row["kind"]["value"] for row in present["results"]["bindings"]}
    assert slugs <= set(ENTITY_KINDS), "an IRI kind the registry does not describe"
    for slug in slugs:
        assert client.get(f"/browse/{slug}", headers={"Accept": "text/html"}).status_code == 200, slug
        assert ENTITY_KINDS[slug].plural in landing


def test_stats_count_each_record_kind_as_its_file_has_rows(tiny_store: ox.Store) -> None:
    records = release_stats(tiny_store).records
    for kind in RECORD_KINDS:
        with open(TINY / "data" / f"{kind.file}.csv", encoding="utf-8", newline="") as handle:
            rows = [row for row in csv.DictReader(handle) if any(cell.strip() for cell in row.values() if cell)]
        assert records[kind.label] == len(rows), kind.file
