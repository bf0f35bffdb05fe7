"""Third-party SPARQL clients and RDF parsers against a running release server.

SPARQLWrapper (Python), Apache Jena's `rsparql` (Java) and Raptor's `rapper` (C) each read what the
endpoint sends, over a real socket: the session's `tiny_server` (`spacekg serve` over the tiny release). A client
whose tool is not installed is skipped, with the command that installs it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
import rdflib
import requests
from rdflib import XSD, Literal, URIRef

from conftest import SHARED
from spacekg.store.releases import Release

pytestmark = pytest.mark.server

# tiny data/instruments.csv: the Outer Space Treaty entered into force on 1967-10-10
OST = "https://w3id.org/spacekg/id/instrument/ost"
ENTRY_INTO_FORCE = "https://w3id.org/spacekg/ontology#entryIntoForce"
SELECT = f"SELECT ?d WHERE {{ <{OST}> <{ENTRY_INTO_FORCE}> ?d }}"
ASK_TRUE = f'ASK {{ <{OST}> <{ENTRY_INTO_FORCE}> "1967-10-10"^^<{XSD}date> }}'
ASK_FALSE = f'ASK {{ <{OST}> <{ENTRY_INTO_FORCE}> "1066-10-14"^^<{XSD}date> }}'
CONSTRUCT = f"CONSTRUCT {{ <{OST}> ?p ?o }} WHERE {{ <{OST}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{OST}>"
EXPECTED_TRIPLE = (URIRef(OST), URIRef(ENTRY_INTO_FORCE), Literal("1967-10-10", datatype=XSD.date))
SRX = "{http://www.w3.org/2005/sparql-results#}"
# SPARQLWrapper's RDF conversion (and rdflib's JSON-LD parser) use rdflib's deprecated ConjunctiveGraph;
# the warnings are about those libraries, not about what the server sent.
RDFLIB_DEPRECATIONS = ("ignore:ConjunctiveGraph is deprecated:DeprecationWarning", "ignore:Dataset.default_context is deprecated:DeprecationWarning")


def tolerates_rdflib_deprecations(test: Callable[..., None]) -> Callable[..., None]:
    for warning in RDFLIB_DEPRECATIONS:
        test = pytest.mark.filterwarnings(warning)(test)
    return test


def _server_triples(server: str, query: str) -> set[tuple[rdflib.term.Node, ...]]:
    response = requests.get(server + "/sparql", params={"query": query}, headers={"Accept": "application/n-triples"}, timeout=30)
    assert response.status_code == 200
    return set(rdflib.Graph().parse(data=response.text, format="nt"))


# --- SPARQLWrapper --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sparqlwrapper() -> ModuleType:
    return pytest.importorskip("SPARQLWrapper", reason="SPARQLWrapper is not installed (pip install -e '.[test]')")


def _wrapper_result(module: ModuleType, server: str, query: str, return_format: str, method: str = "GET",
                    only_conneg: bool = False) -> object:
    wrapper = module.SPARQLWrapper(server + "/sparql")
    wrapper.setQuery(query)
    wrapper.setReturnFormat(return_format)
    wrapper.setMethod(method)
    wrapper.setOnlyConneg(only_conneg)
    wrapper.setTimeout(30)
    result = wrapper.query()
    try:
        return result.convert()
    finally:
        result.response.close()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_reads_a_select_answer_in_json(sparqlwrapper: ModuleType, tiny_server: str, method: str) -> None:
    answer = _wrapper_result(sparqlwrapper, tiny_server, SELECT, sparqlwrapper.JSON, method)
    assert isinstance(answer, dict)
    assert answer["results"]["bindings"] == [{"d": {"type": "literal", "value": "1967-10-10", "datatype": f"{XSD}date"}}]


def test_sparqlwrapper_reads_a_select_answer_in_xml(sparqlwrapper: ModuleType, tiny_server: str) -> None:
    document = _wrapper_result(sparqlwrapper, tiny_server, SELECT, sparqlwrapper.XML)
    literals = document.getElementsByTagName("literal")  # type: ignore[attr-defined]
    assert [(node.firstChild.data, node.getAttribute("datatype")) for node in literals] == [("1967-10-10", f"{XSD}date")]


def test_sparqlwrapper_reads_a_select_answer_in_csv(sparqlwrapper: ModuleType, tiny_server: str) -> None:
    answer = _wrapper_result(sparqlwrapper, tiny_server, SELECT, sparqlwrapper.CSV)
    assert isinstance(answer, bytes)
    assert list(csv.reader(io.StringIO(answer.decode()))) == [["d"], ["1967-10-10"]]


@pytest.mark.parametrize(("query", "expected"), [(ASK_TRUE, True), (ASK_FALSE, False)], ids=["true", "false"])
def test_sparqlwrapper_reads_an_ask_answer(sparqlwrapper: ModuleType, tiny_server: str, query: str, expected: bool) -> None:
    for return_format in (sparqlwrapper.JSON, sparqlwrapper.XML):
        answer = _wrapper_result(sparqlwrapper, tiny_server, query, return_format)
        value = answer["boolean"] if isinstance(answer, dict) else answer.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[attr-defined]
        assert value is expected


def test_sparqlwrapper_reads_a_construct_answer_as_turtle(sparqlwrapper: ModuleType, tiny_server: str) -> None:
    answer = _wrapper_result(sparqlwrapper, tiny_server, CONSTRUCT, sparqlwrapper.TURTLE)
    assert isinstance(answer, bytes)
    graph = rdflib.Graph().parse(data=answer.decode(), format="turtle")
    assert EXPECTED_TRIPLE in graph
    assert set(graph) == _server_triples(tiny_server, CONSTRUCT)


@tolerates_rdflib_deprecations
def test_sparqlwrapper_reads_a_construct_answer_as_rdf_xml_by_content_negotiation(sparqlwrapper: ModuleType, tiny_server: str) -> None:
    graph = _wrapper_result(sparqlwrapper, tiny_server, CONSTRUCT, sparqlwrapper.RDFXML, only_conneg=True)
    assert isinstance(graph, rdflib.Graph)
    assert set(graph) == _server_triples(tiny_server, CONSTRUCT)


@tolerates_rdflib_deprecations
def test_sparqlwrapper_reads_a_construct_answer_as_rdf_xml_with_its_default_settings(sparqlwrapper: ModuleType, tiny_server: str) -> None:
    graph = _wrapper_result(sparqlwrapper, tiny_server, CONSTRUCT, sparqlwrapper.RDFXML)
    assert isinstance(graph, rdflib.Graph) and EXPECTED_TRIPLE in graph


@tolerates_rdflib_deprecations
def test_sparqlwrapper_reads_a_construct_answer_as_json_ld_with_its_default_settings(sparqlwrapper: ModuleType, tiny_server: str) -> None:
    graph = _wrapper_result(sparqlwrapper, tiny_server, CONSTRUCT, sparqlwrapper.JSONLD)
    assert isinstance(graph, rdflib.Graph) and EXPECTED_TRIPLE in graph


# --- Apache Jena rsparql ----------------------------------------------------------------------------------

JENA_INSTALL = "apt-get install libapache-jena-java (classpath: ../shared/tools/jena-classpath.sh)"
# The endpoint's own format (forced by ?format=) crossed with Jena's output format: Jena parses each of
# the endpoint's result formats and writes it again.
JENA_SELECTS = [("json", "JSON", "1967-10-10"), ("xml", "XML", "1967-10-10"), ("csv", "CSV", "1967-10-10"),
                ("tsv", "TSV", f'"1967-10-10"^^<{XSD}date>'), ("xml", "TSV", f'"1967-10-10"^^<{XSD}date>')]
JENA_ASK_FORMATS = ["json", "xml"]
# Not JSON-LD: Debian's Jena 4.5 cannot read any JSON-LD document (even one triple): LOADING_DOCUMENT_FAILED.
JENA_GRAPH_FORMATS = ["turtle", "ntriples", "rdfxml"]
JenaJob = tuple[str, str, str, tuple[str, ...]]  # path on the server, query, --results, other options


def _jena_jobs() -> list[JenaJob]:
    """Every rsparql run the tests below read."""
    jobs: list[JenaJob] = [(f"/sparql?format={served}", SELECT, results, ()) for served, results, _ in JENA_SELECTS]
    jobs.append(("/sparql", SELECT, "JSON", ("--post",)))
    for served in JENA_ASK_FORMATS:
        jobs += [(f"/sparql?format={served}", ASK_TRUE, "JSON", ()), (f"/sparql?format={served}", ASK_FALSE, "XML", ())]
    jobs += [(f"/sparql?format={served}", query, "N-TRIPLES", ()) for served in JENA_GRAPH_FORMATS for query in (CONSTRUCT, DESCRIBE)]
    return jobs


# Jena's `arq.rsparql` command, run once per line of jobs.tsv in one JVM: a JVM start-up per run (1.5-5 s on the
# 2-core machine) would dominate this module. Each run gets its own standard output, standard error and exit code.
RUN_RSPARQL = """
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.List;

