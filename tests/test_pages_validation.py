"""The validation report page: of the tiny release (its known Warnings and Infos, no Violation), of a dataset served from
RDF files with a known sh:ValidationReport in graph/validation, and of one without any; and the pages of an app that
serves RDF files rather than a release. Everything runs in this process (`create_app` over the tiny release, or over RDF
files made from it)."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Literal, URIRef

from conftest import TINY, app_settings
from spacekg.errors import SourcePosition
from spacekg.namespaces import SH, SKG
from spacekg.store.releases import Release
from spacekg.validate import ValidationReport, ValidationResult, report_graph
from spacekg.web import create_app

BASE = "https://w3id.org/spacekg/"
BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"
VALIDATION = f"{BASE}graph/validation"
SHAPES = "https://w3id.org/spacekg/shapes#"


def _result(focus: str, severity: str, shape: str, path: str, line: int, message: str, label: str) -> ValidationResult:
    return ValidationResult(severity=severity, focus_node=URIRef(f"{BASE}id/{focus}"), focus_label=label, path=SKG.date, path_text="skg:date",
                            value=Literal("1985-02-30"), message=message, source_shape=URIRef(SHAPES + shape),
                            source_constraint_component=SH.DatatypeConstraintComponent, position=SourcePosition(path, line))


# A made-up report about records of the tiny release (its lines need not match the tiny files).
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


def _files_app(release: Release, path: Path) -> Iterator[Flask]:
    """The app over one RDF file rather than a release, as `spacekg serve --dataset FILE` serves it."""
    application = create_app(app_settings(release, dataset_files=(path,)))
    application.config["TESTING"] = True
    yield application
    application.config["SPACEKG_FOLLOWER"].served.runner.close()


@pytest.fixture(scope="module")
def reported_app(built_tiny: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield from _files_app(built_tiny, _dataset_file(built_tiny, tmp_path_factory.mktemp("reported") / "with-report.nq", REPORT))


@pytest.fixture(scope="module")
def unreported_app(built_tiny: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield from _files_app(built_tiny, _dataset_file(built_tiny, tmp_path_factory.mktemp("unreported") / "without-report.nq", None))


@pytest.fixture
def reported(reported_app: Flask) -> FlaskClient:
    return reported_app.test_client()


@pytest.fixture
def unreported(unreported_app: Flask) -> FlaskClient:
    return unreported_app.test_client()


def _tiny_line(name: str, **cells: str) -> int:
    """The line (header = 1) of the one row of a tiny data file with these cells."""
    with (TINY / "data" / name).open(encoding="utf-8", newline="") as handle:
        lines = [number for number, row in enumerate(csv.DictReader(handle), start=2) if all(row[k] == v for k, v in cells.items())]
    assert len(lines) == 1, (name, cells, lines)
    return lines[0]


def test_the_tiny_releases_own_report_shows_its_known_warnings_and_infos_by_shape_and_by_file(client: FlaskClient) -> None:
    """The tiny data has Warnings and Infos but no Violation (tests/resources/tiny/README.md): the page must show them,
    never the page of a release without results, and its counts must be those of the release's CSV download."""
    page = client.get("/validation", headers={"Accept": BROWSER})
    assert page.status_code == 200 and "Validation results are not in this release" not in page.text
    download = client.get("/validation.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.text)))
    results = {(row["file"], row["line"], row["severity"], row["source_shape"].removeprefix(SHAPES)) for row in rows}
    known = {  # rows of the tiny data that a shape flags: acts and listings without a date, a contested record
        ("data/participation_actions.csv", str(_tiny_line("participation_actions.csv", actor="UKR", instrument="arra", action="signature")),
         "Warning", "DatedAct-date"),
        ("data/participation_status.csv", str(_tiny_line("participation_status.csv", actor="FRA", instrument="moon", status="S")),
         "Warning", "DatedListing-asOf"),
        ("data/instruments.csv", str(_tiny_line("instruments.csv", id="hcoc")), "Info", "Doubt-contested"),
    }
    assert known <= results, known - results
    severities = [row["severity"] for row in rows]
    assert "Violation" not in severities
    warnings, infos = severities.count("Warning"), severities.count("Info")
    text = page.text

    def counted(number: int, noun: str) -> str:
        return f'<span class="{noun}">{number} {noun}{"" if number == 1 else "s"}</span>'

    assert warnings and infos, "the tiny data has both"
    assert f'<p class="verdict ok">The data conforms to the SHACL shapes:\n{counted(0, "violation")}, {counted(warnings, "warning")}, ' \
           f'{counted(infos, "info")}.' in text, "the verdict and the counts of the CSV"
    shapes = text[text.index('id="by-shape"'):text.index('id="by-file"')]
    files = text[text.index('id="by-file"'):]
    for file, _, _, shape in known:
        assert f"skgsh:{shape}" in shapes and file in files
    assert '<a href="/doc/participation/UKR-arra-signature">' in files, "each result links to its record"


def test_a_dataset_without_validation_results_says_so(unreported: FlaskClient) -> None:
    page = unreported.get("/validation", headers={"Accept": BROWSER})
    assert page.status_code == 200 and "Validation results are not in this release" in page.text
    assert unreported.get("/validation.csv").status_code == 404


def test_the_report_is_grouped_by_shape_and_by_file_with_counts_and_links_to_the_records(reported: FlaskClient) -> None:
    page = reported.get("/validation", headers={"Accept": BROWSER}).text
    assert "does not conform" in page and "1 violation" in page and "1 warning" in page and "1 info" in page
    shapes = page[page.index('id="by-shape"'):page.index('id="by-file"')]
    assert shapes.index("skgsh:DatedAct-date") < shapes.index("skgsh:Doubt-contested"), "the shape with most results first"
    files = page[page.index('id="by-file"'):]
    assert files.index("data/events.csv") < files.index("data/organizations.csv") < files.index("data/participation_actions.csv")
    assert '<a href="/doc/event/E044"><bdi>E044 as named in the report</bdi></a>' in files
    assert "bad date &lt;b&gt;not bold&lt;/b&gt;" in files and "<b>not bold" not in files
    assert '<td class="number">45</td>' in files


def test_the_report_downloads_as_csv_and_as_the_standard_turtle_graph(reported: FlaskClient, tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(reported.get("/validation.csv").text)))
    assert [(row["file"], row["line"], row["severity"]) for row in rows] == [
        ("data/events.csv", "45", "Violation"), ("data/organizations.csv", "2", "Info"), ("data/participation_actions.csv", "3", "Warning")]
    turtle = reported.get("/validation.ttl")
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    (tmp_path / "report.ttl").write_bytes(turtle.data)
    parsed = subprocess.run(["rapper", "-i", "turtle", "-o", "ntriples", str(tmp_path / "report.ttl")], capture_output=True, text=True, check=True)
    assert "<http://www.w3.org/ns/shacl#ValidationReport>" in parsed.stdout and "Warning" not in parsed.stderr
    assert parsed.stdout.count("<https://w3id.org/spacekg/ontology#sourceLine>") == 3


def test_an_entity_page_shows_the_validation_results_about_it(reported: FlaskClient) -> None:
    page = reported.get("/doc/event/E044", headers={"Accept": BROWSER}).text
    section = page[page.index('id="validation"'):]
    assert "Violation" in section and "data/events.csv:45" in section and "bad date &lt;b&gt;" in section


def test_pages_of_rdf_files_served_without_a_release_offer_no_dumps_and_no_explanations(reported: FlaskClient) -> None:
    landing = reported.get("/", headers={"Accept": BROWSER}).text
    assert "serves RDF files rather than a built release" in landing
    entity = reported.get("/doc/state/AUS", headers={"Accept": BROWSER}).text
    assert "inferred" in entity and "/why?" not in entity
    why = reported.get("/why", query_string={"s": f"{BASE}id/state/AUS", "p": f"{BASE}ontology#partyTo", "o": f"{BASE}id/instrument/moon"})
    assert why.status_code == 404 and "cannot explain" in why.text
