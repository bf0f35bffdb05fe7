"""The endpoint's HTTP edges and limits, against real gunicorn servers on 127.0.0.1.

HEAD, OPTIONS and CORS; ETag and 304; `format=` over Accept; 406, 415, 413, 400 and 403 answers; the
row cap; and the time limit: a runaway query is killed at the limit while cheap queries keep being
answered, and the workers answer again right after.
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

import pytest
import requests

from conftest import RunningServer
from spacekg.store.releases import Release

OST = "https://w3id.org/spacekg/id/instrument/ost"
SELECT = f"SELECT ?d WHERE {{ <{OST}> <https://w3id.org/spacekg/ontology#entryIntoForce> ?d }}"
CONSTRUCT = f"CONSTRUCT {{ <{OST}> ?p ?o }} WHERE {{ <{OST}> ?p ?o }}"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
DIRECT = {"Content-Type": "application/sparql-query"}
MAX_QUERY_BYTES = 100_000  # Settings.max_query_bytes
LIMIT_S = 2.0
ROW_CAP = 5
TRUNCATION_LINK = "urn:spacekg:result-truncated"


def _media(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").partition(";")[0]


def _plain_error(response: requests.Response, status: int) -> str:
    """The body of an error answer, after checking it has the status and the one plain-text shape."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert _media(response) == "text/plain"
    assert "Traceback" not in response.text and 'File "' not in response.text
    return response.text


