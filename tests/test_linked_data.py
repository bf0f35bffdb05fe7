"""Linked data: every entity IRI of the release dereferences (303 See Other, by content negotiation) to a page or to
RDF that third-party parsers read without a warning, with canonical IRIs, behind a proxy too.

In-process over the tiny release: Flask's test client answers with host `localhost`; rapper reads the fetched bytes from files.
"""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib.compare import isomorphic

BASE = "https://w3id.org/spacekg/"
HOST = "http://localhost"  # what the test client calls the server
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
EXTENSIONS = {"ttl": "text/turtle", "nt": "application/n-triples", "rdf": "application/rdf+xml", "jsonld": "application/ld+json",
              "trig": "application/trig", "nq": "application/n-quads"}
RAPPER_SYNTAX = {"ttl": "turtle", "nt": "ntriples", "rdf": "rdfxml", "trig": "trig", "nq": "nquads"}
RETIRED = "https://w3id.org/spacekg/ontology#RetiredIRI"


def entity_paths(store: ox.Store) -> list[str]:
    """Every entity of the release, as the path after {base}id/."""
    # entities only: not the parts of one named by a fragment, nor retired IRIs (they redirect; see test_redirects)
    rows = store.query(f'SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}id/")) '
                       f'FILTER(!CONTAINS(STR(?s), "#")) FILTER NOT EXISTS {{ GRAPH ?any {{ ?s a <{RETIRED}> }} }} }}')
    assert isinstance(rows, ox.QuerySolutions)
    return sorted(row["s"].value[len(BASE) + 3:] for row in rows)


@pytest.fixture(scope="module")
def paths(tiny_store: ox.Store) -> list[str]:
    found = entity_paths(tiny_store)
    # every kind of entity has some in the tiny project, and a slug with a slash (a norm's assessment) is among them
    kinds = {path.partition("/")[0] for path in found}
    assert kinds >= {"state", "org", "person", "instrument", "document", "participation", "status-listing", "event", "norm",
                     "citation", "count", "statement"}, kinds
    assert "state/USA" in found and "norm/no-wmd-in-orbit/assessment" in found
    return found


@pytest.fixture(scope="module")
def module_client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass(frozen=True)
class Fetched:
    status: int
    content_type: str
    body: bytes


@pytest.fixture(scope="module")
def documents(module_client: FlaskClient, paths: list[str]) -> dict[tuple[str, str], Fetched]:
    """Every RDF document of every entity, fetched once: (path, extension) -> answer."""
    fetched = {}
    for path in paths:
        for extension in EXTENSIONS:
            answer = module_client.get(f"/doc/{path}.{extension}")
            fetched[(path, extension)] = Fetched(answer.status_code, answer.headers.get("Content-Type", ""), answer.data)
    return fetched


