"""The validation report page, from a served dataset with a known sh:ValidationReport in graph/validation and from one
without any; and the pages of a server that serves RDF files rather than a release."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Literal, URIRef

from conftest import RunningServer
from spacekg.errors import SourcePosition
from spacekg.namespaces import SH, SKG
from spacekg.store.releases import Release
from spacekg.validate import ValidationReport, ValidationResult, report_graph

BASE = "https://w3id.org/spacekg/"
BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"
VALIDATION = f"{BASE}graph/validation"
SHAPES = "https://w3id.org/spacekg/shapes#"


def _result(focus: str, severity: str, shape: str, path: str, line: int, message: str, label: str) -> ValidationResult:
    return ValidationResult(severity=severity, focus_node=URIRef(f"{BASE}id/{focus}"), focus_label=label, path=SKG.date, path_text="skg:date",
                            value=Literal("1985-02-30"), message=message, source_shape=URIRef(SHAPES + shape),
                            source_constraint_component=SH.DatatypeConstraintComponent, position=SourcePosition(path, line))


REPORT = ValidationReport(results=(
    _result("event/E044", "Violation", "DatedAct-date", "data/events.csv", 45, "bad date <b>not bold</b>", "E044 as named in the report"),
    _result("participation/AUS-moon-accession-1986-07-07", "Warning", "DatedAct-date", "data/participation_actions.csv", 3,
            "a warning", "AUS accession"),
    _result("state/USA", "Info", "Doubt-contested", "data/organizations.csv", 2, "an info", "United States"),
))


def _dataset_file(release: Release, target: Path, report: ValidationReport | None) -> Path:
    """The release's quads without its own validation graph, plus `report` (if any) as graph/validation."""
    quads = [q for q in ox.parse(path=str(release.path / "dumps" / "spacekg.nq"), format=ox.RdfFormat.N_QUADS)
             if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == VALIDATION)]
    if report is not None:
        turtle = report_graph(report).serialize(format="nt", encoding="utf-8")
        graph = ox.NamedNode(VALIDATION)
        quads += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(turtle, format=ox.RdfFormat.N_TRIPLES)]
    ox.serialize(quads, str(target), format=ox.RdfFormat.N_QUADS)
    return target


@pytest.fixture(scope="module")
def reported(built_release: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = _dataset_file(built_release, tmp_path_factory.mktemp("reported") / "with-report.nq", REPORT)
    running = RunningServer("serve", "--dataset", str(path), "--workers", "1")
    yield running.url
    running.stop()


@pytest.fixture(scope="module")
def unreported(built_release: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = _dataset_file(built_release, tmp_path_factory.mktemp("unreported") / "without-report.nq", None)
    running = RunningServer("serve", "--dataset", str(path), "--workers", "1")
    yield running.url
    running.stop()


def test_a_dataset_without_validation_results_says_so(unreported: str) -> None:
    page = requests.get(unreported + "/validation", headers={"Accept": BROWSER}, timeout=30)
    assert page.status_code == 200 and "Validation results are not in this release" in page.text
    assert requests.get(unreported + "/validation.csv", timeout=30).status_code == 404


def test_the_report_is_grouped_by_shape_and_by_file_with_counts_and_links_to_the_records(reported: str) -> None:
    page = requests.get(reported + "/validation", headers={"Accept": BROWSER}, timeout=30).text
    assert "does not conform" in page and "1 violation" in page and "1 warning" in page and "1 info" in page
    shapes = page[page.index('id="by-shape"'):page.index('id="by-file"')]
    assert shapes.index("skgsh:DatedAct-date") < shapes.index("skgsh:Doubt-contested"), "the shape with most results first"
    files = page[page.index('id="by-file"'):]
    assert files.index("data/events.csv") < files.index("data/organizations.csv") < files.index("data/participation_actions.csv")
    assert '<a href="/doc/event/E044"><bdi>E044 as named in the report</bdi></a>' in files
    assert "bad date &lt;b&gt;not bold&lt;/b&gt;" in files and "<b>not bold" not in files
    assert '<td class="number">45</td>' in files


def test_the_report_downloads_as_csv_and_as_the_standard_turtle_graph(reported: str, tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(requests.get(reported + "/validation.csv", timeout=30).text)))
    assert [(row["file"], row["line"], row["severity"]) for row in rows] == [
        ("data/events.csv", "45", "Violation"), ("data/organizations.csv", "2", "Info"), ("data/participation_actions.csv", "3", "Warning")]
    turtle = requests.get(reported + "/validation.ttl", timeout=30)
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    (tmp_path / "report.ttl").write_bytes(turtle.content)
    parsed = subprocess.run(["rapper", "-i", "turtle", "-o", "ntriples", str(tmp_path / "report.ttl")], capture_output=True, text=True, check=True)
    assert "<http://www.w3.org/ns/shacl#ValidationReport>" in parsed.stdout and "Warning" not in parsed.stderr
    assert parsed.stdout.count("<https://w3id.org/spacekg/ontology#sourceLine>") == 3


def test_an_entity_page_shows_the_validation_results_about_it(reported: str) -> None:
    page = requests.get(reported + "/doc/event/E044", headers={"Accept": BROWSER}, timeout=30).text
    section = page[page.index('id="validation"'):]
    assert "Violation" in section and "data/events.csv:45" in section and "bad date &lt;b&gt;" in section


def test_pages_of_rdf_files_served_without_a_release_offer_no_dumps_and_no_explanations(reported: str) -> None:
    landing = requests.get(reported + "/", headers={"Accept": BROWSER}, timeout=30).text
    assert "serves RDF files rather than a built release" in landing
    entity = requests.get(reported + "/doc/state/AUS", headers={"Accept": BROWSER}, timeout=30).text
    assert "inferred" in entity and "/why?" not in entity
    why = requests.get(reported + "/why", params={"s": f"{BASE}id/state/AUS", "p": f"{BASE}ontology#partyTo", "o": f"{BASE}id/instrument/moon"},
                       timeout=30)
    assert why.status_code == 404 and "cannot explain" in why.text
