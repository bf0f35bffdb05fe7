"""Fuzzing the endpoint: whatever a client sends, the app answers it without failing.

Hypothesis generates requests to /sparql and to the cheap pages (/query, /id/…, /doc/…): random and
mutated real query text (queries/*.rq), unicode, SPARQL \\u escapes, NUL bytes, huge and odd numbers;
the protocol's parameters with odd values, repeated and unknown ones; Content-Types with odd charsets;
malformed Accept headers; invalid UTF-8 in bodies and in the URL's percent-encoding; bodies from
empty to over the size limit. The bulk goes through the Flask test client to the whole app over the
tiny release, in this process (its query processes are real forked children, with a 1 s limit).

A small part goes to a real `spacekg serve` (granian) on 127.0.0.1 as raw bytes, for what only exists on
the wire and the test client cannot send: bytes that are not allowed in a request line, control characters
and line folding in headers, odd Content-Length and Transfer-Encoding framing, request lines and headers
over the server's limits. What granian's HTTP layer refuses before the app sees it (a malformed request line,
header or chunk) is a 4xx with no body, which is allowed there.

What an answer may be:
- any 2xx, 3xx or 4xx; a 4xx body must name the problem (see PROBLEM_WORDS);
- of the 5xx, only 503 for a query stopped at the time limit (its body says "time limit"); any other
  5xx is a bug;
- no body may show a Python traceback: neither "Traceback (most recent call last)" nor a frame line
  'File "…", line N' (a bare 'File "' is not enough: the Turtle of an entity has skg:sourceFile "…"),
  unless the request itself carried that text and the answer echoes it (the query page shows its query);
- a HEAD answer has no body, so only its status is judged.
After each test the log must hold no traceback either: a query process that dies shows the client only
a 400, but it leaves its traceback on standard error, and a 500 leaves one in the app's log. In process,
that is this process's standard error (captured, and inherited by the query processes, which are forked
afresh for each test) and its log records; on the wire, the server's standard error.

Each test prints how many requests it sent (pytest -rP shows it).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote_from_bytes

import pytest
import requests
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PROJECT, RunningServer, app_settings
from spacekg.store.releases import Release
from spacekg.web import create_app

LIMIT_S = 1.0  # the fuzzed app's query limit: a generated runaway costs at most this
MAX_QUERY_BYTES = 100_000  # Settings.max_query_bytes (the fuzzed app runs with the default)
BASE = "https://w3id.org/spacekg/"
GRAPHS = [f"{BASE}graph/{name}" for name in ("ontology", "asserted", "inferred", "meta", "validation")]
CANNED = sorted(path.read_text(encoding="utf-8") for path in (PROJECT / "queries").glob("*.rq"))
# Examples per test are a budget (400 and 200 cost this module ~45 s of the suite's eight minutes); with no example
# database every run draws new ones, so the runs of every commit together search further than any one of them.
FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
WIRE = settings(FUZZ, max_examples=100)

# Words of which a 4xx/503 body must contain at least one (case-insensitive), by status. A status that is
# not listed fails the test, so that every new kind of refusal is looked at once.
PROBLEM_WORDS: dict[int, tuple[str, ...]] = {
    400: ("sparql", "query", "timeout", "graph", "iri", "bad request", "parameter", "request line", "header", "body"),
    403: ("not allowed",),
    404: ("not found", "no entity"),
    405: ("method not allowed",),
    406: ("accept", "format"),
    413: ("limit", "too large"),
    414: ("too long", "too large"),
    415: ("content-type", "charset", "utf-8"),
    431: ("header",),
    503: ("time limit",),
}
TRACE_MARKERS = (re.compile(r"Traceback \(most recent call last\)"), re.compile(r'File "[^"\n]*", line \d+'))


@dataclass(frozen=True)
class Probe:
    """One HTTP request: method, request target, headers and body."""

    method: str
    target: str  # path and query string, already percent-encoded (possibly badly, on purpose)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def sent_text(self) -> str:
        return self.target + " ".join(self.headers.values()) + self.body.decode("utf-8", "replace")

    def describe(self) -> str:
        return f"{self.method} {self.target[:300]!r} headers={self.headers!r} body={self.body[:300]!r}"


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    text: str


def judge(probe: Probe, answer: Answer) -> None:
    """Fail unless `answer` is an allowed answer to `probe` (see the module's docstring)."""
    where = probe.describe()
    sent = probe.sent_text()
    for marker in TRACE_MARKERS:
        assert not marker.search(answer.text) or marker.search(sent), f"a traceback in the answer to {where}:\n{answer.text[:2000]}"
    if answer.status >= 500:
        assert answer.status == 503 and "time limit" in answer.text, f"{answer.status} for {where}:\n{answer.text[:2000]}"
    if answer.status >= 400 and probe.method != "HEAD":
        words = PROBLEM_WORDS.get(answer.status)
        assert words is not None, f"unexpected status {answer.status} for {where}:\n{answer.text[:2000]}"
        assert any(word in answer.text.lower() for word in words), (
            f"the {answer.status} does not name the problem (none of {words}) for {where}:\n{answer.text[:2000]}")


# --- in process: the app, its client and its logs ----------------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_app(built_tiny: Release) -> Iterator[Flask]:
    """The whole app over the tiny release with a 1 s query limit, as it runs in production (not in testing mode)."""
    application = create_app(app_settings(built_tiny, query_timeout_s=LIMIT_S, threads=2))
    yield application
    application.config["SPACEKG_FOLLOWER"].served.runner.close()


@pytest.fixture
def fuzz(fuzz_app: Flask, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[Probe], None]]:
    """Send a probe to the app and judge the answer; after the test, no traceback on standard error nor in the log."""
    # The query processes started so far write to an earlier test's standard error: stop them, so that the
    # ones this test forks inherit its captured standard error and a dying one's traceback is seen here.
    fuzz_app.config["SPACEKG_FOLLOWER"].served.runner.close()
    client = fuzz_app.test_client()
    statuses: Counter[int] = Counter()

    def check(probe: Probe) -> None:
        response = client.open(probe.target, method=probe.method, headers=probe.headers, data=probe.body or None)
        statuses[response.status_code] += 1
        judge(probe, Answer(response.status_code, response.headers.get("content-type", ""), response.get_data().decode("utf-8", "replace")))

    yield check
    logged = capfd.readouterr().err + "\n" + caplog.text
    print(f"{statuses.total()} generated requests sent in process; answers by status: {dict(sorted(statuses.items()))}")
    found = logged.find("Traceback")
    assert found < 0, "a traceback was logged:\n" + logged[max(0, found - 400):found + 3000]


