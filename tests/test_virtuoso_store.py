"""Virtuoso Open Source as the remote store: publish the tiny release to it over its Graph Store Protocol service, serve from it.

Virtuoso is the Debian package `virtuoso-opensource` (7.2.5; scripts/install-system-packages.sh installs it). Each run
starts its own instance from a temporary folder, with an ini adapted from the package's default (loopback ports, its
own time limit, its row limit just past SpaceKG's row cap) and a publisher user made over ISQL; it is stopped by its
PID at the end. What a `spacekg serve --store` over it answers is compared with the in-process app over the same
release in the embedded store, query by query (the table is in docs/remote-store.md).
"""

from __future__ import annotations

import configparser
import json
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from conftest import ARTIFACTS, PROJECT, check_pages_render, free_port, publish_to, release_graph_sizes, serving_from_store, stop_by_pid
from spacekg.cli import main
from spacekg.errors import QueryTimeout, RemoteStoreError
from spacekg.namespaces import PREFIXES
from spacekg.queries import load_catalogue
from spacekg.settings import Settings
from spacekg.store.dialects import raise_if_stopped_early
from spacekg.store.releases import Release
from spacekg.store.remote import ACCEPT_BY_FORM, RESULTS_JSON, RemoteEndpoint, RemoteStore, query_form, request
from spacekg.web.pages.status import PERIODS, STATUS_QUERY
from test_remote_store import _comparable, _with_defaults

# One worker of a parallel run (pytest-xdist, --dist loadgroup) takes the whole module, so one Virtuoso is started.
pytestmark = [pytest.mark.server, pytest.mark.xdist_group("remote-stores")]  # with test_remote_store.py: see there

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")
DEBIAN_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
JSON = {"Accept": RESULTS_JSON}
ROW_CAP = Settings().max_result_rows
# Virtuoso's own limits. Its time limit is shorter than the SpaceKG server's (10 s), so a query SpaceKG gave up on stops
# using a core soon after; its row limit is the least that keeps SpaceKG's row cap what a client sees: the cap and the
# one row more by which SpaceKG knows that there are more.
VIRTUOSO_TIMEOUT_S = 3
VIRTUOSO_MAX_ROWS = ROW_CAP + 1
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^11 joined rows on the tiny release
ASSERTED = "https://w3id.org/spacekg/graph/asserted"
XSD = "http://www.w3.org/2001/XMLSchema#"
ID = "https://w3id.org/spacekg/id/"

# Where Virtuoso 7.2.5's SPARQL differs from the standard (and Oxigraph): each cause with a query that shows it and what
# Virtuoso answers to it (test_the_causes_still_hold checks both stores), and the canned queries it changes.
BOOLEAN_AS_INTEGER = "a comparison's or a logical operator's value is 1 or 0 (xsd:integer), not true or false (xsd:boolean)"
INTEGER_DIVISION = "integer / integer is a truncated integer (7/2 = 3), not a decimal (3.5)"
GROUP_CONCAT_DROPS_LANGUAGE = "GROUP_CONCAT of strings that share a language tag gives a plain string (Oxigraph keeps the tag)"
GROUP_CONCAT_OF_NOTHING = "GROUP_CONCAT over a group where the variable is never bound gives \"\" (Oxigraph leaves it unbound)"
CONCAT_OF_UNBOUND = "CONCAT with an unbound argument treats it as \"\" (SPARQL: an error, so the result is unbound)"
CAUSES: dict[str, tuple[str, dict[str, str]]] = {  # cause -> (probe query, Virtuoso's ?x: its JSON term)
    BOOLEAN_AS_INTEGER: ("SELECT (1 < 2 AS ?x) WHERE {}", {"type": "typed-literal", "datatype": XSD + "integer", "value": "1"}),
    INTEGER_DIVISION: ("SELECT (7 / 2 AS ?x) WHERE {}", {"type": "typed-literal", "datatype": XSD + "integer", "value": "3"}),
    GROUP_CONCAT_DROPS_LANGUAGE: ('SELECT (GROUP_CONCAT(?l; separator=", ") AS ?x) WHERE { VALUES ?l { "a"@en "b"@en } }',
                                  {"type": "literal", "value": "a, b"}),
    GROUP_CONCAT_OF_NOTHING: ('SELECT (GROUP_CONCAT(?u; separator=" ") AS ?x) WHERE { VALUES ?l { 1 } }', {"type": "literal", "value": ""}),
    CONCAT_OF_UNBOUND: ('SELECT (CONCAT("a", ?u) AS ?x) WHERE {}', {"type": "literal", "value": "a"}),
}
# Canned queries whose rows from Virtuoso differ from the embedded store's, each with why (test_each_known_difference_still_holds).
# The others avoid the causes above in standard SPARQL (docs/remote-store.md): xsd:boolean(…) around a computed flag, STR() inside
# GROUP_CONCAT, an OPTIONAL aggregate subquery where a list may be empty, IF(BOUND(…), …) before CONCAT, xsd:decimal before a division.
KNOWN_DIFFERENCES: dict[str, str] = {
    "chronology": "a transitive path with both ends bound (?subType rdfs:subClassOf+ ?eventType, in the MINUS that keeps each event's "
                  "most specific type) matches wrongly: 1 of the 11 events is kept (FILTER NOT EXISTS in place of MINUS, or the path "
                  "written another way, keeps 1 too); and " + GROUP_CONCAT_OF_NOTHING,
}
# Causes no canned query shows any more, but which a researcher's query or a page's may still meet (test_the_causes_still_hold).
AVOIDED_CAUSES = (BOOLEAN_AS_INTEGER, INTEGER_DIVISION, GROUP_CONCAT_DROPS_LANGUAGE, CONCAT_OF_UNBOUND)


