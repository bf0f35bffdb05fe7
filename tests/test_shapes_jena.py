"""pySHACL and Apache Jena's `shacl validate` agree on the shapes, on their fixtures and on the tiny project's curated rows.

Jena is the Debian package libapache-jena-java; its classpath comes from ../shared/tools/jena-classpath.sh.
The tests skip, saying why, when java or Jena is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.term import Node

from conftest import tiny_settings
from spacekg.pipeline import assemble, load_ontology
from spacekg.validate import ValidationResult, results_from_graph, validate

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "tests" / "fixtures" / "shapes"
CLASSPATH_SCRIPT = PROJECT.parent / "shared" / "tools" / "jena-classpath.sh"
JENA_MAIN = "shacl.shacl"  # in jena-cmds.jar: `shacl validate --shapes S --data D`, prints a Turtle sh:ValidationReport

Key = tuple[str, str, str, str, str, str]


@cache
def jena_classpath() -> str:
    if shutil.which("java") is None:
        pytest.skip("java is not installed, so Apache Jena cannot run (apt-get install libapache-jena-java)")
    if not CLASSPATH_SCRIPT.is_file():
        pytest.skip(f"{CLASSPATH_SCRIPT} is missing, so Jena's classpath is unknown")
    found = subprocess.run(["bash", str(CLASSPATH_SCRIPT)], capture_output=True, text=True, check=False)
    if found.returncode != 0 or not found.stdout.strip():
        pytest.skip(f"Apache Jena is not installed: {found.stderr.strip()}")
    return found.stdout.strip()


def jena_results(shapes: Path, data: Graph, folder: Path) -> list[ValidationResult]:
    data_file = folder / "data.nt"
    data.serialize(data_file, format="nt", encoding="utf-8")
    run = subprocess.run(["java", "-cp", jena_classpath(), JENA_MAIN, "validate", "--shapes", str(shapes), "--data", str(data_file)],
                         capture_output=True, text=True, check=False, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    return results_from_graph(Graph().parse(data=run.stdout, format="turtle"))


def key(result: ValidationResult) -> Key:
    def term(node: Node | None) -> str:
        if isinstance(node, Literal):
            return f"{node}|{node.datatype or ''}|{node.language or ''}"
        return "" if node is None else str(node)

    return (str(result.focus_node), result.path_text, str(result.source_shape), term(result.value), result.severity,
            str(result.source_constraint_component))


def compare(pyshacl_results: list[ValidationResult] | tuple[ValidationResult, ...], jena: list[ValidationResult]) -> None:
    ours, theirs = Counter(key(r) for r in pyshacl_results), Counter(key(r) for r in jena)
    assert (sorted(ours - theirs), sorted(theirs - ours)) == ([], [])


def fixture_graph(folder: Path) -> Graph:
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def test_jena_agrees_with_pyshacl_on_every_data_fixture_at_once(tmp_path: Path) -> None:
    jena_classpath()
    ontology = load_ontology(PROJECT / "ontology")
    data = fixture_graph(FIXTURES)
    report = validate(data, Graph().parse(PROJECT / "shapes" / "spacekg-shapes.ttl"), ontology, {})
    assert len(report.results) > 150
    compare(report.results, jena_results(PROJECT / "shapes" / "spacekg-shapes.ttl", data + ontology, tmp_path))


def test_jena_agrees_with_pyshacl_on_the_ontology_fixtures(tmp_path: Path) -> None:
    jena_classpath()
    data = fixture_graph(FIXTURES / "ontology")
    report = validate(data, Graph().parse(PROJECT / "shapes" / "ontology-shapes.ttl"), Graph(), {})
    assert len(report.results) > 15
    compare(report.results, jena_results(PROJECT / "shapes" / "ontology-shapes.ttl", data, tmp_path))


def test_jena_agrees_with_pyshacl_on_the_tiny_project(tmp_path: Path) -> None:
    """The tiny project's rows are verbatim curated rows; the whole curated data would cost Jena ~15 s for the same check."""
    jena_classpath()
    ontology, asserted, _ = assemble(tiny_settings(tmp_path / "releases"))
    report = validate(asserted.graph, Graph().parse(PROJECT / "shapes" / "spacekg-shapes.ttl"), ontology, asserted.positions)
    assert report.conforms and {r.severity for r in report.results} == {"Warning", "Info"}
    compare(report.results, jena_results(PROJECT / "shapes" / "spacekg-shapes.ttl", asserted.graph + ontology, tmp_path))


def test_jena_agrees_with_pyshacl_on_the_ontology(tmp_path: Path) -> None:
    jena_classpath()
    ontology = load_ontology(PROJECT / "ontology")
    report = validate(ontology, Graph().parse(PROJECT / "shapes" / "ontology-shapes.ttl"), Graph(), {})
    compare(report.results, jena_results(PROJECT / "shapes" / "ontology-shapes.ttl", ontology, tmp_path))