# --- what is generated ------------------------------------------------------------------------------------

def _encode(text: str) -> bytes:
    # Lone surrogates survive as CESU-style bytes: one more way to be invalid UTF-8.
    return text.encode("utf-8", "surrogatepass")


def _percent(raw: bytes) -> str:
    return quote_from_bytes(raw, safe="")


odd_numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e999999", "-0", "0x10", "9" * 400, "1.", ".5e-400", "NaN", "INF", "1_000", "٣", "", " 7 "]),
)
escapes = st.one_of(
    st.text("0123456789abcdefABCDEFxyz", min_size=0, max_size=4).map(lambda h: "\\u" + h),
    st.text("0123456789abcdefABCDEFxyz", min_size=0, max_size=8).map(lambda h: "\\U" + h),
    st.sampled_from(["\\uD800", "\\uDFFF", "\\U0010FFFF", "\\U00110000", "\\UFFFFFFFF", "\\u0000", "\\u003E", "\\u0020SERVICE"]),
)
fragments = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
    escapes, odd_numbers,
    st.sampled_from(["\x00", "{", "}", "<", ">", '"', "'''", "#", "?", "$", ":", "SERVICE", "INSERT DATA", "LOAD", "FROM",
                     "FILTER(", "OPTIONAL {", "LIMIT ", "OFFSET ", "\r", "\n", "\ufeff", "\u2028", "^^xsd:integer", "@en-"]),
)


