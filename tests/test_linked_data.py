"""Linked data: every entity IRI of the release dereferences (303 See Other, by content negotiation) to a page or to
RDF that third-party parsers read without a warning, with canonical IRIs, behind a proxy too."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import isomorphic

BASE = "https://w3id.org/spacekg/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
EXTENSIONS = {"ttl": "text/turtle", "nt": "application/n-triples", "rdf": "application/rdf+xml", "jsonld": "application/ld+json",
              "trig": "application/trig", "nq": "application/n-quads"}
RAPPER_SYNTAX = {"ttl": "turtle", "nt": "ntriples", "rdf": "rdfxml", "trig": "trig", "nq": "nquads"}


def entity_paths(store: ox.Store) -> list[str]:
    """Every entity of the release, as the path after {base}id/."""
    rows = store.query(f'SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}id/")) }}')
    assert isinstance(rows, ox.QuerySolutions)
    return sorted(row["s"].value[len(BASE) + 3:] for row in rows)


@pytest.fixture(scope="module")
def paths(release_store: ox.Store) -> list[str]:
    found = entity_paths(release_store)
    assert len(found) > 1000 and "state/USA" in found and "norm/no-wmd-in-orbit/assessment" in found
    return found


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as shared:
        adapter = requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=8)
        shared.mount("http://", adapter)
        yield shared


@dataclass(frozen=True)
class Fetched:
    status: int
    content_type: str
    body: bytes


@pytest.fixture(scope="module")
def documents(server: str, paths: list[str], session: requests.Session) -> dict[tuple[str, str], Fetched]:
    """Every RDF document of every entity, fetched once, eight at a time: (path, extension) -> answer."""
    def fetch(key: tuple[str, str]) -> tuple[tuple[str, str], Fetched]:
        answer = session.get(f"{server}/doc/{key[0]}.{key[1]}", timeout=60)
        return key, Fetched(answer.status_code, answer.headers.get("Content-Type", ""), answer.content)

    with ThreadPoolExecutor(8) as pool:
        return dict(pool.map(fetch, [(path, extension) for path in paths for extension in EXTENSIONS]))


def test_an_entity_iri_sends_browsers_303_to_its_page_and_rdf_clients_to_its_description(server: str) -> None:
    for accept, document in [(BROWSER, "/doc/state/USA"), ("", "/doc/state/USA"), ("text/turtle", "/doc/state/USA.ttl"),
                             ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "/doc/state/USA.rdf"),
                             ("application/ld+json", "/doc/state/USA.jsonld"), ("application/n-triples", "/doc/state/USA.nt"),
                             ("application/trig", "/doc/state/USA.trig"), ("application/n-quads", "/doc/state/USA.nq")]:
        answer = requests.get(f"{server}/id/state/USA", headers={"Accept": accept}, allow_redirects=False, timeout=30)
        assert answer.status_code == 303, accept
        assert answer.headers["Location"] == server + document, accept
        assert "Accept" in answer.headers["Vary"]
    followed = requests.get(f"{server}/id/state/USA", headers={"Accept": "text/turtle"}, timeout=30)
    assert followed.status_code == 200 and followed.headers["Content-Type"].startswith("text/turtle")
    assert followed.history[0].status_code == 303


def test_an_entity_iri_whose_slug_holds_a_slash_dereferences(server: str) -> None:
    answer = requests.get(f"{server}/id/norm/no-wmd-in-orbit/assessment", headers={"Accept": "text/turtle"}, timeout=30)
    assert answer.status_code == 200 and answer.url == f"{server}/doc/norm/no-wmd-in-orbit/assessment.ttl"
    graph = rdflib.Graph().parse(data=answer.text, format="turtle")
    assert (rdflib.URIRef(f"{BASE}id/norm/no-wmd-in-orbit/assessment"), None, None) in graph


def test_every_entity_redirects_and_has_a_page(server: str, paths: list[str], session: requests.Session) -> None:
    accepts = [BROWSER, *EXTENSIONS.values()]

    def check(item: tuple[int, str]) -> str:
        index, path = item
        accept = accepts[index % len(accepts)]
        redirect = session.get(f"{server}/id/{path}", headers={"Accept": accept}, allow_redirects=False, timeout=60)
        if redirect.status_code != 303 or not redirect.headers["Location"].startswith(f"{server}/doc/{path}"):
            return f"{path} ({accept}): {redirect.status_code} {redirect.headers.get('Location')}"
        page = session.get(f"{server}/doc/{path}", headers={"Accept": BROWSER}, timeout=60)
        if page.status_code != 200 or not page.headers["Content-Type"].startswith("text/html") or "<h1>" not in page.text:
            return f"{path}: page {page.status_code} {page.headers.get('Content-Type')}"
        return ""

    with ThreadPoolExecutor(8) as pool:
        problems = [problem for problem in pool.map(check, enumerate(paths)) if problem]
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
    expected = sum(len([line for line in doc.body.splitlines() if line.strip()])
                   for (_, ext), doc in documents.items() if ext == line_format)
    assert triples == expected


def test_rapper_reads_every_rdf_xml_description_without_a_warning(documents: dict[tuple[str, str], Fetched], tmp_path: Path) -> None:
    files = []
    for index, ((path, ext), doc) in enumerate(sorted(documents.items())):
        if ext == "rdf":
            files.append((path, tmp_path / f"{index}.rdf", len([line for line in documents[(path, "nt")].body.splitlines() if line.strip()])))
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


def test_a_description_holds_incoming_links_neighbour_labels_sources_and_inferred_statements_in_their_graph(server: str) -> None:
    trig = requests.get(f"{server}/doc/event/E044.trig", timeout=30).content
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


def test_turtle_carries_the_merge_of_asserted_and_inferred_statements(server: str) -> None:
    graph = rdflib.Graph().parse(data=requests.get(f"{server}/doc/state/AUS.ttl", timeout=30).text, format="turtle")
    aus, moon = rdflib.URIRef(f"{BASE}id/state/AUS"), rdflib.URIRef(f"{BASE}id/instrument/moon")
    assert (aus, rdflib.URIRef(f"{BASE}ontology#partyTo"), moon) in graph
    assert (aus, rdflib.URIRef(f"{BASE}ontology#iso3166Alpha3"), rdflib.Literal("AUS")) in graph


def test_rdf_keeps_canonical_iris_and_never_names_the_server(server: str, documents: dict[tuple[str, str], Fetched]) -> None:
    host = urlsplit(server).netloc.encode()
    assert not [key for key, doc in documents.items() if host in doc.body or b"127.0.0.1" in doc.body]


def test_unknown_iris_get_a_404_page_for_browsers_and_plain_text_otherwise(server: str) -> None:
    for path in ("/id/state/XXX", "/doc/state/XXX", "/doc/state/XXX.ttl", "/id/nonsense", "/doc/state/USA.exe"):
        page = requests.get(server + path, headers={"Accept": BROWSER}, timeout=30)
        assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html"), path
        assert "<h1>404 Not Found</h1>" in page.text and "Content-Security-Policy" in page.headers
        plain = requests.get(server + path, timeout=30)
        assert plain.status_code == 404 and plain.headers["Content-Type"].startswith("text/plain"), path
        assert plain.text.startswith("404 Not Found:")


def test_a_type_the_server_cannot_give_is_refused_with_406(server: str) -> None:
    answer = requests.get(f"{server}/id/state/USA", headers={"Accept": "image/png"}, allow_redirects=False, timeout=30)
    assert answer.status_code == 406 and "text/turtle" in answer.text


def test_documents_carry_a_release_etag_and_answer_304_when_unchanged(server: str) -> None:
    first = requests.get(f"{server}/doc/state/FRA.ttl", timeout=30)
    assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    again = requests.get(f"{server}/doc/state/FRA.ttl", headers={"If-None-Match": first.headers["ETag"]}, timeout=30)
    assert again.status_code == 304


def test_ontology_terms_resolve_to_the_documentation_page_or_the_ontology_graph(server: str) -> None:
    page = requests.get(f"{server}/ontology", headers={"Accept": BROWSER}, timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html") and 'id="State"' in page.text
    assert "Accept" in page.headers["Vary"]
    turtle = requests.get(f"{server}/ontology", headers={"Accept": "text/turtle"}, timeout=30)
    assert turtle.headers["Content-Type"].startswith("text/turtle") and turtle.headers["Content-Location"] == "/ontology.ttl"
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert (rdflib.URIRef(f"{BASE}ontology#State"), rdflib.RDF.type, rdflib.OWL.Class) in graph
    for extension in ("ttl", "nt", "rdf"):
        answer = requests.get(f"{server}/ontology.{extension}", timeout=30)
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(EXTENSIONS[extension])


PROXY = {"X-Forwarded-Host": "example.org", "X-Forwarded-Proto": "https"}


def test_behind_a_proxy_no_link_redirect_or_rdf_term_names_the_internal_host(server: str) -> None:
    internal = urlsplit(server).netloc
    for accept, expected in [(BROWSER, "https://example.org/doc/instrument/ost"), ("text/turtle", "https://example.org/doc/instrument/ost.ttl")]:
        answer = requests.get(f"{server}/id/instrument/ost", headers={**PROXY, "Accept": accept}, allow_redirects=False, timeout=30)
        assert answer.headers["Location"] == expected
    why = "/why?s=https://w3id.org/spacekg/id/state/AUS&p=https://w3id.org/spacekg/ontology%23partyTo&o=https://w3id.org/spacekg/id/instrument/moon"
    for path in ["/", "/query", "/query?query=SELECT+%3Fs+WHERE+%7B+%3Fs+a+skg%3ATreaty+%7D", "/chronology", "/norms", "/treaties",
                 "/ontology", "/validation", "/doc/instrument/ost", "/doc/state/USA", "/browse/event", "/sparql",
                 why,
                 "/doc/instrument/ost.ttl", "/doc/instrument/ost.trig", "/doc/instrument/ost.jsonld", "/ontology.ttl", "/.well-known/void"]:
        answer = requests.get(server + path, headers={**PROXY, "Accept": BROWSER}, timeout=30)
        assert answer.status_code == 200, path
        assert internal not in answer.text and "127.0.0.1" not in answer.text and "localhost" not in answer.text, path
        assert all(internal not in value for value in answer.headers.values()), path
    share = requests.get(server + "/query?query=ASK+%7B%7D", headers={**PROXY, "Accept": BROWSER}, timeout=30).text
    assert 'value="https://example.org/query?query=ASK' in share