public class RunRsparql {
    public static void main(String[] argv) throws Exception {
        Path folder = Paths.get(argv[0]);
        List<String> jobs = Files.readAllLines(folder.resolve("jobs.tsv"), StandardCharsets.UTF_8);
        PrintStream out = System.out, err = System.err;
        for (int i = 0; i < jobs.size(); i++) {
            ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
            System.setOut(new PrintStream(stdout, true, "UTF-8"));
            System.setErr(new PrintStream(stderr, true, "UTF-8"));
            int code;
            try {
                code = new arq.rsparql(jobs.get(i).split("\t")).mainRun(false, false);
            } catch (Throwable thrown) {
                thrown.printStackTrace();
                code = 99;
            }
            System.out.flush();
            System.err.flush();
            System.setOut(out);
            System.setErr(err);
            Files.write(folder.resolve(i + ".out"), stdout.toByteArray());
            Files.write(folder.resolve(i + ".err"), stderr.toByteArray());
            Files.write(folder.resolve(i + ".code"), String.valueOf(code).getBytes(StandardCharsets.UTF_8));
        }
    }
}
"""
RunJena = Callable[..., str]


@pytest.fixture(scope="module")
def rsparql(tiny_server: str, tmp_path_factory: pytest.TempPathFactory) -> RunJena:
    """`arq.rsparql --service URL --query FILE --results FORMAT` for every job of `_jena_jobs()`, run once; returns a job's standard output."""
    script = SHARED / "tools" / "jena-classpath.sh"
    if shutil.which("java") is None or not Path("/usr/share/java/jena-core.jar").is_file() or not script.is_file():
        pytest.skip(f"Apache Jena is not installed: {JENA_INSTALL}")
    folder = tmp_path_factory.mktemp("jena")
    classpath = subprocess.run(["bash", str(script)], capture_output=True, text=True, check=True, timeout=120,
                               env={**os.environ, "JENA_FIX_DIR": str(folder)}).stdout.strip()
    jobs = _jena_jobs()
    queries = {query: folder / f"query{index}.rq" for index, query in enumerate(dict.fromkeys(query for _, query, _, _ in jobs))}
    for query, query_file in queries.items():
        query_file.write_text(query, encoding="utf-8")
    (folder / "jobs.tsv").write_text("".join("\t".join(["--service", tiny_server + path, "--query", str(queries[query]), "--results", results,
                                                         *options]) + "\n" for path, query, results, options in jobs), encoding="utf-8")
    (folder / "RunRsparql.java").write_text(RUN_RSPARQL, encoding="utf-8")
    # Tiered compilation level 1 halves the JVM start-up.
    done = subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-cp", classpath, str(folder / "RunRsparql.java"), str(folder)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    answers = {job: ((folder / f"{index}.code").read_text(), (folder / f"{index}.out").read_text(encoding="utf-8"),
                     (folder / f"{index}.err").read_text(encoding="utf-8")) for index, job in enumerate(jobs)}

    def run(path: str, query: str, results: str, *options: str) -> str:
        code, stdout, stderr = answers[(path, query, results, options)]
        assert code == "0", stderr
        for log in (stderr, done.stderr):
            assert "ERROR" not in log and "Exception" not in log, log
        return stdout

    return run


