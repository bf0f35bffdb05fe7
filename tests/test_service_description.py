"""Self-description of the release server: the W3C Service Description checks, and VoID.

The three W3C service-description tests (../shared/w3c/.../service-description/manifest.ttl) are
`returns-rdf`, `has-endpoint-triple` and `conforms-to-schema`; each is checked here in every RDF
format the endpoint offers. In-process over the tiny release: the test client calls the server `http://localhost`.
"""

from __future__ import annotations

import hashlib
import io

import pyoxigraph as ox
import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import VOID

from spacekg.namespaces import SD, SKG
from spacekg.store.releases import Release

HOST = "http://localhost"  # what the test client calls the server
FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}
# rdflib's own JSON-LD parser uses its deprecated ConjunctiveGraph; that is not the server's doing.
RDFLIB_JSON_LD = [pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
                  pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")]
MEDIA_TYPES = [pytest.param(media, marks=RDFLIB_JSON_LD if media == "application/ld+json" else []) for media in FORMATS]
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def _description(client: FlaskClient, path: str, media_type: str) -> rdflib.Graph:
    response = client.get(path, headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].partition(";")[0] == media_type
    return rdflib.Graph().parse(io.BytesIO(response.data), format=FORMATS[media_type])


# --- the W3C service-description tests -------------------------------------------------------------

@pytest.mark.parametrize("media_type", MEDIA_TYPES)
def test_returns_rdf(client: FlaskClient, media_type: str) -> None:
    graph = _description(client, "/sparql", media_type)
    assert len(graph) > 0
    assert (None, RDF.type, SD.Service) in graph


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
def test_has_endpoint_triple(client: FlaskClient, media_type: str) -> None:
    graph = _description(client, "/sparql", media_type)
    assert list(graph.subjects(SD.endpoint, URIRef(HOST + "/sparql")))


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
def test_conforms_to_schema(client: FlaskClient, media_type: str) -> None:
    """Every sd:NamedGraph has exactly one sd:name, an IRI."""
    graph = _description(client, "/sparql", media_type)
    named_graphs = list(graph.subjects(RDF.type, SD.NamedGraph))
    assert named_graphs
    for named in named_graphs:
        names = list(graph.objects(named, SD.name))
        assert len(names) == 1 and isinstance(names[0], URIRef), named


# --- what the description says about this service ----------------------------------------------------

def test_the_named_graphs_described_are_the_release_graphs(client: FlaskClient, built_tiny: Release) -> None:
    graph = _description(client, "/sparql", "text/turtle")
    described = {str(name) for name in graph.objects(None, SD.name)}
    non_empty = {name for name, size in built_tiny.manifest["graphs"].items() if size > 0}
    assert described == non_empty


def test_each_named_graph_is_described_with_its_size_in_the_store(client: FlaskClient, tiny_store: ox.Store) -> None:
    graph = _description(client, "/sparql", "text/turtle")
    described = {}
    for named in graph.subjects(RDF.type, SD.NamedGraph):
        size = graph.value(graph.value(named, SD.graph), VOID.triples)
        assert isinstance(size, Literal), named
        described[str(graph.value(named, SD.name))] = int(size)
    counted = tiny_store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(counted, ox.QuerySolutions)
    assert described == {row["g"].value: int(row["n"].value) for row in counted}


def test_the_description_says_query_only_and_lists_the_result_formats(client: FlaskClient) -> None:
    graph = _description(client, "/sparql", "text/turtle")
    service = URIRef(HOST + "/sparql")
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    formats = {str(f).rpartition("/")[2] for f in graph.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle", "RDF_XML"} <= formats


def test_no_accept_header_gives_turtle_and_a_browser_gets_the_query_page(client: FlaskClient) -> None:
    plain = client.get("/sparql", headers={"Accept": ""})
    assert plain.status_code == 200 and plain.headers["Content-Type"].startswith("text/turtle")
    browser = client.get("/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert browser.status_code == 200 and browser.headers["Content-Type"].startswith("text/html")
    assert "<form" in browser.text


# --- VoID ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def void_graph(app: Flask) -> rdflib.Graph:
    return _description(app.test_client(), "/.well-known/void", "text/turtle")


@pytest.fixture(scope="module")
def void_dataset(void_graph: rdflib.Graph) -> rdflib.term.Node:
    (dataset,) = list(void_graph.subjects(RDF.type, VOID.Dataset))
    return dataset


def _published_checksums(release: Release) -> dict[str, str]:
    lines = (release.path / "dumps" / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split("  ") for line in lines)}


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
def test_void_parses_in_every_format(client: FlaskClient, media_type: str) -> None:
    graph = _description(client, "/.well-known/void", media_type)
    assert len(list(graph.subjects(RDF.type, VOID.Dataset))) == 1


def test_void_counts_the_triples_of_the_release(void_graph: rdflib.Graph, void_dataset: rdflib.term.Node, built_tiny: Release,
                                                tiny_store: ox.Store) -> None:
    triples = void_graph.value(void_dataset, VOID.triples)
    assert isinstance(triples, Literal)
    assert int(triples) == sum(built_tiny.manifest["graphs"].values()) == len(tiny_store)


def test_void_names_the_sparql_endpoint(void_graph: rdflib.Graph, void_dataset: rdflib.term.Node) -> None:
    assert void_graph.value(void_dataset, VOID.sparqlEndpoint) == URIRef(HOST + "/sparql")


def test_void_has_class_and_property_partitions(void_graph: rdflib.Graph, void_dataset: rdflib.term.Node) -> None:
    classes = list(void_graph.objects(void_dataset, VOID.classPartition))
    properties = list(void_graph.objects(void_dataset, VOID.propertyPartition))
    assert classes and properties
    for partition in classes:
        assert isinstance(void_graph.value(partition, VOID["class"]), URIRef)
        assert int(void_graph.value(partition, VOID.entities)) > 0  # type: ignore[arg-type]
    for partition in properties:
        assert isinstance(void_graph.value(partition, VOID.property), URIRef)
        assert int(void_graph.value(partition, VOID.triples)) > 0  # type: ignore[arg-type]
    assert SKG.Instrument in {void_graph.value(p, VOID["class"]) for p in classes}


def test_void_class_partitions_count_the_instances_in_the_store(void_graph: rdflib.Graph, void_dataset: rdflib.term.Node,
                                                                tiny_store: ox.Store) -> None:
    instruments = tiny_store.query(f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ GRAPH ?g {{ ?i a <{SKG.Instrument}> }} }}")
    assert isinstance(instruments, ox.QuerySolutions)
    expected = int(next(instruments)["n"].value)
    (partition,) = [p for p in void_graph.objects(void_dataset, VOID.classPartition) if void_graph.value(p, VOID["class"]) == SKG.Instrument]
    assert int(void_graph.value(partition, VOID.entities)) == expected > 0  # type: ignore[arg-type]


def test_void_dumps_carry_the_checksums_of_sha256sums(void_graph: rdflib.Graph, void_dataset: rdflib.term.Node, built_tiny: Release) -> None:
    published = _published_checksums(built_tiny)
    dumps = {str(dump).rpartition("/")[2]: str(void_graph.value(dump, SKG.sha256)) for dump in void_graph.objects(void_dataset, VOID.dataDump)}
    assert dumps == published
    for dump in void_graph.objects(void_dataset, VOID.dataDump):
        assert str(dump).startswith(HOST + "/dumps/")


@pytest.mark.parametrize("name", ["spacekg.nq", "spacekg.trig", "spacekg.ttl", "spacekg.jsonld"])
def test_a_dump_downloads_with_its_published_checksum(client: FlaskClient, built_tiny: Release, name: str) -> None:
    with client.get(f"/dumps/{name}") as response:  # closing the response closes the file it sends
        assert response.status_code == 200
        assert hashlib.sha256(response.data).hexdigest() == _published_checksums(built_tiny)[name] == built_tiny.manifest["dumps"][name]


def test_sha256sums_itself_is_served(client: FlaskClient, built_tiny: Release) -> None:
    with client.get("/dumps/SHA256SUMS") as response:
        assert response.status_code == 200
        assert response.data == (built_tiny.path / "dumps" / "SHA256SUMS").read_bytes()


def test_an_unknown_dump_is_a_404(client: FlaskClient) -> None:
    for name in ("nothing.nq", "..%2Frelease.json", "release.json"):
        assert client.get(f"/dumps/{name}").status_code == 404, name


def test_void_example_resources_exist_in_the_data(client: FlaskClient, void_graph: rdflib.Graph, void_dataset: rdflib.term.Node) -> None:
    examples = list(void_graph.objects(void_dataset, VOID.exampleResource))
    assert examples
    for example in examples:
        response = client.get("/sparql", query_string={"query": f"ASK {{ <{example}> ?p ?o }}"})
        assert response.get_json()["boolean"] is True, example
