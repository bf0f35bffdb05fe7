"""Self-description of the release server: the W3C Service Description checks, and VoID.

The three W3C service-description tests (../shared/w3c/.../service-description/manifest.ttl) are
`returns-rdf`, `has-endpoint-triple` and `conforms-to-schema`; each is checked here in every RDF
format the endpoint offers. In-process over the tiny release: the test client calls the server `http://localhost`.
"""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import rdflib
from flask.testing import FlaskClient
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import VOID

from spacekg.namespaces import SD
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
