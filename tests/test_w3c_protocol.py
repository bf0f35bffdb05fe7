"""The W3C SPARQL 1.1 Protocol tests, driven from their manifest, against the app serving their data (as `serve --dataset` does).

Each manifest test is data: a list of HTTP requests (W3C HTTP-in-RDF vocabulary) with the expected
status class and, for successful queries, the expected result form. The 20 query tests and the 7
`bad_update_*` tests run as written. The 7 `update_*` tests expect updates to succeed, which a
read-only service must not do; they are replaced by one check per update form that it is refused
and that the dataset is unchanged. The requests go through Flask's test client to the whole app, in this
process (its query processes are real forked children); the manifest files are read in place.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from flask.testing import FlaskClient
from rdflib import RDF, Namespace
from rdflib.collection import Collection
from werkzeug.test import TestResponse

from conftest import PROJECT, SHARED
from spacekg.settings import load_settings
from spacekg.web import create_app

PROTOCOL = SHARED / "w3c" / "rdf-tests" / "sparql" / "sparql11" / "protocol"
MANIFEST = PROTOCOL / "manifest.ttl"
if not MANIFEST.is_file():
    pytest.skip(f"W3C protocol manifest not found at {MANIFEST} (see ../shared/w3c/PROVENANCE.md)", allow_module_level=True)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
DATA = "http://kasei.us/2009/09/sparql/data/"
GRAPHS = {f"{DATA}data{n}.rdf": PROTOCOL / f"data{n}.nt" for n in (1, 2, 3)}
RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"}
GRAPH_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}


@dataclass(frozen=True)
class ProtocolRequest:
    """One ht:Request of a manifest test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    status_classes: frozenset[str]  # e.g. {"2xx", "3xx"}
    result_format: str | None  # "boolean", "tabular", "RDF" or None
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    requests: tuple[ProtocolRequest, ...]