@st.composite
def mutated_canned(draw: st.DrawFn) -> str:
    """A real query of the catalogue with a few fragments inserted, deleted or replaced."""
    text = draw(st.sampled_from(CANNED))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 20))
        text = text[:at] + draw(fragments) + text[at + cut:]
    return text


numeric_queries = odd_numbers.flatmap(lambda n: st.sampled_from([
    f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {n}",
    f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT 3 OFFSET {n}",
    f"SELECT ?o WHERE {{ ?s ?p ?o FILTER(?o > {n}) }} LIMIT 5",
    f"SELECT ({n} AS ?x) ({n} * {n} AS ?y) ({n} / 0 AS ?z) {{}}",
    f'ASK {{ FILTER("{n}"^^xsd:integer = {n}) }}',
    f'SELECT (SUBSTR("abc", {n}, {n}) AS ?x) (STRDT("{n}", xsd:dateTime) AS ?d) {{}}',
]))
queries = st.one_of(
    st.text(max_size=200),
    st.text(st.characters(codec="utf-8"), max_size=200),
    mutated_canned(),
    st.sampled_from(CANNED),
    numeric_queries,
    st.lists(fragments, max_size=12).map("".join),
    st.lists(fragments, max_size=6).map(lambda parts: "SELECT * WHERE { ?s ?p " + "".join(parts) + " } LIMIT 3"),
)
# Latin-1 without controls, stripped: what an HTTP/1.1 client library puts in a header.
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60).map(str.strip)
media_types = st.sampled_from(["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                               "text/tab-separated-values", "text/turtle", "application/n-triples", "application/rdf+xml",
                               "application/ld+json", "text/html", "application/json", "*/*", "text/*", "*/json", "*",
                               "", "/", "a/b/c", "image/png"])
q_values = st.one_of(odd_numbers.map(lambda n: f";q={n}"), st.sampled_from(["", ";q", ";q=", ";Q=0.5", ";q=1;q=0", ";level=1",
                                                                            "; q = 0.3", ";;", ";q=\"0.5\""]))
accept_headers = st.one_of(
    st.lists(st.tuples(media_types, q_values).map("".join), min_size=1, max_size=6).map(", ".join),
    header_text,
).map(lambda header: header.encode("latin-1", "replace").decode("latin-1").strip())  # what HTTP/1.1 clients can put on the wire
content_types = st.tuples(
    st.sampled_from(["application/sparql-query", "application/x-www-form-urlencoded", "application/sparql-update",
                     "multipart/form-data", "text/plain", "application/json", "APPLICATION/SPARQL-QUERY", "", "application/",
                     "application/sparql-query; application/x-www-form-urlencoded"]),
    st.sampled_from(["", "; charset=utf-8", "; charset=UTF8", '; charset="utf-8"', "; charset=latin-1", "; charset=",
                     "; charset=utf-16", "; charset", ";;charset=utf-8", "; boundary=x", "; charset=utf-8; charset=ascii",
                     "; charset=\x00", "; charset=\u00e9"]),
    header_text,
).map(lambda parts: (parts[0] + parts[1] if not parts[2] or len(parts[2]) % 3 else parts[2]).strip())
parameter_names = st.sampled_from(["query", "timeout", "format", "default-graph-uri", "named-graph-uri", "update", "graph",
                                   "using-graph-uri", "Query", "query[]", "", "x", "format\x00"])
parameter_values = st.one_of(
    odd_numbers,
    st.sampled_from(["json", "xml", "csv", "tsv", "turtle", "jsonld", "application/sparql-results+json", "text/html", "JSON",
                     *GRAPHS, f"{BASE}graph/none", "relative", "not an iri", "<bad>", "http://", "urn:x", "_:b0", ""]),
    st.text(max_size=30),
)


