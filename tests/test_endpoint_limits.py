"""The endpoint's HTTP edges and limits.

HEAD, OPTIONS and CORS; ETag and 304; `format=` over Accept; 406, 415, 413, 400 and 403 answers; SERVICE
refused and never called; the row cap; and the time limit: a runaway query is killed at the limit while
cheap queries keep being answered, and the query processes answer again right after.

Everything runs in this process through the Flask test client, over the tiny release: the session app
(`client`) for the protocol's edges, and a module app with a 5-row cap and a 2 s limit (`limited`) for
the limits. The query processes are real forked children of this process, killed at the limit, so the
time-limit tests watch them directly. One test needs a real socket: that a body far over the cap is
refused before it is read.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from conftest import app_serving
from spacekg.store.releases import Release

OST = "https://w3id.org/spacekg/id/instrument/ost"
SELECT = f"SELECT ?d WHERE {{ <{OST}> <https://w3id.org/spacekg/ontology#entryIntoForce> ?d }}"
OST_IN_FORCE = "1967-10-10"  # tests/resources/tiny/data/instruments.csv, row ost
CONSTRUCT = f"CONSTRUCT {{ <{OST}> ?p ?o }} WHERE {{ <{OST}> ?p ?o }}"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^11 rows even over the tiny release
JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
DIRECT = "application/sparql-query"
LIMIT_S = 2.0
ROW_CAP = 5
QUERY_THREADS = 3  # the limited app's query processes (one per request thread of a worker)
TRUNCATION_LINK = "urn:spacekg:result-truncated"


def _plain_error(response: TestResponse, status: int) -> str:
    """The body of an error answer, after checking it has the status and the one plain-text shape."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.mimetype == "text/plain"
    assert "Traceback" not in response.text and 'File "' not in response.text
    return response.text


@pytest.fixture(scope="module")
def max_query_bytes(app: Flask) -> int:
    """The session app's cap on a query's size (the default of Settings)."""
    return int(app.config["SPACEKG_SETTINGS"].max_query_bytes)


@pytest.fixture(scope="module")
def limited_app(built_tiny: Release) -> Iterator[Flask]:
    """The tiny release with at most 5 rows per answer, a 2 s query limit and three query processes."""
    with app_serving(built_tiny, max_result_rows=ROW_CAP, query_timeout_s=LIMIT_S, threads=QUERY_THREADS) as application:
        yield application


@pytest.fixture
def limited(limited_app: Flask) -> FlaskClient:
    return limited_app.test_client()


class Listener:
    """A TCP listener on 127.0.0.1 that nobody accepts from: any connection made to it waits in its backlog.

    The kernel completes a TCP handshake before the connection is accepted, so a SERVICE call that got
    as far as connecting is in the backlog by the time its request has been answered; `connections()`
    takes them out without waiting.
    """

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.setblocking(False)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/sparql"

    def connections(self) -> int:
        count = 0
        while True:
            try:
                connection, _ = self.socket.accept()
            except BlockingIOError:
                return count
            count += 1
            connection.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener() as running:
        yield running


# --- HEAD, OPTIONS, CORS -------------------------------------------------------------------------------

def test_a_query_is_answered_from_the_tiny_release(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT})
    assert response.status_code == 200 and response.mimetype == JSON
    assert [row["d"]["value"] for row in response.get_json()["results"]["bindings"]] == [OST_IN_FORCE]


def test_head_of_a_query_has_the_headers_of_get_and_no_body(client: FlaskClient) -> None:
    get = client.get("/sparql", query_string={"query": SELECT})
    head = client.head("/sparql", query_string={"query": SELECT})
    assert head.status_code == 200 and head.data == b""
    assert head.mimetype == JSON
    assert head.headers["ETag"] == get.headers["ETag"]
    assert int(head.headers["Content-Length"]) == len(get.data) > 0


def test_head_of_the_endpoint_describes_the_service(client: FlaskClient) -> None:
    head = client.head("/sparql", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.mimetype == "text/turtle" and head.data == b""
    assert int(head.headers["Content-Length"]) > 0


def test_a_cors_preflight_is_answered(client: FlaskClient) -> None:
    response = client.options("/sparql", headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "content-type"})
    assert 200 <= response.status_code < 300
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST"} <= methods
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "accept"} <= allowed