def debian_ini(folder: Path, isql_port: int, http_port: int) -> Path:
    """The package's default virtuoso.ini, moved into `folder`, on loopback ports, with the limits SpaceKG needs."""
    ini = configparser.ConfigParser(strict=False, inline_comment_prefixes=(";",), interpolation=None)  # the default repeats keys
    ini.optionxform = str  # type: ignore[assignment,method-assign]  # Virtuoso's keys are case-sensitive
    ini.read(DEBIAN_INI)
    for section, name in (("Database", "virtuoso"), ("TempDatabase", "virtuoso-temp")):
        for key, suffix in (("DatabaseFile", "db"), ("TransactionFile", "trx"), ("ErrorLogFile", "log"), ("LockFile", "lck"),
                            ("xa_persistent_file", "pxa")):
            if key in ini[section]:
                ini[section][key] = str(folder / f"{name}.{suffix}")
    ini["Parameters"].update(ServerPort=f"127.0.0.1:{isql_port}", DirsAllowed=f"., {folder}")
    ini["HTTPServer"].update(ServerPort=f"127.0.0.1:{http_port}", ServerRoot=str(folder))
    ini["URIQA"]["DefaultHost"] = f"127.0.0.1:{http_port}"
    ini["SPARQL"].update(ResultSetMaxRows=str(VIRTUOSO_MAX_ROWS), MaxQueryExecutionTime=str(VIRTUOSO_TIMEOUT_S),
                         MaxQueryCostEstimationTime="0")  # 0: no refusal on the optimiser's estimate; the time limit decides
    ini.remove_section("Plugins")  # wiki hosting plugins: not needed here
    path = folder / "virtuoso.ini"
    with path.open("w", encoding="utf-8") as out:
        ini.write(out)
    return path