def _query_string(pairs: list[tuple[bytes, bytes]]) -> str:
    return "&".join(f"{_percent(name)}={_percent(value)}" for name, value in pairs)


@st.composite
def query_probes(draw: st.DrawFn) -> Probe:
    """A query sent by GET, by POST form or by POST direct, as the protocol allows."""
    query = _encode(draw(queries))
    how = draw(st.sampled_from(["get", "form", "direct"]))
    if how == "get":
        return Probe("GET", "/sparql?" + _query_string([(b"query", query)]))
    if how == "form":
        return Probe("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, _query_string([(b"query", query)]).encode())
    return Probe("POST", "/sparql", {"Content-Type": "application/sparql-query"}, query)


CHEAP = "SELECT ?s WHERE { ?s a ?c } LIMIT 2"


@st.composite
def parameter_probes(draw: st.DrawFn) -> Probe:
    """A cheap (or empty) query with the protocol's parameters given odd values, repeated or unknown."""
    pairs: list[tuple[bytes, bytes]] = []
    if draw(st.booleans()):
        pairs.append((b"query", draw(st.sampled_from([CHEAP, "ASK {}", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2",
                                                       "SELECT * FROM <urn:x> WHERE { ?s ?p ?o } LIMIT 2", ""])).encode()))
    for name, value in draw(st.lists(st.tuples(parameter_names, parameter_values), max_size=6)):
        pairs.append((_encode(name), _encode(value)))
    pairs = draw(st.permutations(pairs))
    if draw(st.booleans()):
        return Probe("GET", "/sparql?" + _query_string(pairs), {"Accept": draw(accept_headers)})
    return Probe("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, _query_string(pairs).encode())


@st.composite
def content_type_probes(draw: st.DrawFn) -> Probe:
    """A POST whose Content-Type (and charset) may not fit its body."""
    query = draw(st.sampled_from([CHEAP, "ASK {}", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", ""]))
    body = draw(st.sampled_from([query.encode(), ("query=" + _percent(query.encode())).encode(), b"update=" + _percent(query.encode()).encode(),
                                 b"--x\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\nASK {}\r\n--x--\r\n"]))
    headers = {"Content-Type": draw(content_types)}
    if not headers["Content-Type"]:
        headers = {}
    return Probe("POST", "/sparql" + draw(st.sampled_from(["", "?query=ASK%20%7B%7D", "?timeout=1"])), headers, body)


@st.composite
def accept_probes(draw: st.DrawFn) -> Probe:
    """An Accept header, malformed or not, on a query, the service description, an entity or its document."""
    target = draw(st.sampled_from(["/sparql?query=" + _percent(CHEAP.encode()), "/sparql?query=" + _percent(b"CONSTRUCT WHERE { ?s a ?c } LIMIT 2"),
                                   "/sparql?query=ASK%7B%7D", "/sparql", "/id/state/USA", "/doc/state/USA", "/doc/state/USA.ttl",
                                   "/id/instrument/ost", "/query?query=ASK%7B%7D", "/.well-known/void"]))
    return Probe(draw(st.sampled_from(["GET", "HEAD"])), target, {"Accept": draw(accept_headers)})


raw_bytes = st.one_of(st.binary(max_size=40), st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                                                               b"\xe2\x82", b"\xc0\xaf", b"\x00", b"\xef\xbb\xbf"]))
broken_escapes = st.sampled_from(["%", "%f", "%zz", "%%", "%u00e9", "%G0", "%2", "+", "%00"])


@st.composite
def encoding_probes(draw: st.DrawFn) -> Probe:
    """Invalid UTF-8 (and broken %-escapes) in the URL, in a form body or in a direct body."""
    query = draw(st.sampled_from([b"ASK {}", CHEAP.encode(), b"SELECT ?x WHERE { BIND(\"", b""]))
    junk = draw(raw_bytes)
    spliced = query[: len(query) // 2] + junk + query[len(query) // 2:]
    how = draw(st.sampled_from(["url", "broken-url", "form", "direct", "page", "entity"]))
    if how == "url":
        return Probe("GET", "/sparql?query=" + _percent(spliced))
    if how == "broken-url":
        return Probe("GET", "/sparql?query=" + _percent(query) + draw(broken_escapes) + _percent(junk))
    if how == "form":
        return Probe("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, b"query=" + _percent(spliced).encode())
    if how == "direct":
        return Probe("POST", "/sparql", {"Content-Type": "application/sparql-query"}, spliced)
    if how == "page":
        return Probe("GET", "/query?query=" + _percent(spliced) + draw(st.sampled_from(["", "&graph=" + _percent(junk)])))
    return Probe("GET", draw(st.sampled_from(["/id/", "/doc/"])) + "state/" + _percent(junk) + draw(st.sampled_from(["", "%zz", "%"])))


@st.composite
def sized_probes(draw: st.DrawFn) -> Probe:
    """A query padded to a size around the limits: empty, at the query cap, just over it, far over the body cap."""
    size = draw(st.sampled_from([0, 1, 7, MAX_QUERY_BYTES - 1, MAX_QUERY_BYTES, MAX_QUERY_BYTES + 1, 4 * MAX_QUERY_BYTES,
                                 4 * MAX_QUERY_BYTES + 1, 10 * MAX_QUERY_BYTES]))
    pad = draw(st.sampled_from(["x", "é", "\x00", " "]))
    query = "ASK {}\n#"
    text = (query + pad * size)[:size] if size < len(query) else query + pad * ((size - len(query)) // len(pad.encode()))
    how = draw(st.sampled_from(["form", "direct", "get"]))
    if how == "get":
        return Probe("GET", "/sparql?query=" + _percent(text.encode()[:9000]))  # a long GET: the first 9,000 bytes
    if how == "form":
        return Probe("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, b"query=" + _percent(text.encode()).encode())
    return Probe("POST", "/sparql", {"Content-Type": "application/sparql-query"}, text.encode())


entity_paths = st.one_of(
    st.sampled_from(["state/USA", "state/usa", "state/", "", "instrument/ost", "event/E044", "../etc/passwd", "state/USA.ttl",
                     "state/USA.nope", "state/USA.", ".ttl", "state/USA/extra", "a" * 3000]),
    st.text(max_size=40).map(lambda t: _percent(_encode(t))),
)


@st.composite
def page_probes(draw: st.DrawFn) -> Probe:
    """The pages that are cheap to ask: the query page with any query, and entity IRIs and documents."""
    kind = draw(st.sampled_from(["query", "id", "doc"]))
    headers = {"Accept": draw(st.one_of(st.just("text/html"), accept_headers))}
    if kind == "query":
        pairs = [(b"query", _encode(draw(queries)))]
        if draw(st.booleans()):
            pairs.append((b"graph", _encode(draw(st.sampled_from([*GRAPHS, "not a graph", ""])))))
        return Probe("GET", "/query?" + _query_string(pairs), headers)
    return Probe("GET", f"/{kind}/" + draw(entity_paths), headers)


# --- the tests, in process --------------------------------------------------------------------------------

def test_any_query_text_sent_any_way_is_answered_without_a_server_error(fuzz: Callable[[Probe], None]) -> None:
    @FUZZ
    @given(probe=query_probes())
    def run(probe: Probe) -> None:
        fuzz(probe)

    run()


def test_any_protocol_parameters_are_answered_without_a_server_error(fuzz: Callable[[Probe], None]) -> None:
    @FUZZ
    @given(probe=parameter_probes())
    def run(probe: Probe) -> None:
        fuzz(probe)

    run()


def test_any_content_type_and_charset_is_answered_without_a_server_error(fuzz: Callable[[Probe], None]) -> None:
    @FUZZ
    @given(probe=content_type_probes())
    def run(probe: Probe) -> None:
        fuzz(probe)

    run()


def test_any_accept_header_is_answered_without_a_server_error(fuzz: Callable[[Probe], None]) -> None:
    @FUZZ
    @given(probe=accept_probes())
    def run(probe: Probe) -> None:
        fuzz(probe)

    run()


def test_invalid_utf8_and_broken_escapes_are_answered_without_a_server_error(fuzz: Callable[[Probe], None]) -> None:
    @FUZZ
    @given(probe=encoding_probes())
    def run(probe: Probe) -> None:
        fuzz(probe)

    run()


def test_bodies_from_empty_to_over_the_limit_are_answered_without_a_server_error(fuzz: Callable[[Probe], None]) -> None:
    @settings(FUZZ, max_examples=60)
    @given(probe=sized_probes())
    def run(probe: Probe) -> None:
        fuzz(probe)

    run()


def test_the_query_page_and_entity_pages_answer_anything_without_a_server_error(fuzz: Callable[[Probe], None]) -> None:
    @FUZZ
    @given(probe=page_probes())
    def run(probe: Probe) -> None:
        fuzz(probe)

    run()


# --- regressions found by fuzzing -------------------------------------------------------------------------

def test_a_timeout_of_nan_is_a_400_not_a_server_error(fuzz_app: Flask) -> None:
    # float("nan") parsed, passed "<= 0" and reached the pipe's poll(), which raised: a 500.
    answer = fuzz_app.test_client().get("/sparql?query=ASK%20%7B%7D&timeout=nan")
    assert answer.status_code == 400 and "timeout 'nan' is not a number of seconds" in answer.text, answer.text


def test_an_escape_beyond_the_last_code_point_is_a_syntax_error_not_a_server_error(fuzz_app: Flask) -> None:
    # The lexical update check applied \UFFFFFFFF with chr(), which raised OverflowError: a 500.
    answer = fuzz_app.test_client().post("/sparql", data=b"ASK { \\UFFFFFFFF }", content_type="application/sparql-query")
    assert answer.status_code == 400 and "SPARQL syntax error" in answer.text, answer.text


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("value", ["not an iri", "relative", "<bad>"])
def test_a_graph_parameter_that_is_not_an_iri_is_a_400_naming_it(fuzz_app: Flask, parameter: str, value: str) -> None:
    # Such a value used to kill the query process (ox.NamedNode raised in the child), answered as a
    # misleading "the query process ended unexpectedly" with a traceback in the log.
    answer = fuzz_app.test_client().get(f"/sparql?query=ASK%20%7B%7D&{parameter}={_percent(value.encode())}")
    assert answer.status_code == 400, answer.text
    assert f"{parameter} {value!r} is not an absolute IRI" in answer.text, answer.text


# --- on the wire: raw bytes to a real server -----------------------------------------------------------------

@pytest.fixture(scope="module")
def wire_server(built_tiny: Release) -> Iterator[RunningServer]:
    """The tiny release served by one worker (1 s query limit), started here because its log is read."""
    running = RunningServer("--releases", str(built_tiny.path.parent), "serve", "--workers", "1", "--timeout", str(LIMIT_S))
    yield running
    running.stop()


def _log(running: RunningServer) -> str:
    """What the server has written to standard error so far (read without moving the file's shared offset)."""
    descriptor = running.stderr_file.fileno()
    return os.pread(descriptor, os.fstat(descriptor).st_size, 0).decode(errors="replace")


@pytest.fixture
def wire(wire_server: RunningServer) -> Iterator[Callable[[bytes], None]]:
    """Send raw request bytes to the server and judge the answer; after the test, no traceback in the server's log."""
    start = len(_log(wire_server))
    statuses: Counter[int] = Counter()

    def check(request: bytes, complete: bool = True) -> None:
        statuses[judge_raw(request, send_raw(wire_server, request, complete), complete)] += 1

    yield check
    print(f"{statuses.total()} generated requests sent on the wire; answers by status: {dict(sorted(statuses.items()))}")
    assert_no_traceback_since(wire_server, start)
    assert requests.get(wire_server.url + "/health", timeout=10).ok


def assert_no_traceback_since(running: RunningServer, start: int) -> None:
    written = _log(running)[start:]
    found = written.find("Traceback")
    assert found < 0, "the server logged a traceback:\n" + written[max(0, found - 400):found + 3000]


def send_raw(running: RunningServer, request: bytes, complete: bool = True) -> bytes:
    """Write `request` to a fresh connection and read everything the server answers.

    A request that is not `complete` (a body shorter than its Content-Length, a chunk cut short) is ended by closing
    the sending side, not by waiting for the server's body time-out. granian takes that half-close for the client
    leaving (it has no half-close mode), so such a request may get no answer at all, which is fine: it was never sent
    whole. A complete request keeps the connection open both ways until the answer is read.
    """
    with socket.create_connection(("127.0.0.1", running.port), timeout=LIMIT_S + 15) as connection:
        connection.sendall(request)
        if not complete:
            with contextlib.suppress(OSError):  # the server may have answered and closed already (a request line over the limit)
                connection.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def judge_raw(request: bytes, received: bytes, complete: bool = True) -> int:
    """Judge a raw answer as `judge` does (its status line, headers and body), and return its status (0: none, allowed
    for a request that was not sent whole)."""
    if not received and not complete:
        return 0
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    match = re.fullmatch(r"HTTP/1\.[01] (\d{3}) .*", status_line)
    assert match, f"no HTTP answer to {request[:400]!r}: {received[:400]!r}"
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in header_lines)}
    text = request.decode("latin-1")
    probe = Probe(text.partition(" ")[0], text, {}, b"")  # the whole request as sent: what an echo in the answer may repeat
    answer = Answer(int(match.group(1)), headers.get("content-type", ""), body.decode("utf-8", "replace"))
    if 400 <= answer.status < 500 and headers.get("content-length") == "0" and "server" not in headers:
        return answer.status  # granian's HTTP layer refused it before the app was called (no body, no Server header)
    judge(probe, answer)
    return answer.status


# Bytes a client library would never put in a request line or a header, but a socket can.
wire_junk = st.one_of(st.binary(max_size=24), st.sampled_from([b" ", b"\t", b"\x00", b"\x7f", b"\xff", b"\xc3\x28", b"%", b"%zz", b"%c3%28",
                                                               b"#", b"?", b"\r", b"\n", b"HTTP/1.1", b"\\", b"..", b"//", b"*"]))
header_names = st.sampled_from([b"Accept", b"Content-Type", b"Content-Length", b"Transfer-Encoding", b"Host", b"Origin", b"If-None-Match",
                                b"X-Forwarded-Host", b"X-Forwarded-Proto", b"X-Forwarded-Prefix", b"X-Forwarded-Port", b"X-Forwarded-For",
                                b"Expect", b"Range", b"Connection", b"Accept-Encoding", b"Content-Encoding"])
header_values = st.sampled_from([b"", b" ", b"text/csv", b"application/sparql-query", b"*/*;q=\xff", b"-1", b"0", b"99999999999999999999", b"abc",
                                 b"chunked", b"gzip", b"100-continue", b"keep-alive", b"https", b"example.org:0", b"/prefix", b"\xe9t\xe9",
                                 b"bytes=0-1", b'"etag", W/"x"', b"\x00", b"a\r\n folded"])


def _sometimes(draw: st.DrawFn, chance: int) -> bool:
    """True about once in `chance` draws, so that most requests stay close enough to valid to reach the app."""
    return bool(draw(st.sampled_from(range(chance))) == 1)


@st.composite
def wire_requests(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A request as raw bytes, and whether it was sent whole: odd method, target, version, header lines and framing
    (Connection: close is always added)."""
    method = b"GET"
    if _sometimes(draw, 4):
        method = draw(st.sampled_from([b"POST", b"HEAD", b"OPTIONS", b"PUT", b"get", b"G\x00T", b"", b"PROPFIND"]))
    path = draw(st.sampled_from([b"/sparql", b"/sparql", b"/sparql", b"/query", b"/id/state/USA", b"/doc/state/", b"/sparql/", b"*", b"",
                                 b"http://127.0.0.1/sparql", b"/health"]))
    query = draw(st.sampled_from([b"", b"?query=ASK%20%7B%7D", b"?query=" + _percent(CHEAP.encode()).encode()]))
    if _sometimes(draw, 5):
        query = b"?query=ASK" + b"".join(draw(st.lists(wire_junk, min_size=1, max_size=4)))
    target = path + query
    if _sometimes(draw, 40):
        target += b"x" * 8200  # a long request line (gunicorn refused these at 8 KB; granian reads up to ~400 KB)
    version = b"HTTP/1.1"
    if _sometimes(draw, 8):
        version = draw(st.sampled_from([b"HTTP/1.0", b"HTTP/2", b"HTTP/1.1 x", b"", b"http/1.1"]))
    lines = [method + b" " + target + (b" " + version if version else b"")]
    if not _sometimes(draw, 8):
        lines.append(b"Host: 127.0.0.1")
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.binary(min_size=1, max_size=12)) if _sometimes(draw, 10) else draw(header_names)
        lines.append(name + b": " + (draw(st.binary(max_size=40)) if _sometimes(draw, 4) else draw(header_values)))
    if _sometimes(draw, 8):
        lines.append(draw(st.sampled_from([b"no colon", b" leading: space", b"Name : v", b"\tfolded", b": empty name", b"X-Long: " + b"y" * 9000])))
    body = draw(st.one_of(st.just(b""), st.sampled_from([b"ASK {}", b"query=ASK%20%7B%7D", b"update=LOAD%20%3Curn%3Ax%3E"]), st.binary(max_size=60)))
    framing = draw(st.sampled_from(["length", "length", "short", "chunked", "none"]))
    complete = framing != "short"
    if framing == "length":
        lines.append(b"Content-Length: %d" % len(body))
    elif framing == "short":  # announces more than it sends; the connection's end cuts it
        lines.append(b"Content-Length: %d" % (len(body) + draw(st.integers(1, 1000))))
    elif framing == "chunked":
        lines.append(b"Transfer-Encoding: chunked")
        if _sometimes(draw, 3):  # a malformed chunk: a size that is not hex, too small, or a body cut mid-chunk
            body = draw(st.sampled_from([b"zz\r\n", b"-6\r\n", b"3\r\n", b"%x\r\n" % (len(body) + 5)])) + body
            complete = False  # cut short or malformed: whether the server answers before it sees the end is a race
        else:
            body = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body, complete


@pytest.mark.server
def test_raw_requests_on_the_wire_are_answered_without_a_server_error(wire: Callable[[bytes], None]) -> None:
    """Over a real socket: the request line, header lines and body framing are bytes the test client cannot send."""
    @WIRE
    @given(request=wire_requests())
    def run(request: tuple[bytes, bool]) -> None:
        wire(*request)

    run()


@pytest.mark.server
@pytest.mark.parametrize(("body", "complete"), [(b"zz\r\nASK {}\r\n0\r\n\r\n", True), (b"-6\r\nASK {}\r\n0\r\n\r\n", True),
                                               (b"3\r\nASK {}\r\n0\r\n\r\n", True), (b"6\r\nASK {}", False)],
                         ids=["size-not-hex", "size-negative", "size-too-small", "cut-mid-chunk"])
def test_a_malformed_chunked_body_is_a_400_not_a_server_error(wire_server: RunningServer, body: bytes, complete: bool) -> None:
    start = len(_log(wire_server))
    request = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n"
               b"Connection: close\r\n\r\n" + body)
    received = send_raw(wire_server, request, complete)
    assert_no_traceback_since(wire_server, start)  # checked here, not in a fixture's teardown, so that the expected failure is the test's
    assert judge_raw(request, received, complete) in ((400,) if complete else (0, 400))