def _jena_select_values(output: str, results: str) -> list[str]:
    if results == "JSON":
        return [row["d"]["value"] for row in json.loads(output)["results"]["bindings"]]
    if results == "XML":
        return [node.text or "" for node in ET.fromstring(output).iter(SRX + "literal")]
    if results == "CSV":
        rows = list(csv.reader(io.StringIO(output)))
        assert rows[0] == ["d"]
        return [row[0] for row in rows[1:]]
    lines = output.strip().split("\n")
    assert lines[0] == "?d"
    return lines[1:]


@pytest.mark.parametrize(("served", "results", "expected"), JENA_SELECTS)
def test_jena_reads_a_select_answer(rsparql: RunJena, served: str, results: str, expected: str) -> None:
    output = rsparql(f"/sparql?format={served}", SELECT, results)
    assert _jena_select_values(output, results) == [expected]


def test_jena_reads_a_select_answer_over_post(rsparql: RunJena) -> None:
    output = rsparql("/sparql", SELECT, "JSON", "--post")
    assert _jena_select_values(output, "JSON") == ["1967-10-10"]


@pytest.mark.parametrize("served", JENA_ASK_FORMATS)
def test_jena_reads_an_ask_answer(rsparql: RunJena, served: str) -> None:
    assert json.loads(rsparql(f"/sparql?format={served}", ASK_TRUE, "JSON"))["boolean"] is True
    assert "<boolean>false</boolean>" in rsparql(f"/sparql?format={served}", ASK_FALSE, "XML")


