"""The two SHACL engines give the same results, result for result, and a build says which one ran.

Apache Jena (Debian's libapache-jena-java, as the build runs it) and pySHACL (the reference) are compared
on: every data-shape fixture (a violation of every shape) together with the tiny project's rows and a
synthetic graph with seeded violations; the ontology and its fixtures; and the W3C SHACL core and SPARQL
test suites (../shared/w3c, the tests whose shapes use only what our shapes use). A result is its focus
node, path, value, source shape, severity, constraint component and message (the message only where the
shape or its SPARQL constraint states one, with its {?variables} filled in: engines word their own messages
differently). That the curated release's report (Jena's, in CI) equals pySHACL's is checked in
test_data_acceptance_validation.py.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace
from rdflib.term import Node

from conftest import PROJECT, SHARED, copy_tiny_project
from spacekg.errors import UsageError
from spacekg.pipeline import assemble, build, load_ontology
from spacekg.settings import Settings
from spacekg.synth import synthesize
from spacekg.validate import ValidationResult, load_shapes, results_from_graph, validate
from spacekg.validate.engine import PYSHACL, ShaclEngine, choose_engine

FIXTURES = PROJECT / "tests" / "fixtures" / "shapes"
DATA_SHAPES = PROJECT / "shapes" / "spacekg-shapes.ttl"
ONTOLOGY_SHAPES = PROJECT / "shapes" / "ontology-shapes.ttl"
W3C_TESTS = SHARED / "w3c" / "data-shapes" / "data-shapes-test-suite" / "tests"
SH = Namespace("http://www.w3.org/ns/shacl#")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
# Parameters that only name, order or declare: a W3C test may use them and still be "of our subset".
HARMLESS = {SH.targetNode, SH.name, SH.description, SH.order, SH.group, SH.declare, SH.prefix, SH.namespace, SH.prefixes}

Key = tuple[str, ...]
# W3C tests that pySHACL cannot run, and why that does not touch our shapes. Each must still fail (or leave this list).
PYSHACL_CANNOT = {
    "node/prefixes-001": "pySHACL does not read the sh:declare of a shapes graph reached through owl:imports; our shapes declare in place",
    "pre-binding/shapesGraph-001": "pySHACL does not support $shapesGraph in SPARQL constraints; our shapes do not use it",
}
# W3C tests on which the engines differ, and why it does not touch our shapes. Each must still differ (or leave this list).
KNOWN_DIFFERENCES = {
    "property/uniqueLang-002": 'pySHACL reads sh:uniqueLang "1"^^xsd:boolean as true; the test (and Jena) ignore the constraint. '
                               "Our shapes write `sh:uniqueLang true`.",
}


def key(result: ValidationResult, shapes: Graph) -> Key:
    def term(node: Node | None) -> str:
        if isinstance(node, Literal):
            return f"{node}|{node.datatype or ''}|{node.language or ''}"
        if isinstance(node, BNode):  # each engine labels blank nodes its own way: compared as "a blank node"
            return "_:"
        return "" if node is None else str(node)

    stated = (result.source_shape, SH.message, None) in shapes or any(
        (constraint, SH.message, None) in shapes for constraint in shapes.objects(result.source_shape, SH.sparql))  # type: ignore[arg-type]
    message = result.message if stated else ""
    return (term(result.focus_node), result.path_text if not isinstance(result.path, BNode) or result.path_text else "_:",
            term(result.source_shape), term(result.value), result.severity,
            str(result.source_constraint_component), message)


def assert_same(pyshacl_results: tuple[ValidationResult, ...] | list[ValidationResult], jena_results: tuple[ValidationResult, ...] | list[ValidationResult],
                shapes: Graph) -> None:
    ours, theirs = Counter(key(r, shapes) for r in pyshacl_results), Counter(key(r, shapes) for r in jena_results)
    assert (sorted(ours - theirs), sorted(theirs - ours)) == ([], [])


def graph_of(*folders: Path) -> Graph:
    graph = Graph()
    for folder in folders:
        for path in sorted(folder.glob("*.ttl")):
            graph.parse(path, format="turtle")
    return graph


def test_the_engines_agree_on_every_shape_violated_beside_the_tiny_rows_and_seeded_synthetic_rows(jena: ShaclEngine, tmp_path: Path) -> None:
    """One graph: each shape's non-conforming fixture, the tiny project's rows, and ~3,000 synthetic triples of which a fifth
    of the signature/ratification pairs are seeded with a violation (the ratification dated before the signature); 3,000 since
    each newly minted state costs its treaty statuses too."""
    project = copy_tiny_project(tmp_path / "tiny")
    seeded = synthesize(project.project_dir, tmp_path / "synth", 3000, 0.2, seed=11)
    assert seeded.seeded_violations > 5
    ontology, asserted, _ = assemble(Settings(project_dir=seeded.folder))
    data = graph_of(FIXTURES)
    data += asserted.graph
    shapes = load_shapes(DATA_SHAPES)
    reference = validate(data, shapes, ontology, asserted.positions)
    fast = validate(data, shapes, ontology, asserted.positions, engine=jena)
    violated = {r.source_shape for r in reference.results if r.severity == "Violation"}
    assert len(violated) > 40 and reference.count("Violation") > 100
    assert_same(reference.results, fast.results, shapes)
    assert [(r.where, r.focus_label) for r in reference.results] == [(r.where, r.focus_label) for r in fast.results]  # placed alike


def test_the_engines_agree_on_the_ontology_and_its_fixtures(jena: ShaclEngine) -> None:
    data = graph_of(FIXTURES / "ontology")
    data += load_ontology(PROJECT / "ontology")
    shapes = load_shapes(ONTOLOGY_SHAPES)
    reference = validate(data, shapes, Graph(), {})
    assert len(reference.results) > 15
    assert_same(reference.results, validate(data, shapes, Graph(), {}, engine=jena).results, shapes)


# --- the W3C test suites ----------------------------------------------------------------------------------

SEQUENCE_PATH = SH["(sequence path)"]  # a sh:path that is an RDF list: a feature without a parameter of its own


def parameters(shapes: Graph) -> set[Node]:
    """The sh: properties a shapes graph uses (and SEQUENCE_PATH if it uses one)."""
    used = {p for _, p, _ in shapes if str(p).startswith(str(SH))}
    if any((path, RDF.first, None) in shapes for path in shapes.objects(None, SH.path)):
        used.add(SEQUENCE_PATH)
    return used


def our_parameters() -> set[Node]:
    return parameters(load_shapes(DATA_SHAPES, ONTOLOGY_SHAPES))


def w3c_cases() -> list[tuple[str, Path, Path]]:
    """(name, data file, shapes file) of every W3C core and SPARQL test whose shapes use only our parameters."""
    allowed = our_parameters() | HARMLESS
    cases = []
    for manifest in sorted(W3C_TESTS.glob("*/*/manifest.ttl")):
        graph = Graph().parse(manifest, format="turtle")
        for included in graph.objects(None, MF.include):
            path = Path(str(included).removeprefix("file://"))
            test = Graph().parse(path, format="turtle")
            for entry, action in test.subject_objects(MF.action):
                data, shapes = test.value(action, SHT.dataGraph), test.value(action, SHT.shapesGraph)
                if data is None or shapes is None or test.value(entry, MF.result) == SHT.Failure:
                    continue  # a test that expects the engine to refuse the shapes compares no results
                data_file, shapes_file = (Path(str(node).removeprefix("file://")) for node in (data, shapes))
                shapes_graph = Graph().parse(shapes_file, format="turtle")
                used = parameters(shapes_graph) - {SH.result, SH.conforms}
                used -= {p for p in used if str(p).startswith(str(SH) + "result") or str(p).startswith(str(SH) + "source")
                         or p in (SH.focusNode, SH.value)}  # the expected report's own terms
                if used <= allowed:
                    cases.append((f"{path.parent.name}/{path.stem}", data_file, shapes_file))
    return cases


# Jena's `shacl validate` once per W3C test would start Java ~40 times; one Java program validates them all.
VALIDATE_ALL = """
import java.nio.file.*;
import java.util.List;
import org.apache.jena.graph.Graph;
import org.apache.jena.riot.*;
import org.apache.jena.shacl.*;