def _request(graph: rdflib.Graph, node: rdflib.term.Node) -> ProtocolRequest:
    headers = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body = None
    body_node = graph.value(node, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    statuses = frozenset(str(s).removeprefix(str(HTS)).removeprefix("StatusCode") for s in graph.objects(response, MF.expectedStatus))
    result_format = graph.value(response, MF.expectedFormat)
    boolean = graph.value(response, MF.expectedBoolean)
    return ProtocolRequest(method=str(graph.value(node, HT.methodName)), path=str(graph.value(node, HT.absolutePath)),
                           headers=headers, body=body, status_classes=statuses,
                           result_format=None if result_format is None else str(result_format),
                           boolean=None if boolean is None else bool(boolean.toPython()))


def load_manifest(path: Path) -> list[ProtocolTest]:
    """The manifest's tests in manifest order, each with its requests in order."""
    graph = rdflib.Graph().parse(path, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        requests_ = tuple(_request(graph, node) for node in Collection(graph, graph.value(action, HT.requests)))
        tests.append(ProtocolTest(str(entry).rpartition("#")[2], requests_))
    return tests


TESTS = load_manifest(MANIFEST)
RUN_AS_WRITTEN = [t for t in TESTS if not t.name.startswith("update_")]
# Known server bugs, reported to the web stage; strict, so a fix makes these fail until the mark goes.
KNOWN_FAILURES: dict[str, str] = {}


ENDPOINT = "/sparql"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """data1.nt … data3.nt as the named graphs the tests expect, served by one app (so updates would show)."""
    trig = tmp_path_factory.mktemp("w3c-protocol") / "protocol.trig"
    trig.write_text("".join(f"<{name}> {{\n{path.read_text(encoding='utf-8')}}}\n" for name, path in GRAPHS.items()), encoding="utf-8")
    app = create_app(load_settings({}, project_dir=PROJECT, dataset_files=(trig,), query_timeout_s=10, threads=2))
    app.config["TESTING"] = True
    yield app.test_client()
    app.config["SPACEKG_FOLLOWER"].served.runner.close()


def _send(endpoint: FlaskClient, request: ProtocolRequest) -> TestResponse:
    assert request.path.startswith("/sparql/")
    path = ENDPOINT + request.path.removeprefix("/sparql/")  # "/sparql/?query=…" is the endpoint with a query string
    return endpoint.open(path, method=request.method, headers=request.headers, data=request.body)


def _media(response: TestResponse) -> str:
    return response.headers["Content-Type"].partition(";")[0]


def _boolean(response: TestResponse) -> bool:
    media = _media(response)
    if media == "application/sparql-results+json":
        value = json.loads(response.data)["boolean"]
        assert isinstance(value, bool)
        return value
    assert media == "application/sparql-results+xml", f"a boolean answer came as {media}"
    text = ET.fromstring(response.data).findtext("{http://www.w3.org/2005/sparql-results#}boolean")
    assert text in ("true", "false")
    return text == "true"


def _check_tabular(response: TestResponse) -> None:
    media = _media(response)
    assert media in RESULT_TYPES, f"a SELECT answer came as {media}"
    if media == "application/sparql-results+json":
        answer = json.loads(response.data)
        assert "vars" in answer["head"] and "bindings" in answer["results"]
    elif media == "application/sparql-results+xml":
        ET.fromstring(response.data)


def _check_rdf(response: TestResponse) -> None:
    media = _media(response)
    assert media in GRAPH_FORMATS, f"a graph answer came as {media}"
    rdflib.Graph().parse(io.BytesIO(response.data), format=GRAPH_FORMATS[media])


def test_the_manifest_has_the_tests_this_module_knows() -> None:
    names = [t.name for t in TESTS]
    updates = [n for n in names if "update" in n]
    assert len(names) == 34 and len(RUN_AS_WRITTEN) == 27
    assert len([n for n in updates if n.startswith("bad_")]) == 7
    assert [n for n in names if n.startswith("update_")] == [
        "update_dataset_default_graph", "update_dataset_default_graphs", "update_dataset_named_graphs",
        "update_dataset_full", "update_post_form", "update_post_direct", "update_base_uri"]


@pytest.mark.parametrize("test", [pytest.param(t, id=t.name, marks=[pytest.mark.xfail(strict=True, raises=AssertionError, reason=KNOWN_FAILURES[t.name])]
                                              if t.name in KNOWN_FAILURES else []) for t in RUN_AS_WRITTEN])
def test_w3c_protocol(endpoint: FlaskClient, test: ProtocolTest) -> None:
    for number, request in enumerate(test.requests, start=1):
        response = _send(endpoint, request)
        where = f"{test.name} request {number}: {request.method} {request.path} -> {response.status_code} {response.text[:300]!r}"
        assert f"{response.status_code // 100}xx" in request.status_classes, where
        assert "Traceback" not in response.text, where
        if request.result_format == "boolean":
            value = _boolean(response)
            if request.boolean is not None:
                assert value is request.boolean, where
        elif request.result_format == "tabular":
            _check_tabular(response)
        elif request.result_format == "RDF":
            _check_rdf(response)


# The read-only replacement of the 7 update_* tests: every way of sending an update is refused.

FOAF_DOCUMENT = "<http://xmlns.com/foaf/0.1/Document>"
SCRATCH = "http://example.org/spacekg-protocol-test/"
UNCHANGED = ("ASK { " + " ".join(f"GRAPH <{g}> {{ <{g}> a {FOAF_DOCUMENT} }}" for g in GRAPHS)
             + f" FILTER NOT EXISTS {{ GRAPH <{SCRATCH}> {{ ?s ?p ?o }} }} FILTER NOT EXISTS {{ ?s a <http://purl.org/dc/terms/BibliographicResource> }} }}")
UPDATE = f"CLEAR ALL ;\nINSERT DATA {{ GRAPH <{SCRATCH}> {{ <{SCRATCH}s> <{SCRATCH}p> 1 }} }}"
DIRECT_QUERY = {"Content-Type": "application/sparql-query"}
DIRECT_UPDATE = {"Content-Type": "application/sparql-update"}
HIDDEN_IN_QUERY = {
    "insert": f"INSERT DATA {{ GRAPH <{SCRATCH}> {{ <{SCRATCH}s> <{SCRATCH}p> 1 }} }}",
    "delete": f"PREFIX d: <{DATA}>\nDELETE WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "load": f"LOAD <http://127.0.0.1:9/nothing.ttl> INTO GRAPH <{SCRATCH}>",
    "clear": "# an update disguised as a query\nclear all",
}


def _dataset_is_unchanged(endpoint: FlaskClient, label: str) -> bool:
    # A distinct comment per call: the endpoint caches answers by query text, and the check must run.
    response = endpoint.post(ENDPOINT, data=f"{UNCHANGED}\n# check {label}".encode(), headers=DIRECT_QUERY)
    assert response.status_code == 200, response.text
    return _boolean(response)


# form -> (method, keyword arguments of the test client's open(): a dict as data is sent as an HTML form)
UPDATE_REQUESTS: dict[str, tuple[str, dict[str, object]]] = {
    "update_in_form_post": ("POST", {"data": {"update": UPDATE}}),
    "update_as_direct_post": ("POST", {"data": UPDATE.encode(), "headers": DIRECT_UPDATE}),
    "update_as_direct_post_with_using_graph_uri": ("POST", {"query_string": {"using-graph-uri": f"{DATA}data1.rdf"},
                                                            "data": UPDATE.encode(), "headers": DIRECT_UPDATE}),
    "update_in_get": ("GET", {"query_string": {"update": UPDATE}}),
    **{f"{kind}_hidden_in_get_query": ("GET", {"query_string": {"query": text}}) for kind, text in HIDDEN_IN_QUERY.items()},
    **{f"{kind}_hidden_in_form_query": ("POST", {"data": {"query": text}}) for kind, text in HIDDEN_IN_QUERY.items()},
    **{f"{kind}_hidden_in_direct_query": ("POST", {"data": text.encode(), "headers": DIRECT_QUERY}) for kind, text in HIDDEN_IN_QUERY.items()},
}


@pytest.mark.parametrize("form", list(UPDATE_REQUESTS))
def test_an_update_is_refused_and_changes_nothing(endpoint: FlaskClient, form: str) -> None:
    assert _dataset_is_unchanged(endpoint, f"before {form}")
    method, arguments = UPDATE_REQUESTS[form]
    response = endpoint.open(ENDPOINT, method=method, **arguments)  # type: ignore[arg-type]
    assert 400 <= response.status_code < 500, f"{form}: {response.status_code} {response.text[:200]!r}"
    assert "Traceback" not in response.text
    assert _dataset_is_unchanged(endpoint, f"after {form}")


def test_a_refused_update_says_the_endpoint_is_read_only(endpoint: FlaskClient) -> None:
    response = endpoint.post(ENDPOINT, data={"update": UPDATE})
    assert response.request.content_type == "application/x-www-form-urlencoded"
    assert response.status_code == 403
    assert "read-only" in response.text
    assert response.headers["Content-Type"].startswith("text/plain")


def test_the_protocol_dataset_overrides_from_in_the_query(endpoint: FlaskClient) -> None:
    """query_multiple_dataset, sharpened: with named-graph-uri given, FROM <data3> must not make data3 the default graph."""
    query = f"ASK FROM <{DATA}data3.rdf> {{ <{DATA}data3.rdf> a ?type }}"
    response = endpoint.post(ENDPOINT, query_string={"named-graph-uri": f"{DATA}data1.rdf"}, data=query.encode(), headers=DIRECT_QUERY)
    assert response.status_code == 200
    assert _boolean(response) is False
    without_protocol_dataset = endpoint.post(ENDPOINT, data=query.encode(), headers=DIRECT_QUERY)
    assert _boolean(without_protocol_dataset) is True


def test_the_graphs_are_served_as_loaded(endpoint: FlaskClient) -> None:
    response = endpoint.get(ENDPOINT, query_string={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"})
    counts = {row["g"]["value"]: int(row["n"]["value"]) for row in json.loads(response.data)["results"]["bindings"]}
    assert counts == {name: 1 for name in GRAPHS}