@pytest.mark.parametrize("served", JENA_GRAPH_FORMATS)
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_jena_reads_a_graph_answer(rsparql: RunJena, tiny_server: str, served: str, query: str) -> None:
    output = rsparql(f"/sparql?format={served}", query, "N-TRIPLES")
    graph = rdflib.Graph().parse(data=output, format="nt")
    assert EXPECTED_TRIPLE in graph
    assert set(graph) == _server_triples(tiny_server, query)


# --- Raptor rapper ----------------------------------------------------------------------------------------

RAPPER_FORMATS = {"text/turtle": "turtle", "application/n-triples": "ntriples", "application/rdf+xml": "rdfxml"}
GRAPH_DOCUMENTS = {  # name -> (path, query or None)
    "construct": ("/sparql", CONSTRUCT),
    "describe": ("/sparql", DESCRIBE),
    "service-description": ("/sparql", None),
    "void": ("/.well-known/void", None),
}


def _rapper_count(rapper: str, document: Path, syntax: str, base: str) -> int:
    """Parse with rapper, insisting on no error and no warning; the number of triples (or quads) it read."""
    done = subprocess.run([rapper, "--count", "--input", syntax, str(document), base], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    complaints = [line for line in done.stderr.splitlines() if "error" in line.lower() or "warning" in line.lower()]
    assert not complaints, "\n".join(complaints[:20])
    (count,) = [int(line.split()[3]) for line in done.stderr.splitlines() if line.startswith("rapper: Parsing returned")]
    return count


@pytest.mark.parametrize("media_type", list(RAPPER_FORMATS))
@pytest.mark.parametrize("name", list(GRAPH_DOCUMENTS))
def test_rapper_parses_every_graph_the_server_writes(rapper: str, tiny_server: str, tmp_path: Path, name: str, media_type: str) -> None:
    path, query = GRAPH_DOCUMENTS[name]
    response = requests.get(tiny_server + path, params={"query": query} if query else None, headers={"Accept": media_type}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].partition(";")[0] == media_type
    document = tmp_path / "answer"
    document.write_bytes(response.content)
    count = _rapper_count(rapper, document, RAPPER_FORMATS[media_type], tiny_server + path)
    if query:
        assert count == int(response.headers["SpaceKG-Rows"]) > 0
    else:
        assert count == len(rdflib.Graph().parse(data=response.content, format={"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml"}[
            RAPPER_FORMATS[media_type]])) > 0


@pytest.mark.parametrize(("dump", "syntax"), [("spacekg.nq", "nquads"), ("spacekg.trig", "trig"), ("spacekg.ttl", "turtle")])
def test_rapper_parses_the_dumps(rapper: str, tiny_server: str, built_tiny: Release, tmp_path: Path, dump: str, syntax: str) -> None:
    """The JSON-LD dump is not here: Raptor has no JSON-LD parser (rdflib reads it in test_build)."""
    response = requests.get(f"{tiny_server}/dumps/{dump}", timeout=60)
    assert response.status_code == 200
    document = tmp_path / dump
    document.write_bytes(response.content)
    count = _rapper_count(rapper, document, syntax, f"{tiny_server}/dumps/{dump}")
    total = sum(built_tiny.manifest["graphs"].values())
    # The Turtle dump merges the graphs, so a triple asserted in two graphs is written once.
    assert count == total if syntax != "turtle" else 0 < count <= total