public class ValidateAll {
    public static void main(String[] argv) throws Exception {
        List<String> jobs = Files.readAllLines(Paths.get(argv[0]));
        for (String job : jobs) {
            String[] fields = job.split("\\t");
            Graph shapes = RDFDataMgr.loadGraph(fields[1]);
            Graph data = RDFDataMgr.loadGraph(fields[0]);
            ValidationReport report = ShaclValidator.get().validate(shapes, data);
            try (var out = Files.newOutputStream(Paths.get(fields[2]))) {
                RDFDataMgr.write(out, report.getModel(), Lang.TURTLE);
            }
        }
    }
}
"""


@pytest.mark.skipif(not W3C_TESTS.is_dir(), reason="../shared/w3c is not beside the checkout")
def test_the_engines_agree_on_the_w3c_tests_of_the_features_our_shapes_use(jena: ShaclEngine, tmp_path: Path) -> None:
    """Jena's engine run from its Java API in one process for all tests (the build runs its `shacl validate` command,
    the same engine), pySHACL through spacekg.validate."""
    cases = w3c_cases()
    assert len(cases) > 40, [name for name, *_ in cases]
    jobs = tmp_path / "jobs.tsv"
    jobs.write_text("".join(f"{data}\t{shapes}\t{tmp_path / f'{index}.ttl'}\n" for index, (_, data, shapes) in enumerate(cases)), encoding="utf-8")
    (tmp_path / "ValidateAll.java").write_text(VALIDATE_ALL, encoding="utf-8")
    assert jena.jena is not None
    run = subprocess.run([jena.jena.java, "-cp", jena.jena.classpath, str(tmp_path / "ValidateAll.java"), str(jobs)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    compared, known = 0, []
    for index, (name, data_file, shapes_file) in enumerate(cases):
        data, shapes = Graph().parse(data_file, format="turtle"), Graph().parse(shapes_file, format="turtle")
        if name in PYSHACL_CANNOT:
            with pytest.raises(Exception):  # noqa: B017  (whatever pySHACL raises: it must still not run)
                validate(data, shapes, Graph(), {})
            continue
        reference = validate(data, shapes, Graph(), {})
        theirs = results_from_graph(Graph().parse(tmp_path / f"{index}.ttl", format="turtle"))
        try:
            assert_same(reference.results, theirs, shapes)
        except AssertionError as error:
            if name in KNOWN_DIFFERENCES:
                known.append(name)
                continue
            raise AssertionError(f"W3C test {name}: {error}") from None
        assert name not in KNOWN_DIFFERENCES, f"the engines now agree on {name}: take it off KNOWN_DIFFERENCES"
        compared += len(reference.results)
    assert sorted(known) == sorted(KNOWN_DIFFERENCES)
    assert compared > 50


# --- which engine a build used ------------------------------------------------------------------------------

def test_a_build_without_java_validates_with_pyshacl_and_says_so(tiny_project: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(Path(__file__).parent))  # no java on this PATH
    said: list[str] = []
    release = build(tiny_project, progress=said.append)
    assert any(line.startswith("validating with pySHACL") and "java is not installed" in line for line in said), said
    assert release.manifest["validation"]["engine"] == PYSHACL.version
    # the provenance names it too: the build's software agents include the SHACL engine
    assert f'"shacl-engine {PYSHACL.version}"'.encode() in (release.path / "dumps" / "spacekg.nq").read_bytes()


def test_a_build_with_jena_records_it(jena: ShaclEngine, tiny_project: Settings) -> None:
    said: list[str] = []
    release = build(tiny_project, progress=said.append)
    assert release.manifest["validation"]["engine"] == jena.version
    assert any(jena.version in line for line in said if line.startswith("validation:"))


def test_asking_for_jena_where_it_cannot_run_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UsageError, match="java is not installed") as raised:
        choose_engine("jena", tmp_path)
    assert "SPACEKG_SHACL_ENGINE=pyshacl" in raised.value.hint
    with pytest.raises(UsageError, match="unknown SHACL engine"):
        choose_engine("rudof", tmp_path)