# --- servers ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def limited_server(built_release: Release) -> Iterator[RunningServer]:
    """The release with a 2 s query limit and two workers."""
    running = RunningServer("--releases", str(built_release.path.parent), "serve", "--workers", "2", "--timeout", str(LIMIT_S))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def capped_server(built_release: Release) -> Iterator[str]:
    """The release with at most 5 rows per answer, set the way an operator would: SPACEKG_MAX_RESULT_ROWS."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPACEKG_MAX_RESULT_ROWS", str(ROW_CAP))
        running = RunningServer("--releases", str(built_release.path.parent), "serve", "--workers", "1")
    yield running.url
    running.stop()


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections made to it (to prove none is made)."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/sparql"
        self.connections = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()  # no answer: a SERVICE call that got here fails at once

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener() as running:
        yield running


# --- HEAD, OPTIONS, CORS -------------------------------------------------------------------------------

def test_head_of_a_query_has_the_headers_of_get_and_no_body(server: str) -> None:
    get = requests.get(server + "/sparql", params={"query": SELECT}, timeout=30)
    head = requests.head(server + "/sparql", params={"query": SELECT}, timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert _media(head) == JSON
    assert head.headers["ETag"] == get.headers["ETag"]
    assert int(head.headers["Content-Length"]) == len(get.content)


def test_head_of_the_endpoint_describes_the_service(server: str) -> None:
    head = requests.head(server + "/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    assert head.status_code == 200 and _media(head) == "text/turtle" and head.content == b""


def test_a_cors_preflight_is_answered(server: str) -> None:
    response = requests.options(server + "/sparql", headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
                                                             "Access-Control-Request-Headers": "content-type"}, timeout=30)
    assert 200 <= response.status_code < 300
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST"} <= methods
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "accept"} <= allowed


def test_a_cross_origin_answer_exposes_the_endpoint_headers(server: str) -> None:
    response = requests.get(server + "/sparql", params={"query": SELECT}, headers={"Origin": "https://yasgui.example"}, timeout=30)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "SpaceKG-Result-Truncated"} <= exposed


def test_an_error_answer_carries_cors_headers_too(server: str) -> None:
    response = requests.get(server + "/sparql", params={"query": "SELECT ?x WHERE { ?x"}, headers={"Origin": "https://yasgui.example"}, timeout=30)
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# --- ETag and 304 --------------------------------------------------------------------------------------

def test_a_repeated_query_with_its_etag_is_a_304(server: str) -> None:
    first = requests.get(server + "/sparql", params={"query": SELECT}, timeout=30)
    etag = first.headers["ETag"]
    again = requests.get(server + "/sparql", params={"query": SELECT}, headers={"If-None-Match": etag}, timeout=30)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    posted = requests.post(server + "/sparql", data={"query": SELECT}, headers={"If-None-Match": etag}, timeout=30)
    assert posted.status_code == 304
    weak = requests.get(server + "/sparql", params={"query": SELECT}, headers={"If-None-Match": f'"other", W/{etag}'}, timeout=30)
    assert weak.status_code == 304  # If-None-Match compares weakly, and takes a list


def test_the_etag_depends_on_the_query_and_the_format(server: str) -> None:
    etag = requests.get(server + "/sparql", params={"query": SELECT}, timeout=30).headers["ETag"]
    as_xml = requests.get(server + "/sparql", params={"query": SELECT}, headers={"Accept": XML, "If-None-Match": etag}, timeout=30)
    assert as_xml.status_code == 200 and as_xml.headers["ETag"] != etag
    other = requests.get(server + "/sparql", params={"query": SELECT + " LIMIT 1"}, headers={"If-None-Match": etag}, timeout=30)
    assert other.status_code == 200 and other.headers["ETag"] != etag
    stale = requests.get(server + "/sparql", params={"query": SELECT}, headers={"If-None-Match": '"some-other-release-0"'}, timeout=30)
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
def test_the_format_parameter_overrides_accept(server: str, method: str, query: str, accept: str, format_: str, expected: str) -> None:
    fields = {"query": query, "format": format_}
    if method == "GET":
        response = requests.get(server + "/sparql", params=fields, headers={"Accept": accept}, timeout=30)
    else:
        response = requests.post(server + "/sparql", data=fields, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200, response.text
    assert _media(response) == expected


@pytest.mark.parametrize(("query", "accept"), [
    (SELECT, "image/png"),
    (SELECT, "text/html"),
    ("ASK {}", "text/turtle"),
    (CONSTRUCT, "text/csv"),
    (CONSTRUCT, f"{JSON}, {XML}"),
])
def test_nothing_acceptable_is_a_406(server: str, query: str, accept: str) -> None:
    response = requests.get(server + "/sparql", params={"query": query}, headers={"Accept": accept}, timeout=30)
    if accept == "text/html":  # a client that takes only HTML gets the message as an error page
        assert response.status_code == 406 and _media(response) == "text/html" and "Accept" in response.text
        return
    assert "Accept" in _plain_error(response, 406)


def test_an_unknown_format_parameter_is_a_406(server: str) -> None:
    _plain_error(requests.get(server + "/sparql", params={"query": SELECT, "format": "png"}, timeout=30), 406)


def test_the_406_for_an_unknown_format_names_it_and_the_valid_ones(server: str) -> None:
    body = _plain_error(requests.get(server + "/sparql", params={"query": SELECT, "format": "png"}, timeout=30), 406)
    assert "'png'" in body and "csv" in body


# --- what a request may carry ---------------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/xml", "application/sparql-results+json"])
def test_an_unknown_post_content_type_is_a_415(server: str, content_type: str) -> None:
    body = _plain_error(requests.post(server + "/sparql", data=b"ASK {}", headers={"Content-Type": content_type}, timeout=30), 415)
    assert content_type in body and "application/sparql-query" in body


def _padded(size: int) -> str:
    """An ASK query of exactly `size` UTF-8 bytes (padded with a comment)."""
    query = "ASK {}\n#"
    return query + "x" * (size - len(query))


@pytest.mark.parametrize("how", ["form", "direct"])
def test_a_query_over_the_size_cap_is_a_413(server: str, how: str) -> None:
    query = _padded(MAX_QUERY_BYTES + 1)
    if how == "form":
        response = requests.post(server + "/sparql", data={"query": query}, timeout=30)
    else:
        response = requests.post(server + "/sparql", data=query.encode(), headers=DIRECT, timeout=30)
    body = _plain_error(response, 413)
    assert f"the limit is {MAX_QUERY_BYTES}" in body


def test_a_query_exactly_at_the_size_cap_is_answered(server: str) -> None:
    response = requests.post(server + "/sparql", data=_padded(MAX_QUERY_BYTES).encode(), headers=DIRECT, timeout=30)
    assert response.status_code == 200 and response.json()["boolean"] is True


def test_a_body_far_over_the_cap_is_refused_before_it_is_read(server: str) -> None:
    response = requests.post(server + "/sparql", data=_padded(10 * MAX_QUERY_BYTES).encode(), headers=DIRECT, timeout=30)
    assert response.status_code == 413
    assert "Traceback" not in response.text


MALFORMED = "PREFIX skg: <https://w3id.org/spacekg/ontology#>\nSELECT ?x WHERE {\n  ?x skg:entryIntoForce ?d .\n  FILTER(?d > ) }"


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_a_malformed_query_is_a_400_with_line_and_column(server: str, how: str) -> None:
    if how == "get":
        response = requests.get(server + "/sparql", params={"query": MALFORMED}, timeout=30)
    elif how == "form":
        response = requests.post(server + "/sparql", data={"query": MALFORMED}, timeout=30)
    else:
        response = requests.post(server + "/sparql", data=MALFORMED.encode(), headers=DIRECT, timeout=30)
    body = _plain_error(response, 400)
    assert "SPARQL syntax error" in body
    assert re.search(r"\b4:1[0-9]\b", body), body  # the error is on line 4, around column 15


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
# Bypasses of the lexical SERVICE check in web/sparql_text.py, each of which makes the server call out.
SERVICE_BYPASSES = {
    "less_than_then_a_comment_with_greater_than": "SELECT * WHERE { VALUES ?z { -1 } FILTER(?z<0)SERVICE#>\n<{url}> { ?s ?p ?o } }",
    "glued_to_a_default_prefix_name": "PREFIX : <{base}> SELECT * WHERE { SERVICE:sparql { ?s ?p ?o } }",
}


def _service_query(template: str, listener: Listener) -> str:
    return template.replace("{url}", listener.url).replace("{base}", listener.url.removesuffix("sparql"))


@pytest.mark.parametrize("form", list(SERVICE_QUERIES))
def test_service_is_refused_and_never_called(server: str, listener: Listener, form: str) -> None:
    query = _service_query(SERVICE_QUERIES[form], listener)
    for response in (requests.get(server + "/sparql", params={"query": query}, timeout=30),
                     requests.post(server + "/sparql", data=query.encode(), headers=DIRECT, timeout=30)):
        assert "SERVICE is not allowed" in _plain_error(response, 403)
    time.sleep(0.2)  # a connection attempt, had there been one, would have been accepted by now
    assert listener.connections == 0


@pytest.mark.parametrize("form", list(SERVICE_BYPASSES))
def test_a_disguised_service_is_refused_and_never_called(server: str, listener: Listener, form: str) -> None:
    response = requests.post(server + "/sparql", data=_service_query(SERVICE_BYPASSES[form], listener).encode(), headers=DIRECT, timeout=30)
    time.sleep(0.2)
    assert listener.connections == 0, f"the server connected out ({response.status_code} {response.text[:120]!r})"
    assert response.status_code == 403


def test_the_word_service_inside_strings_iris_and_comments_is_not_refused(server: str) -> None:
    query = 'SELECT * WHERE { ?s ?p "SERVICE" . ?s ?q <http://example.org/SERVICE> } # SERVICE <http://127.0.0.1:9/>'
    assert requests.get(server + "/sparql", params={"query": query}, timeout=30).status_code == 200


# --- the row cap ------------------------------------------------------------------------------------------

MANY_ROWS = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 50"


def _truncation(response: requests.Response) -> str | None:
    return response.headers.get("SpaceKG-Result-Truncated")


def test_a_select_over_the_row_cap_is_truncated_and_says_so_in_json(capped_server: str) -> None:
    response = requests.get(capped_server + "/sparql", params={"query": MANY_ROWS}, timeout=30)
    assert response.status_code == 200
    answer = response.json()
    assert len(answer["results"]["bindings"]) == ROW_CAP
    assert answer["head"]["link"] == [TRUNCATION_LINK]
    assert _truncation(response) == f"true; limit={ROW_CAP}"
    assert response.headers["SpaceKG-Rows"] == str(ROW_CAP)
    assert response.headers["Warning"].startswith("199 ")


def test_a_truncated_select_says_so_in_xml_csv_and_tsv(capped_server: str) -> None:
    xml = requests.get(capped_server + "/sparql", params={"query": MANY_ROWS}, headers={"Accept": XML}, timeout=30)
    assert xml.text.count("<result>") == ROW_CAP and f'<link href="{TRUNCATION_LINK}"/>' in xml.text
    for media in ("text/csv", "text/tab-separated-values"):
        response = requests.get(capped_server + "/sparql", params={"query": MANY_ROWS}, headers={"Accept": media}, timeout=30)
        assert len(response.text.strip().splitlines()) == 1 + ROW_CAP  # header + rows
        assert _truncation(response) == f"true; limit={ROW_CAP}"


def test_a_construct_over_the_row_cap_is_truncated(capped_server: str) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 50"
    response = requests.get(capped_server + "/sparql", params={"query": query}, headers={"Accept": "application/n-triples"}, timeout=30)
    assert len(response.text.strip().splitlines()) == ROW_CAP
    assert _truncation(response) == f"true; limit={ROW_CAP}"


def test_an_answer_of_exactly_the_cap_is_not_truncated(capped_server: str) -> None:
    response = requests.get(capped_server + "/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {ROW_CAP}"}, timeout=30)
    answer = response.json()
    assert len(answer["results"]["bindings"]) == ROW_CAP
    assert "link" not in answer["head"] and _truncation(response) is None


# --- the time limit ---------------------------------------------------------------------------------------

def _timed_get(url: str, query: str, timeout: float = 30) -> tuple[int, str, float]:
    started = time.monotonic()
    response = requests.get(url + "/sparql", params={"query": query}, timeout=timeout)
    return response.status_code, response.text, time.monotonic() - started


def test_a_runaway_query_is_stopped_while_cheap_queries_keep_being_answered(limited_server: RunningServer) -> None:
    """The measurements are printed (pytest -rP shows them)."""
    url = limited_server.url
    runaway: dict[str, tuple[int, str, float]] = {}
    thread = threading.Thread(target=lambda: runaway.setdefault("outcome", _timed_get(url, RUNAWAY, timeout=LIMIT_S + 20)))
    thread.start()
    time.sleep(0.3)  # let the runaway reach a worker first
    probes: list[float] = []
    deadline = time.monotonic() + LIMIT_S + 5
    while thread.is_alive() and len(probes) < 1000 and time.monotonic() < deadline:
        # A distinct comment per probe: a cached answer would not show that a query process answers.
        status, text, seconds = _timed_get(url, f"ASK {{}} # probe {len(probes)}", timeout=10)
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

    # Right after, both workers answer fresh queries. Each worker hands its query processes out in turn, so
    # 16 queries (two at a time, spread over both workers) also reach the process that replaced the killed one.
    with ThreadPoolExecutor(max_workers=2) as pool:
        recovery = list(pool.map(lambda n: _timed_get(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a ?c }} # after {n}", timeout=10), range(16)))
    print(f"right after: {len(recovery)} fresh queries, first {1000 * recovery[0][2]:.1f} ms, max {1000 * max(r[2] for r in recovery):.1f} ms")
    assert all(r[0] == 200 for r in recovery), recovery
    assert max(r[2] for r in recovery) < 1.0, recovery


@pytest.mark.parametrize(("asked", "effective"), [(0.5, 0.5), (60, LIMIT_S)], ids=["lower", "higher"])
def test_the_timeout_parameter_may_only_lower_the_limit(limited_server: RunningServer, asked: float, effective: float) -> None:
    started = time.monotonic()
    response = requests.get(limited_server.url + "/sparql", params={"query": RUNAWAY, "timeout": str(asked)}, timeout=LIMIT_S + 20)
    seconds = time.monotonic() - started
    assert response.status_code == 503
    assert f"time limit of {effective:g} s" in response.text
    assert effective - 0.1 <= seconds < effective + 2


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_timeout_that_is_not_a_positive_number_is_a_400(server: str, value: str) -> None:
    _plain_error(requests.get(server + "/sparql", params={"query": "ASK {}", "timeout": value}, timeout=30), 400)


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


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to watch the server's processes")
def test_timed_out_queries_leave_no_process_running(limited_server: RunningServer) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:  # three runaways at once, over both workers
        assert [r[0] for r in pool.map(lambda _: _timed_get(limited_server.url, RUNAWAY, timeout=LIMIT_S + 20), range(3))] == [503] * 3
    first = _processes()
    time.sleep(1.0)
    second = _processes()
    server = _descendants(limited_server.process.pid, second)
    assert all(second[pid][1] != "Z" for pid in server), "a killed query process was not reaped"
    ticks = os.sysconf("SC_CLK_TCK")
    busy = [pid for pid in server if pid in first and second[pid][2] - first[pid][2] > 0.5 * ticks]
    assert busy == [], "a query process still computes after its 503"
