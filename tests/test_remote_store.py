"""A remote store: publish a release to a real Oxigraph server over the Graph Store Protocol, serve from it.

The Oxigraph server is the `oxigraph` program of the PyPI package of that name (the test extra installs
it); the tests start it on 127.0.0.1 with its own query time limit, as docs/remote-store.md advises. The
SpaceKG server reading from it is a real `spacekg serve` over the tiny release; what it answers is compared
with the in-process app over the same release in the embedded store.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from flask.testing import FlaskClient

from conftest import PROJECT, RunningServer, check_pages_render, free_port, publish_to, release_graph_sizes, serving_from_store
from spacekg.cli import main
from spacekg.pipeline import build
from spacekg.queries import CannedQuery, load_catalogue
from spacekg.settings import Settings
from spacekg.store.releases import Release
from spacekg.store.remote import ACCEPT_BY_FORM, query_form

# One worker runs both remote-store modules, one after the other: Virtuoso binds its ports seconds after they are
# chosen, and a store started meanwhile by the other module could take one of them (seen as 404s and 502s).
pytestmark = [pytest.mark.server, pytest.mark.xdist_group("remote-stores")]

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
JSON = {"Accept": "application/sparql-results+json"}
# Oxigraph's own limit, shorter than the SpaceKG server's (10 s): a query SpaceKG gave up on stops using a core soon after.
OXIGRAPH_TIMEOUT_S = "5"


class OxigraphServer:
    """`oxigraph serve` in memory on a free loopback port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen([OXIGRAPH, "serve", "--bind", f"127.0.0.1:{self.port}", "--timeout-s", OXIGRAPH_TIMEOUT_S],
                                        stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break  # it could not start (its port taken?): say so below
            try:
                if requests.get(self.url + "/query", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                    return  # this Oxigraph answered, not some other server on the port
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"oxigraph serve did not start on port {self.port} within 30 s")

    def graph_sizes(self) -> dict[str, int]:
        answer = requests.post(self.url + "/query", data={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
                               headers=JSON, timeout=30)
        answer.raise_for_status()
        return {row["g"]["value"]: int(row["n"]["value"]) for row in answer.json()["results"]["bindings"]}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="module")
def oxigraph() -> Iterator[OxigraphServer]:
    if not Path(OXIGRAPH).exists():
        pytest.skip("the Oxigraph server (`pip install oxigraph`, in the test extra) is not installed")
    running = OxigraphServer()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def published(oxigraph: OxigraphServer, built_tiny: Release) -> Release:
    return publish_to(built_tiny, oxigraph.url + "/store")


@pytest.fixture(scope="module")
def remote_server(published: Release, oxigraph: OxigraphServer) -> Iterator[str]:
    yield from serving_from_store(published, oxigraph.url + "/query")


def test_publishing_writes_every_named_graph_of_the_release(published: Release, oxigraph: OxigraphServer, tiny_store: ox.Store) -> None:
    assert oxigraph.graph_sizes() == published.manifest["graphs"] == release_graph_sizes(tiny_store)


def test_publishing_to_a_store_that_is_not_there_fails_clearly(built_tiny: Release, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--releases", str(built_tiny.path.parent), "publish", "--to", f"http://127.0.0.1:{free_port()}/store"])
    assert code == 69
    error = capsys.readouterr().err
    assert "cannot be reached" in error and "check that it is running" in error


def test_serving_from_a_store_that_holds_no_release_is_refused(built_tiny: Release) -> None:
    empty = OxigraphServer()
    try:
        with pytest.raises(RuntimeError, match="holds no SpaceKG release"):
            RunningServer("--releases", str(built_tiny.path.parent), "serve", "--store", empty.url + "/query")
    finally:
        empty.stop()


def _comparable(value: str) -> str:
    # GROUP_CONCAT joins in no defined order, and two engines need not agree on one: compare the words of a value, not their order.
    return " ".join(sorted(re.split(r"[\s,;]+", value)))


Rows = list[tuple[tuple[str, str], ...]]


def _rows(bindings: list[dict[str, dict[str, str]]]) -> Rows:
    return sorted(tuple(sorted((name, _comparable(term["value"])) for name, term in row.items())) for row in bindings)


def _answer_rows(status: int, content_type: str, text: str) -> Rows:
    """A SELECT's solutions, an ASK's boolean, or a graph's triples (lines of N-Triples), sorted."""
    assert status == 200, text
    if not content_type.startswith("application/sparql-results+json"):
        return sorted((("triple", line),) for line in text.splitlines() if line.strip())
    results = json.loads(text)
    return [(("boolean", str(results["boolean"])),)] if "boolean" in results else _rows(results["results"]["bindings"])


def _remote_rows(url: str, query: str) -> Rows:
    answer = requests.post(url + "/sparql", data={"query": query}, headers={"Accept": ACCEPT_BY_FORM[query_form(query)]}, timeout=60)
    return _answer_rows(answer.status_code, answer.headers.get("Content-Type", ""), answer.text)


def _embedded_rows(client: FlaskClient, query: str) -> Rows:
    answer = client.post("/sparql", data={"query": query}, headers={"Accept": ACCEPT_BY_FORM[query_form(query)]})
    return _answer_rows(answer.status_code, answer.headers.get("Content-Type", ""), answer.text)


def _with_defaults(query: CannedQuery) -> str:
    """The query's text with its parameters bound to their defaults by a VALUES block opening its WHERE clause, as the site runs it."""
    if not query.parameters:
        return query.text
    names = " ".join(f"?{p.name}" for p in query.parameters)
    values = " ".join(f"<{p.default}>" if p.default.startswith(("http://", "https://")) else json.dumps(p.default) for p in query.parameters)
    where = re.search(r"WHERE\s*\{", query.text, re.IGNORECASE)
    assert where, query.name
    return f"{query.text[:where.end()]} VALUES ({names}) {{ ({values}) }}{query.text[where.end():]}"


def test_every_canned_query_gives_the_same_rows_from_the_remote_store(remote_server: str, client: FlaskClient) -> None:
    catalogue = load_catalogue(PROJECT / "queries")
    compared = []
    for query in catalogue.values():  # every query form, each asked for its format (query_form reads past the comment header)
        text = _with_defaults(query)
        embedded = _embedded_rows(client, text)
        assert _remote_rows(remote_server, text) == embedded, query.name
        compared.append((query.name, len(embedded)))
    assert [name for name, _ in compared] == list(catalogue) and len(compared) == len(list((PROJECT / "queries").glob("*.rq")))
    # the tiny project gives every canned query rows with its defaults, so each comparison compares something
    assert [name for name, rows in compared if rows == 0] == []


def test_pages_render_from_the_remote_store(remote_server: str) -> None:
    check_pages_render(remote_server)
    answer = requests.get(remote_server + "/query", params={"query": "SELECT ?s WHERE { ?s a skg:Treaty } LIMIT 2"},
                          headers={"Accept": "text/html"}, timeout=60)
    assert answer.status_code == 200 and "/doc/instrument/" in answer.text


def test_linked_data_documents_come_from_the_remote_store(remote_server: str, client: FlaskClient) -> None:
    ours = requests.get(remote_server + "/doc/instrument/ost.nt", timeout=60)
    embedded = client.get("/doc/instrument/ost.nt")
    assert ours.status_code == 200 and embedded.status_code == 200
    # Blank nodes (SHACL results about the entity) cannot be followed across requests to another store.
    named = {line for line in embedded.text.splitlines() if "_:" not in line}
    assert named and named <= set(ours.text.splitlines())


def test_the_remote_server_keeps_the_endpoint_limits(remote_server: str, tiny_store: ox.Store) -> None:
    service = requests.post(remote_server + "/sparql", data={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, timeout=30)
    assert service.status_code == 403 and "SERVICE is not allowed" in service.text
    escaped = requests.post(remote_server + "/sparql", data={"query": "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
                            timeout=30)
    assert escaped.status_code in (400, 403)
    update = requests.post(remote_server + "/sparql", data={"update": "DROP ALL"}, timeout=30)
    assert update.status_code == 403
    started = time.monotonic()
    runaway = requests.post(remote_server + "/sparql", data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
                                                             "timeout": "1"}, headers=JSON, timeout=30)
    assert runaway.status_code == 503 and "did not answer within the time limit of 1 s" in runaway.text
    assert time.monotonic() - started < 5
    syntax = requests.post(remote_server + "/sparql", data={"query": "SELECT * WHERE { ?s ?p }"}, timeout=30)
    assert syntax.status_code == 400 and "syntax error" in syntax.text
    # Three copies of every triple of the tiny release are more rows than the server's default cap.
    cap = Settings().max_result_rows
    assert 3 * len(tiny_store) > cap
    capped = requests.post(remote_server + "/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o VALUES ?copy { 1 2 3 } }"}, headers=JSON, timeout=60)
    assert capped.status_code == 200 and capped.headers["SpaceKG-Result-Truncated"] == f"true; limit={cap}"
    assert len(capped.json()["results"]["bindings"]) == cap


def test_a_newly_published_release_is_picked_up(built_tiny: Release, tiny_project: Settings) -> None:
    # The first release is the session's tiny build; the second is built from a copy of the tiny project. The server's own
    # releases folder (the copy's) holds neither at first: it serves what the store names.
    store = OxigraphServer()
    try:
        assert main(["--releases", str(built_tiny.path.parent), "publish", "--to", store.url + "/store"]) == 0
        served = RunningServer("--project", str(tiny_project.project_dir), "serve", "--store", store.url + "/query", "--workers", "1")
        try:
            assert requests.get(served.url + "/health", timeout=10).json()["release"] == built_tiny.release_id
            second = build(tiny_project)
            assert second.release_id != built_tiny.release_id
            assert main(["--project", str(tiny_project.project_dir), "publish", "--to", store.url + "/store"]) == 0
            deadline, seen = time.monotonic() + 30, ""
            while time.monotonic() < deadline and seen != second.release_id:
                seen = requests.get(served.url + "/health", timeout=10).json()["release"]
                time.sleep(0.1)
            assert seen == second.release_id
        finally:
            served.stop()
    finally:
        store.stop()