class VirtuosoServer:
    """`virtuoso-t +foreground` on a new database in a temporary folder, with random passwords: dba's, and a publisher's
    (a user with the SPARQL_UPDATE role, the one account the Graph Store Protocol service lets write)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="spacekg-virtuoso-"))
        self.isql_port = free_port()
        self.http_port = next(port for port in iter(free_port, None) if port != self.isql_port)
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.dba_password, self.publisher_password = secrets.token_hex(12), secrets.token_hex(12)
        ini = debian_ini(self.folder, self.isql_port, self.http_port)
        self.log = (self.folder / "console.log").open("wb")
        started = time.monotonic()
        self.process = subprocess.Popen([str(VIRTUOSO), "+foreground", "+configfile", str(ini)], cwd=self.folder,
                                        stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            self._wait_until_online(started + 60)
            self.startup_s = time.monotonic() - started
            self.isql("dba", f"DB.DBA.USER_CREATE('publisher', '{self.publisher_password}');", 'GRANT SPARQL_UPDATE TO "publisher";',
                      f"USER_SET_PASSWORD('dba', '{self.dba_password}');")
        except BaseException:
            self.stop()
            raise

    def _wait_until_online(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}: {self.console()[-2000:]}")
            try:
                if requests.get(self.url + "/sparql", params={"query": "ASK {}"}, headers=JSON, timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"virtuoso-t was not online within 60 s: {self.console()[-2000:]}")

    def isql(self, password: str, *statements: str) -> None:
        """Run SQL statements as dba over ISQL, read from its standard input (not its arguments, which any local user can list).

        ISQL exits 0 after a failed statement, so its output is checked as well.
        """
        done = subprocess.run([str(ISQL), f"127.0.0.1:{self.isql_port}", "dba", password], input="".join(f"{statement}\n" for statement in statements),
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "*** Error" not in done.stdout + done.stderr, done.stdout + done.stderr

    def console(self) -> str:
        return (self.folder / "console.log").read_text(errors="replace")

    def graph_sizes(self) -> dict[str, int]:
        answer = requests.post(self.url + "/sparql", data={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
                               headers=JSON, timeout=30)
        answer.raise_for_status()
        sizes = {row["g"]["value"]: int(row["n"]["value"]) for row in answer.json()["results"]["bindings"]}
        return {graph: size for graph, size in sizes.items() if graph.startswith("https://w3id.org/spacekg/")}  # not Virtuoso's own

    def stop(self) -> None:
        """Stop by PID: SIGTERM (Virtuoso's quick shutdown), SIGKILL if it has not exited within 30 s; then remove the folder."""
        stop_by_pid(self.process)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def virtuoso() -> Iterator[VirtuosoServer]:
    if VIRTUOSO is None or ISQL is None or not DEBIAN_INI.exists():
        pytest.skip("Virtuoso (Debian package virtuoso-opensource: virtuoso-t, isql-vt, /etc/virtuoso-opensource-7) is not installed; "
                    "scripts/install-system-packages.sh installs it")
    running = VirtuosoServer()
    print(f"\nvirtuoso-t online in {running.startup_s:.2f} s")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def graph_store(virtuoso: VirtuosoServer) -> str:
    """The Graph Store Protocol URL with the publisher's credentials (answered in HTTP Digest, which Virtuoso asks for)."""
    return f"http://publisher:{virtuoso.publisher_password}@127.0.0.1:{virtuoso.http_port}/sparql-graph-crud-auth"


@pytest.fixture(scope="module")
def published(virtuoso: VirtuosoServer, graph_store: str, built_tiny: Release) -> Release:
    return publish_to(built_tiny, graph_store)


@pytest.fixture(scope="module")
def remote_server(published: Release, virtuoso: VirtuosoServer) -> Iterator[str]:
    yield from serving_from_store(published, virtuoso.url + "/sparql")


def test_publishing_writes_every_named_graph_with_its_triple_count(published: Release, virtuoso: VirtuosoServer, tiny_store: ox.Store) -> None:
    assert virtuoso.graph_sizes() == published.manifest["graphs"] == release_graph_sizes(tiny_store)


def test_publishing_needs_the_publishers_credentials(published: Release, virtuoso: VirtuosoServer, graph_store: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    releases = str(published.path.parent)
    assert main(["--releases", releases, "publish", "--to", virtuoso.url + "/sparql-graph-crud-auth"]) == 69
    assert "asks for a user and password" in capsys.readouterr().err
    wrong = f"http://publisher:not-{virtuoso.publisher_password}@127.0.0.1:{virtuoso.http_port}/sparql-graph-crud-auth"
    assert main(["--releases", releases, "publish", "--to", wrong]) == 69
    assert "refused the user 'publisher'" in capsys.readouterr().err
    # The service without authentication stays read-only: the recipe never grants the anonymous SPARQL user SPARQL_UPDATE.
    anonymous = requests.put(virtuoso.url + "/sparql-graph-crud", params={"graph": ASSERTED}, data=b"", headers={"Content-Type": "application/n-triples"},
                             timeout=30)
    assert anonymous.status_code == 403
    assert virtuoso.graph_sizes() == published.manifest["graphs"]
    # Publishing again replaces each graph (PUT), and what it prints leaves the password out.
    assert main(["--releases", releases, "publish", "--to", graph_store]) == 0
    printed = capsys.readouterr().out
    assert f"to {virtuoso.url}/sparql-graph-crud-auth;" in printed and virtuoso.publisher_password not in printed
    assert virtuoso.graph_sizes() == published.manifest["graphs"]


Term = tuple[str, str, str, str]  # kind, value (words sorted), datatype, language
Rows = list[tuple[tuple[str, Term], ...]]
Answers = dict[str, tuple[Rows, Rows]]  # canned query name -> (rows embedded, rows from Virtuoso)


def _term(term: dict[str, str]) -> Term:
    # SPARQL 1.0's "typed-literal" (which Virtuoso writes) and 1.1's "literal" with a datatype are the same term.
    kind = "literal" if term["type"] == "typed-literal" else term["type"]
    return kind, _comparable(term["value"]), term.get("datatype", ""), term.get("xml:lang", "").lower()


def _rows(answer: requests.Response | TestResponse) -> Rows:
    """The answer's rows, sorted: a SELECT's solutions, an ASK's boolean, or a graph's triples (lines of N-Triples)."""
    assert answer.status_code == 200, answer.text
    if not answer.headers["Content-Type"].startswith(RESULTS_JSON):
        return sorted((("triple", ("", line, "", "")),) for line in answer.text.splitlines() if line.strip())
    results = json.loads(answer.text)
    if "boolean" in results:
        return [(("boolean", ("", str(results["boolean"]), "", "")),)]
    return sorted(tuple(sorted((name, _term(term)) for name, term in row.items())) for row in results["results"]["bindings"])


def _canned_answers(remote_server: str, client: FlaskClient) -> Answers:
    """Every canned query with its parameters' defaults: (rows embedded, rows from Virtuoso), terms with their datatypes."""
    answers: Answers = {}
    for query in load_catalogue(PROJECT / "queries").values():
        text, accept = _with_defaults(query), {"Accept": ACCEPT_BY_FORM[query_form(query.text)]}
        embedded = client.post("/sparql", data={"query": text}, headers=accept)
        answers[query.name] = (_rows(embedded), _rows(_from_virtuoso(remote_server, text, accept)))
    return answers


def _from_virtuoso(remote_server: str, text: str, accept: dict[str, str]) -> requests.Response:
    """The answer through SpaceKG, asked once more after a 502 or 503: this compares rows, and on the loaded 2-core machine
    Virtuoso 7.2.5 has twice (in ~10 runs beside other modules) let one of these 0.1 s queries answer 404 for /sparql or not
    at all within 10 s. A second failure fails the test; SpaceKG itself never retries (docs/remote-store.md)."""
    answer = requests.post(remote_server + "/sparql", data={"query": text}, headers=accept, timeout=60)
    if answer.status_code in (502, 503):
        time.sleep(1)
        answer = requests.post(remote_server + "/sparql", data={"query": text}, headers=accept, timeout=60)
    return answer


@pytest.fixture(scope="module")
def canned_answers(remote_server: str, app: Flask) -> Answers:
    answers = _canned_answers(remote_server, app.test_client())
    lines = ["| query | rows embedded | rows Virtuoso | equal |", "|---|---|---|---|"]
    lines += [f"| {name} | {len(embedded)} | {len(remote)} | {'yes' if embedded == remote else 'no: ' + KNOWN_DIFFERENCES.get(name, '?')} |"
              for name, (embedded, remote) in sorted(answers.items())]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "virtuoso-comparison.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n" + "\n".join(lines))
    return answers


def test_every_canned_query_gives_the_same_rows_from_virtuoso(canned_answers: Answers) -> None:
    assert len(canned_answers) == len(list((PROJECT / "queries").glob("*.rq")))  # none left out
    compared = {name: rows for name, rows in canned_answers.items() if name not in KNOWN_DIFFERENCES}
    assert len(compared) >= 10
    assert [name for name, (embedded, remote) in compared.items() if embedded != remote] == []
    # the tiny project gives every canned query rows with its defaults, so each comparison compares something
    assert [name for name, (embedded, _) in compared.items() if not embedded] == []


def test_each_known_difference_still_holds(canned_answers: Answers) -> None:
    assert set(KNOWN_DIFFERENCES) <= set(canned_answers)
    assert [name for name in KNOWN_DIFFERENCES if canned_answers[name][0] == canned_answers[name][1]] == []


@pytest.mark.parametrize("cause", list(CAUSES))
def test_the_causes_still_hold(cause: str, virtuoso: VirtuosoServer) -> None:
    query, virtuosos = CAUSES[cause]
    answer = requests.post(virtuoso.url + "/sparql", data={"query": query}, headers=JSON, timeout=30)
    assert answer.status_code == 200 and answer.json()["results"]["bindings"] == [{"x": virtuosos}]
    standard = ox.Store().query(query)  # Oxigraph, the embedded store's engine, on no data
    assert isinstance(standard, ox.QuerySolutions)
    assert [row["x"] for row in standard] != [_oxigraph_term(virtuosos)]
    assert cause in AVOIDED_CAUSES or any(cause in reason for reason in KNOWN_DIFFERENCES.values()), "a cause no canned query shows any more"


def _oxigraph_term(term: dict[str, str]) -> ox.Literal:
    if "datatype" in term:
        return ox.Literal(term["value"], datatype=ox.NamedNode(term["datatype"]))
    return ox.Literal(term["value"], language=term["xml:lang"]) if "xml:lang" in term else ox.Literal(term["value"])


def test_pages_render_from_virtuoso(remote_server: str, client: FlaskClient) -> None:
    check_pages_render(remote_server)
    ours = requests.get(remote_server + "/doc/instrument/ost.nt", timeout=60)
    embedded = client.get("/doc/instrument/ost.nt")
    assert ours.status_code == 200 and embedded.status_code == 200
    # Blank nodes (SHACL results about the entity) cannot be followed across requests to another store.
    named = {line for line in embedded.text.splitlines() if "_:" not in line}
    assert named and named <= set(ours.text.splitlines())


def test_the_status_queries_flag_contested_statuses_as_booleans_from_virtuoso(published: Release, virtuoso: VirtuosoServer) -> None:
    """The pages' status queries compute ?contested; cast with xsd:boolean, Virtuoso gives it as a boolean, not 1/0 (BOOLEAN_AS_INTEGER).

    The tiny release has no contested status, so the flag is forced by binding ?flag to true before the status queries run."""
    store = RemoteStore(RemoteEndpoint(virtuoso.url + "/sparql"), list(published.manifest["graphs"]), 30)
    for text in (PERIODS, load_catalogue(PROJECT / "queries")[STATUS_QUERY].text):
        forced = text.replace("OPTIONAL { ?assessment skg:contested ?flag }", "VALUES ?flag { true }")
        assert forced != text
        result = store.query(forced, prefixes=PREFIXES, substitutions={ox.Variable("instrument"): ox.NamedNode(f"{ID}instrument/ost"),
                                                                       ox.Variable("date"): ox.Literal("current")},
                             use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        flags = {row["contested"] for row in result if row["until"] is None}
        assert flags == {ox.Literal(True)}, flags


def test_service_and_updates_are_refused_and_change_nothing(remote_server: str, published: Release, virtuoso: VirtuosoServer) -> None:
    service = requests.post(remote_server + "/sparql", data={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, timeout=30)
    assert service.status_code == 403 and "SERVICE is not allowed" in service.text
    update = f"DROP GRAPH <{ASSERTED}>"
    as_form = requests.post(remote_server + "/sparql", data={"update": update}, timeout=30)
    assert as_form.status_code == 403 and "read-only" in as_form.text
    direct = requests.post(remote_server + "/sparql", data=update.encode(), headers={"Content-Type": "application/sparql-update"}, timeout=30)
    assert 400 <= direct.status_code < 500
    hidden = requests.post(remote_server + "/sparql", data={"query": update}, timeout=30)
    assert 400 <= hidden.status_code < 500
    assert virtuoso.graph_sizes() == published.manifest["graphs"]


def test_a_slow_query_is_a_503_within_the_limit_and_never_partial_rows(remote_server: str) -> None:
    started = time.monotonic()
    runaway = requests.post(remote_server + "/sparql", data={"query": SLOW, "timeout": "1"}, headers=JSON, timeout=30)
    assert runaway.status_code == 503 and "did not answer within the time limit of 1 s" in runaway.text
    assert time.monotonic() - started < 5
    # Given longer than Virtuoso's own limit, the query is stopped there, and Virtuoso's error (SQLSTATE S1T00) is a timeout too.
    started = time.monotonic()
    stopped = requests.post(remote_server + "/sparql", data={"query": SLOW, "timeout": "8"}, headers=JSON, timeout=30)
    assert stopped.status_code == 503 and "stopped the query at its own time limit" in stopped.text  # Virtuoso's, not SpaceKG's
    # Virtuoso's clock is loose: it stopped this query after 2.1 s once (CI, 2026-12-03) and near its 3 s limit otherwise.
    assert time.monotonic() - started < 8


def test_virtuosos_partial_answer_at_its_time_limit_is_a_timeout(published: Release, virtuoso: VirtuosoServer) -> None:
    """An "anytime" query (Virtuoso's `timeout` parameter, which SpaceKG never sends) ends in partial rows with HTTP 200 and
    X-SQL-State: S1TAT, or, on a loaded machine, cancelled (a 500 naming HY008); the exchange reads either as a timeout."""
    endpoint = RemoteEndpoint(virtuoso.url + "/sparql")
    fields = [("query", SLOW), ("default-graph-uri", ASSERTED), ("timeout", "1000")]
    raw = requests.post(endpoint.url, data=fields, headers=JSON, timeout=30)
    partial = raw.status_code == 200 and raw.headers.get("X-SQL-State") == "S1TAT"
    assert partial or (raw.status_code == 500 and "HY008" in raw.text), (raw.status_code, raw.headers, raw.text[:300])
    # The very answer Virtuoso gave, read as the exchange reads it: partial rows are never an answer.
    with pytest.raises(QueryTimeout, match="rows found so far" if partial else "cancelled the query before it finished"):
        raise_if_stopped_early(raw.status_code, raw.headers, raw.content)
    with pytest.raises(QueryTimeout, match="rows found so far|cancelled the query before it finished"):
        request(endpoint, "POST", timeout_s=30, fields=fields, headers=JSON)


@pytest.mark.parametrize(("status", "sql_state", "body", "meaning"), [
    (200, "S1TAT", b'{"results": {"bindings": []}}', "rows found so far"),
    (206, "", b'{"results": {"bindings": []}}', "rows found so far"),
    (500, "", b"Virtuoso S1T00 Error SR171: Transaction timed out", "stopped the query at its own time limit"),
    (500, "", b"Virtuoso HY008 Error SR203: Async statement killed by SQLCancel.", "cancelled the query before it finished"),
    (500, "", b"Virtuoso 42000 Error SR186: No permission to execute procedure", None),  # an error, not a stop: RemoteStoreError
    (200, "", b'{"results": {"bindings": []}}', None),
])
def test_each_way_virtuoso_says_it_stopped_a_query_early_is_a_timeout(status: int, sql_state: str, body: bytes, meaning: str | None) -> None:
    headers = {"X-SQL-State": sql_state} if sql_state else {}
    if meaning is None:
        raise_if_stopped_early(status, headers, body)
    else:
        with pytest.raises(QueryTimeout, match=meaning):
            raise_if_stopped_early(status, headers, body)


def test_the_row_cap_is_spacekgs_and_a_store_that_cuts_answers_shorter_is_refused(remote_server: str, published: Release,
                                                                                     virtuoso: VirtuosoServer, tiny_store: ox.Store) -> None:
    # Three copies of every triple of the tiny release are more rows than the cap, and than Virtuoso's ResultSetMaxRows.
    assert 3 * len(tiny_store) > VIRTUOSO_MAX_ROWS
    everything = "SELECT * WHERE { ?s ?p ?o VALUES ?copy { 1 2 3 } }"
    capped = requests.post(remote_server + "/sparql", data={"query": everything}, headers=JSON, timeout=60)
    assert capped.status_code == 200 and capped.headers["SpaceKG-Result-Truncated"] == f"true; limit={ROW_CAP}"
    assert len(capped.json()["results"]["bindings"]) == ROW_CAP
    # Virtuoso did cut that answer (X-SPARQL-MaxRows), one row past the cap: the least that leaves the cap to SpaceKG.
    direct = requests.post(virtuoso.url + "/sparql", data={"query": everything, "default-graph-uri": ASSERTED}, headers=JSON, timeout=60)
    assert direct.headers["X-SPARQL-MaxRows"] == str(VIRTUOSO_MAX_ROWS)
    # A store that cuts answers before the cap (here by Virtuoso's maxrows parameter, which ResultSetMaxRows also sets) is an error.
    graphs = list(published.manifest["graphs"])
    cutting = RemoteEndpoint(virtuoso.url + "/sparql?maxrows=50")
    with pytest.raises(RemoteStoreError, match="cut its answer at 50 rows"):
        RemoteStore(cutting, graphs, 30, rows_read=ROW_CAP + 1).query("SELECT * WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    with pytest.raises(RemoteStoreError, match="cut its answer at 50 rows"):
        RemoteStore(cutting, graphs, 30).query("SELECT * WHERE { ?s ?p ?o }", use_default_graph_as_union=True)  # a page reads all rows
    within = RemoteStore(cutting, graphs, 30, rows_read=50).query("SELECT * WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    assert isinstance(within, ox.QuerySolutions) and len(list(within)) == 50


def test_the_named_graphs_are_found_although_virtuoso_leaves_graph_unbound_on_an_empty_pattern(published: Release,
                                                                                               virtuoso: VirtuosoServer) -> None:
    raw = requests.post(virtuoso.url + "/sparql", data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"}, headers=JSON, timeout=30)
    assert raw.json()["results"]["bindings"] == [{}]  # the reason for the second query in RemoteStore.named_graphs
    store = RemoteStore(RemoteEndpoint(virtuoso.url + "/sparql"), (), 30)
    assert {graph.value for graph in store.named_graphs()} >= set(published.manifest["graphs"])


def test_every_published_triple_comes_back_as_it_was(remote_server: str, client: FlaskClient, published: Release) -> None:
    """Term by term, through CONSTRUCT (Virtuoso writes those as results JSON when asked for that first; SpaceKG asks for N-Triples).

    Virtuoso writes literals in canonical form (5 for "05", en-gb for en-GB): the tiny release's are already canonical.
    """
    for graph in published.manifest["graphs"]:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        ours = requests.post(remote_server + "/sparql", data={"query": query}, headers={"Accept": "application/n-triples"}, timeout=60)
        embedded = client.post("/sparql", data={"query": query}, headers={"Accept": "application/n-triples"})
        assert ours.status_code == 200 and ours.headers["Content-Type"].startswith("application/n-triples")
        assert "SpaceKG-Result-Truncated" not in embedded.headers
        # Blank nodes are named anew in each answer; the validation graph's results are blank nodes, so its count is compared.
        named = {line for line in embedded.text.splitlines() if "_:" not in line}
        assert {line for line in ours.text.splitlines() if "_:" not in line} == named, graph
        assert len(ours.text.splitlines()) == len(embedded.text.splitlines()) == published.manifest["graphs"][graph], graph


def test_virtuoso_starts_within_seconds(virtuoso: VirtuosoServer) -> None:
    # Measured 3.0-5.2 s on the 2-core machine (a new database, other work running); the bound only catches a configuration that crawls.
    assert virtuoso.startup_s < 30
    assert re.search(r"HTTP(/WebDAV)? server online at 127\.0\.0\.1:\d+", virtuoso.console())


def test_the_instance_keeps_no_default_password(virtuoso: VirtuosoServer) -> None:
    virtuoso.isql(virtuoso.dba_password, "SELECT 1;")
    with pytest.raises(AssertionError, match="Bad login"):
        virtuoso.isql("dba", "SELECT 1;")  # a new database's dba password, changed when the instance was made
    with pytest.raises(AssertionError, match="Error"):
        virtuoso.isql(virtuoso.dba_password, "SELECT no_such_function();")  # a failed statement is seen, although ISQL exits 0