def test_a_cross_origin_answer_exposes_the_endpoint_headers(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Origin": "https://yasgui.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "SpaceKG-Result-Truncated"} <= exposed


def test_an_error_answer_carries_cors_headers_too(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"}, headers={"Origin": "https://yasgui.example"})
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# --- ETag and 304 --------------------------------------------------------------------------------------

def test_a_repeated_query_with_its_etag_is_a_304(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string={"query": SELECT})
    etag = first.headers["ETag"]
    again = client.get("/sparql", query_string={"query": SELECT}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    posted = client.post("/sparql", data={"query": SELECT}, headers={"If-None-Match": etag})
    assert posted.status_code == 304
    weak = client.get("/sparql", query_string={"query": SELECT}, headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304  # If-None-Match compares weakly, and takes a list


def test_the_etag_depends_on_the_query_and_the_format(client: FlaskClient) -> None:
    etag = client.get("/sparql", query_string={"query": SELECT}).headers["ETag"]
    as_xml = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": XML, "If-None-Match": etag})
    assert as_xml.status_code == 200 and as_xml.headers["ETag"] != etag
    other = client.get("/sparql", query_string={"query": SELECT + " LIMIT 1"}, headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag
    stale = client.get("/sparql", query_string={"query": SELECT}, headers={"If-None-Match": '"some-other-release-0"'})
    assert stale.status_code == 200 and stale.headers["ETag"] == etag


# --- format= and Accept ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "accept", "format_", "expected"), [
    (SELECT, XML, "csv", "text/csv"),
    (SELECT, "text/csv", "json", JSON),
    (SELECT, JSON, "tsv", "text/tab-separated-values"),
    (SELECT, "image/png", "xml", XML),  # format= also rescues an Accept that fits nothing
    (CONSTRUCT, "text/turtle", "ntriples", "application/n-triples"),
    (CONSTRUCT, "application/n-triples", "xml", "application/rdf+xml"),
    (CONSTRUCT, "text/turtle", "json", "application/ld+json"),
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_format_parameter_overrides_accept(client: FlaskClient, method: str, query: str, accept: str, format_: str, expected: str) -> None:
    fields = {"query": query, "format": format_}
    if method == "GET":
        response = client.get("/sparql", query_string=fields, headers={"Accept": accept})
    else:
        response = client.post("/sparql", data=fields, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.mimetype == expected
    assert OST_IN_FORCE in response.text  # the answer itself, not only its label


@pytest.mark.parametrize(("query", "accept"), [
    (SELECT, "image/png"),
    ("ASK {}", "text/turtle"),
    (CONSTRUCT, "text/csv"),
    (CONSTRUCT, f"{JSON}, {XML}"),
])
def test_nothing_acceptable_is_a_406(client: FlaskClient, query: str, accept: str) -> None:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert "Accept" in _plain_error(response, 406)


def test_a_client_that_accepts_only_html_gets_its_406_as_a_page(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/html"})
    assert response.status_code == 406 and response.mimetype == "text/html" and "Accept" in response.text


def test_an_unknown_format_parameter_is_a_406_naming_it_and_the_valid_ones(client: FlaskClient) -> None:
    body = _plain_error(client.get("/sparql", query_string={"query": SELECT, "format": "png"}), 406)
    assert "'png'" in body and "csv" in body


# --- what a request may carry ---------------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/xml", "application/sparql-results+json"])
def test_an_unknown_post_content_type_is_a_415(client: FlaskClient, content_type: str) -> None:
    body = _plain_error(client.post("/sparql", data=b"ASK {}", content_type=content_type), 415)
    assert content_type in body and DIRECT in body


def _padded(size: int) -> str:
    """An ASK query of exactly `size` UTF-8 bytes (padded with a comment)."""
    query = "ASK {}\n#"
    return query + "x" * (size - len(query))


@pytest.mark.parametrize("how", ["form", "direct"])
def test_a_query_over_the_size_cap_is_a_413(client: FlaskClient, max_query_bytes: int, how: str) -> None:
    query = _padded(max_query_bytes + 1)
    if how == "form":
        response = client.post("/sparql", data={"query": query})
    else:
        response = client.post("/sparql", data=query.encode(), content_type=DIRECT)
    body = _plain_error(response, 413)
    assert f"the limit is {max_query_bytes}" in body


def test_a_query_exactly_at_the_size_cap_is_answered(client: FlaskClient, max_query_bytes: int) -> None:
    response = client.post("/sparql", data=_padded(max_query_bytes).encode(), content_type=DIRECT)
    assert response.status_code == 200 and response.get_json()["boolean"] is True


@pytest.mark.server
def test_a_body_far_over_the_cap_is_refused_before_it_is_read(tiny_server: str, max_query_bytes: int) -> None:
    """Over a real socket: the request announces a body ten times the cap and sends almost none of it; the 413 must come anyway."""
    address = urlsplit(tiny_server)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall((f"POST /sparql HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Type: {DIRECT}\r\n"
                            f"Content-Length: {10 * max_query_bytes}\r\n\r\n").encode() + _padded(1000).encode())
        received = b""
        while b"\r\n\r\n" not in received:  # a server that waits for the whole body times this out (socket.timeout fails the test)
            chunk = connection.recv(4096)
            if not chunk:
                break
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    assert status_line.split(b" ")[1:2] == [b"413"], received[:500]
    assert b"Traceback" not in rest


MALFORMED = "PREFIX skg: <https://w3id.org/spacekg/ontology#>\nSELECT ?x WHERE {\n  ?x skg:entryIntoForce ?d .\n  FILTER(?d > ) }"


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_a_malformed_query_is_a_400_with_line_and_column(client: FlaskClient, how: str) -> None:
    if how == "get":
        response = client.get("/sparql", query_string={"query": MALFORMED})
    elif how == "form":
        response = client.post("/sparql", data={"query": MALFORMED})
    else:
        response = client.post("/sparql", data=MALFORMED.encode(), content_type=DIRECT)
    body = _plain_error(response, 400)
    assert "SPARQL syntax error" in body
    assert re.search(r"\bline 4, column 1[0-9]\b", body), body  # the error is on line 4, around column 15


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_timeout_that_is_not_a_positive_number_is_a_400(client: FlaskClient, value: str) -> None:
    _plain_error(client.get("/sparql", query_string={"query": "ASK {}", "timeout": value}), 400)


# --- SERVICE is refused and never called ----------------------------------------------------------------

SERVICE_QUERIES = {
    "plain": "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "lower_case": "select * where { service <{url}> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }",
    "variable_endpoint": "SELECT * WHERE { BIND(<{url}> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "in_optional": "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{url}> { ?s ?q ?v } } } LIMIT 1",
    "in_subquery": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}> { ?s ?p ?o } } } }",
    "no_space": "SELECT*WHERE{SERVICE<{url}>{?s?p?o}}",
    "after_a_comment_ended_by_cr": "SELECT * WHERE { # a comment\rSERVICE <{url}> { ?s ?p ?o } }",
    "in_ask": "ASK { SERVICE <{url}> { ?s ?p ?o } }",
    "in_construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
}
# Bypasses of the lexical SERVICE check in store/sparql_text.py, each of which made the query process call out.
SERVICE_BYPASSES = {
    "less_than_then_a_comment_with_greater_than": "SELECT * WHERE { VALUES ?z { -1 } FILTER(?z<0)SERVICE#>\n<{url}> { ?s ?p ?o } }",
    "glued_to_a_default_prefix_name": "PREFIX : <{base}> SELECT * WHERE { SERVICE:sparql { ?s ?p ?o } }",
}


def _service_query(template: str, listener: Listener) -> str:
    return template.replace("{url}", listener.url).replace("{base}", listener.url.removesuffix("sparql"))


@pytest.mark.parametrize("form", list(SERVICE_QUERIES))
def test_service_is_refused_and_never_called(client: FlaskClient, listener: Listener, form: str) -> None:
    query = _service_query(SERVICE_QUERIES[form], listener)
    for response in (client.get("/sparql", query_string={"query": query}), client.post("/sparql", data=query.encode(), content_type=DIRECT)):
        assert "SERVICE is not allowed" in _plain_error(response, 403)
    assert listener.connections() == 0


@pytest.mark.parametrize("form", list(SERVICE_BYPASSES))
def test_a_disguised_service_is_refused_and_never_called(client: FlaskClient, listener: Listener, form: str) -> None:
    response = client.post("/sparql", data=_service_query(SERVICE_BYPASSES[form], listener).encode(), content_type=DIRECT)
    assert listener.connections() == 0, f"the query process connected out ({response.status_code} {response.text[:120]!r})"
    assert "SERVICE is not allowed" in _plain_error(response, 403)


def test_the_word_service_inside_strings_iris_and_comments_is_not_refused(client: FlaskClient) -> None:
    query = 'SELECT * WHERE { ?s ?p "SERVICE" . ?s ?q <http://example.org/SERVICE> } # SERVICE <http://127.0.0.1:9/>'
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200 and set(response.get_json()["head"]["vars"]) == {"s", "p", "q"}


# --- the row cap ------------------------------------------------------------------------------------------

MANY_ROWS = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 50"


def _truncation(response: TestResponse) -> str | None:
    return response.headers.get("SpaceKG-Result-Truncated")


def test_a_select_over_the_row_cap_is_truncated_and_says_so_in_json(limited: FlaskClient) -> None:
    response = limited.get("/sparql", query_string={"query": MANY_ROWS})
    assert response.status_code == 200
    answer = response.get_json()
    assert len(answer["results"]["bindings"]) == ROW_CAP
    assert answer["head"]["link"] == [TRUNCATION_LINK]
    assert _truncation(response) == f"true; limit={ROW_CAP}"
    assert response.headers["SpaceKG-Rows"] == str(ROW_CAP)
    assert response.headers["Warning"].startswith("199 ")


def test_a_truncated_select_says_so_in_xml_csv_and_tsv(limited: FlaskClient) -> None:
    xml = limited.get("/sparql", query_string={"query": MANY_ROWS}, headers={"Accept": XML})
    assert xml.text.count("<result>") == ROW_CAP and f'<link href="{TRUNCATION_LINK}"/>' in xml.text
    for media in ("text/csv", "text/tab-separated-values"):
        response = limited.get("/sparql", query_string={"query": MANY_ROWS}, headers={"Accept": media})
        assert response.mimetype == media
        assert len(response.text.strip().splitlines()) == 1 + ROW_CAP  # header + rows
        assert _truncation(response) == f"true; limit={ROW_CAP}"


def test_a_construct_over_the_row_cap_is_truncated(limited: FlaskClient) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 50"
    response = limited.get("/sparql", query_string={"query": query}, headers={"Accept": "application/n-triples"})
    assert len(response.text.strip().splitlines()) == ROW_CAP
    assert _truncation(response) == f"true; limit={ROW_CAP}"


def test_an_answer_of_exactly_the_cap_is_not_truncated(limited: FlaskClient) -> None:
    response = limited.get("/sparql", query_string={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {ROW_CAP}"})
    answer = response.get_json()
    assert len(answer["results"]["bindings"]) == ROW_CAP
    assert "link" not in answer["head"] and _truncation(response) is None


# --- the time limit ---------------------------------------------------------------------------------------

def _timed_get(client: FlaskClient, query: str, **fields: str) -> tuple[int, str, float]:
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": query, **fields})
    return response.status_code, response.text, time.monotonic() - started


def test_a_runaway_query_is_stopped_while_cheap_queries_keep_being_answered(limited_app: Flask) -> None:
    """The measurements are printed (pytest -rP shows them)."""
    runaway: dict[str, tuple[int, str, float]] = {}
    thread = threading.Thread(target=lambda: runaway.setdefault("outcome", _timed_get(limited_app.test_client(), RUNAWAY)))
    thread.start()
    time.sleep(0.2)  # let the runaway take its query process first
    probes: list[float] = []
    cheap = limited_app.test_client()
    while thread.is_alive() and len(probes) < 1000:
        # A distinct comment per probe: a cached answer would not show that a query process answers.
        status, text, seconds = _timed_get(cheap, f"ASK {{}} # probe {len(probes)}")
        assert status == 200, text
        probes.append(seconds)
    thread.join(timeout=LIMIT_S + 20)
    assert not thread.is_alive()
    status, text, seconds = runaway["outcome"]
    print(f"runaway answered {status} after {seconds:.3f} s (limit {LIMIT_S:g} s); {len(probes)} probes meanwhile, "
          f"median {1000 * statistics.median(probes):.1f} ms, max {1000 * max(probes):.1f} ms")
    assert status == 503 and f"time limit of {LIMIT_S:g} s" in text, text
    assert LIMIT_S - 0.1 <= seconds < LIMIT_S + 2
    assert len(probes) >= 5 and max(probes) < 1.0, probes

    # Right after, every query process answers fresh queries. Idle query processes are handed out in turn, so
    # 2 x QUERY_THREADS queries one after another (and as many two at a time) reach the one that replaced the killed one.
    one_by_one = [_timed_get(cheap, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a ?c }} # after {n}") for n in range(2 * QUERY_THREADS)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        two_at_a_time = list(pool.map(lambda n: _timed_get(limited_app.test_client(), f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a ?c }} # pair {n}"),
                                      range(2 * QUERY_THREADS)))
    recovery = one_by_one + two_at_a_time
    print(f"right after: {len(recovery)} fresh queries, first {1000 * recovery[0][2]:.1f} ms, max {1000 * max(r[2] for r in recovery):.1f} ms")
    assert all(r[0] == 200 for r in recovery), recovery
    assert max(r[2] for r in recovery) < 1.0, recovery


@pytest.mark.parametrize(("asked", "effective"), [(0.5, 0.5), (60, LIMIT_S)], ids=["lower", "higher"])
def test_the_timeout_parameter_may_only_lower_the_limit(limited: FlaskClient, asked: float, effective: float) -> None:
    status, text, seconds = _timed_get(limited, RUNAWAY, timeout=str(asked))
    assert status == 503
    assert f"time limit of {effective:g} s" in text
    assert effective - 0.1 <= seconds < effective + 2


def _processes() -> dict[int, tuple[int, str, int]]:
    """pid -> (parent pid, state, CPU ticks used) of every process, from /proc."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended while we looked
        table[int(stat.parent.name)] = (int(fields[1]), fields[0], int(fields[11]) + int(fields[12]))
    return table


def _descendants(pid: int, table: dict[int, tuple[int, str, int]]) -> set[int]:
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, (parent, _, _) in table.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to watch the query processes")
def test_timed_out_queries_leave_no_process_running(limited_app: Flask) -> None:
    """The query processes are children of this process: after three runaways are stopped, none is left computing or unreaped."""
    before = _processes()
    zombies_before = {pid for pid in _descendants(os.getpid(), before) if before[pid][1] == "Z"}
    with ThreadPoolExecutor(max_workers=QUERY_THREADS) as pool:  # as many runaways as there are query processes
        outcomes = list(pool.map(lambda _: _timed_get(limited_app.test_client(), RUNAWAY), range(QUERY_THREADS)))
    assert [status for status, _, _ in outcomes] == [503] * QUERY_THREADS, outcomes

    deadline = time.monotonic() + 10  # killed processes are reaped in the background: poll, do not sleep a fixed time
    while True:
        table = _processes()
        zombies = {pid for pid in _descendants(os.getpid(), table) if table[pid][1] == "Z"} - zombies_before
        if not zombies or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not zombies, "a killed query process was not reaped"

    first = _processes()
    time.sleep(0.5)  # the window over which CPU use is measured
    second = _processes()
    ticks = os.sysconf("SC_CLK_TCK")
    busy = [pid for pid in _descendants(os.getpid(), second) if pid in first and second[pid][2] - first[pid][2] > 0.25 * ticks]
    assert busy == [], "a query process still computes after its 503"