def test_an_entity_iri_sends_browsers_303_to_its_page_and_rdf_clients_to_its_description(client: FlaskClient) -> None:
    for accept, document in [(BROWSER, "/doc/state/USA"), ("", "/doc/state/USA"), ("text/turtle", "/doc/state/USA.ttl"),
                             ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "/doc/state/USA.rdf"),
                             ("application/ld+json", "/doc/state/USA.jsonld"), ("application/n-triples", "/doc/state/USA.nt"),
                             ("application/trig", "/doc/state/USA.trig"), ("application/n-quads", "/doc/state/USA.nq")]:
        answer = client.get("/id/state/USA", headers={"Accept": accept})
        assert answer.status_code == 303, accept
        assert answer.headers["Location"] == HOST + document, accept
        assert "Accept" in answer.headers["Vary"]
    followed = client.get("/id/state/USA", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert followed.status_code == 200 and followed.headers["Content-Type"].startswith("text/turtle")
    assert followed.request.path == "/doc/state/USA.ttl" and followed.history[0].status_code == 303


def test_an_entity_iri_whose_slug_holds_a_slash_dereferences(client: FlaskClient) -> None:
    answer = client.get("/id/norm/no-wmd-in-orbit/assessment", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert answer.status_code == 200 and answer.request.path == "/doc/norm/no-wmd-in-orbit/assessment.ttl"
    graph = rdflib.Graph().parse(data=answer.text, format="turtle")
    assert (rdflib.URIRef(f"{BASE}id/norm/no-wmd-in-orbit/assessment"), None, None) in graph


def test_every_entity_redirects_and_has_a_page(module_client: FlaskClient, paths: list[str]) -> None:
    accepts = [BROWSER, *EXTENSIONS.values()]
    problems = []
    for index, path in enumerate(paths):
        accept = accepts[index % len(accepts)]
        redirect = module_client.get(f"/id/{path}", headers={"Accept": accept})
        if redirect.status_code != 303 or not redirect.headers["Location"].startswith(f"{HOST}/doc/{path}"):
            problems.append(f"{path} ({accept}): {redirect.status_code} {redirect.headers.get('Location')}")
            continue
        page = module_client.get(f"/doc/{path}", headers={"Accept": BROWSER})
        if page.status_code != 200 or not page.headers["Content-Type"].startswith("text/html") or "<h1>" not in page.text:
            problems.append(f"{path}: page {page.status_code} {page.headers.get('Content-Type')}")
    assert not problems, problems[:10]


def test_every_description_is_served_with_its_format(documents: dict[tuple[str, str], Fetched]) -> None:
    wrong = [(key, doc.status, doc.content_type) for key, doc in documents.items()
             if doc.status != 200 or not doc.content_type.startswith(EXTENSIONS[key[1]]) or not doc.body]
    assert not wrong, wrong[:10]


def _rapper(path: Path, syntax: str) -> tuple[int, str]:
    """Parse a file with raptor's rapper; (number of triples, warnings and errors it printed)."""
    run = subprocess.run(["rapper", "-i", syntax, "-c", str(path)], capture_output=True, text=True, timeout=300)
    counted = re.search(r"Parsing returned (\d+) (triple|statement)", run.stderr)
    noise = "\n".join(line for line in run.stderr.splitlines() if "Parsing URI" not in line and "Parsing returned" not in line)
    return (int(counted.group(1)) if counted and run.returncode == 0 else -1), noise


def _lines(body: bytes) -> int:
    return len([line for line in body.splitlines() if line.strip()])


@pytest.mark.parametrize("extension", ["ttl", "nt", "trig", "nq"])
def test_rapper_reads_every_description_without_a_warning(extension: str, documents: dict[tuple[str, str], Fetched],
                                                           tmp_path: Path) -> None:
    # Turtle, TriG and N-Triples/N-Quads documents concatenate into one valid document, so rapper runs once per format.
    bodies = [doc.body for (_, ext), doc in sorted(documents.items()) if ext == extension]
    joined = tmp_path / f"all.{extension}"
    joined.write_bytes(b"\n".join(bodies))
    triples, noise = _rapper(joined, RAPPER_SYNTAX[extension])
    assert noise == ""
    line_format = "nq" if extension in ("trig", "nq") else "nt"
    expected = sum(_lines(doc.body) for (_, ext), doc in documents.items() if ext == line_format)
    assert triples == expected > 0


def test_rapper_reads_every_rdf_xml_description_without_a_warning(documents: dict[tuple[str, str], Fetched], tmp_path: Path) -> None:
    # RDF/XML documents do not concatenate: rapper runs once per document, four at a time.
    files = []
    for index, ((path, ext), doc) in enumerate(sorted(documents.items())):
        if ext == "rdf":
            files.append((path, tmp_path / f"{index}.rdf", _lines(documents[(path, "nt")].body)))
            files[-1][1].write_bytes(doc.body)
    with ThreadPoolExecutor(4) as pool:
        parsed = list(pool.map(lambda item: (item[0], item[2], *_rapper(item[1], "rdfxml")), files))
    problems = [(path, expected, triples, noise) for path, expected, triples, noise in parsed if noise or triples != expected]
    assert not problems, problems[:5]


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
def test_rdflib_reads_every_json_ld_description_as_the_same_triples_as_n_triples(documents: dict[tuple[str, str], Fetched]) -> None:
    # rdflib's own JSON-LD parser uses its deprecated ConjunctiveGraph; only those two warnings of rdflib's are let through.
    problems = []
    for (path, ext), doc in sorted(documents.items()):
        if ext == "jsonld":
            parsed = rdflib.Graph()
            for triple in rdflib.Dataset().parse(data=doc.body, format="json-ld").triples((None, None, None)):
                parsed.add(triple)
            if not isomorphic(parsed, rdflib.Graph().parse(data=documents[(path, "nt")].body, format="nt")):  # blank nodes: validation results
                problems.append(path)
    assert not problems, problems[:5]


def test_a_description_holds_incoming_links_neighbour_labels_sources_and_inferred_statements_in_their_graph(client: FlaskClient) -> None:
    trig = client.get("/doc/event/E044.trig").data
    quads = {(q.subject.value, q.predicate.value, q.object.value, q.graph_name.value) for q in ox.parse(trig, format=ox.RdfFormat.TRIG)
             if not isinstance(q.subject, ox.BlankNode)}
    event, usa, skg, rdf_type = f"{BASE}id/event/E044", f"{BASE}id/state/USA", f"{BASE}ontology#", str(rdflib.RDF.type)
    graph = {name: f"{BASE}graph/{name}" for name in ("asserted", "inferred", "meta", "ontology")}
    assert (event, skg + "involves", usa, graph["asserted"]) in quads
    assert (usa, skg + "involvedIn", event, graph["inferred"]) in quads, "incoming link, inferred"
    assert (event, rdf_type, skg + "Event", graph["inferred"]) in quads and (event, rdf_type, skg + "Event", graph["asserted"]) not in quads
    assert (usa, str(rdflib.RDFS.label), "United States", graph["asserted"]) in quads, "the neighbour's label"
    assert (skg + "involves", str(rdflib.RDFS.label), "involves", graph["ontology"]) in quads, "the predicate's label"
    assert (event, skg + "sourceFile", "data/events.csv", graph["meta"]) in quads
    source = f"{BASE}id/citation/defensedaily-u-s-emphasizes-focus-responsible-behavior-space"
    assert any(q[0] == source and q[1] == str(rdflib.FOAF.page) and q[2].startswith("https://www.defensedaily.com/") for q in quads), \
        "the source's own description"


def test_turtle_carries_the_merge_of_asserted_and_inferred_statements(client: FlaskClient) -> None:
    # tiny data/participation_actions.csv: AUS acceded to the Moon Agreement on 1986-07-07
    graph = rdflib.Graph().parse(data=client.get("/doc/state/AUS.ttl").text, format="turtle")
    aus, moon = rdflib.URIRef(f"{BASE}id/state/AUS"), rdflib.URIRef(f"{BASE}id/instrument/moon")
    assert (aus, rdflib.URIRef(f"{BASE}ontology#partyTo"), moon) in graph
    assert (aus, rdflib.URIRef(f"{BASE}ontology#iso3166Alpha3"), rdflib.Literal("AUS")) in graph


def test_rdf_keeps_canonical_iris_and_never_names_the_server(documents: dict[tuple[str, str], Fetched]) -> None:
    assert all(f"{BASE}id/".encode() in doc.body for doc in documents.values())
    assert not [key for key, doc in documents.items() if b"localhost" in doc.body or b"127.0.0.1" in doc.body]


def test_unknown_iris_get_a_404_page_for_browsers_and_plain_text_otherwise(client: FlaskClient) -> None:
    for path in ("/id/state/XXX", "/doc/state/XXX", "/doc/state/XXX.ttl", "/id/nonsense", "/doc/state/USA.exe"):
        page = client.get(path, headers={"Accept": BROWSER})
        assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html"), path
        assert "<h1>404 Not Found</h1>" in page.text and "Content-Security-Policy" in page.headers
        plain = client.get(path)
        assert plain.status_code == 404 and plain.headers["Content-Type"].startswith("text/plain"), path
        assert plain.text.startswith("404 Not Found:")


def test_a_type_the_server_cannot_give_is_refused_with_406(client: FlaskClient) -> None:
    answer = client.get("/id/state/USA", headers={"Accept": "image/png"})
    assert answer.status_code == 406 and "text/turtle" in answer.text


def test_documents_carry_a_release_etag_and_answer_304_when_unchanged(client: FlaskClient) -> None:
    first = client.get("/doc/state/FRA.ttl")
    assert first.status_code == 200 and first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    again = client.get("/doc/state/FRA.ttl", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_ontology_terms_resolve_to_the_documentation_page_or_the_ontology_graph(client: FlaskClient) -> None:
    page = client.get("/ontology", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html") and 'id="State"' in page.text
    assert "Accept" in page.headers["Vary"]
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Type"].startswith("text/turtle") and turtle.headers["Content-Location"] == "/ontology.ttl"
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert (rdflib.URIRef(f"{BASE}ontology#State"), rdflib.RDF.type, rdflib.OWL.Class) in graph
    for extension in ("ttl", "nt", "rdf"):
        answer = client.get(f"/ontology.{extension}")
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(EXTENSIONS[extension])
