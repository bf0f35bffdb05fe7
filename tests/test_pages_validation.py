"""The validation report page: of the tiny release (its known Warnings and Infos, no Violation), of a dataset served from
RDF files with a known sh:ValidationReport in graph/validation, and of one without any; and the pages of an app that
serves RDF files rather than a release. Everything runs in this process (`create_app` over the tiny release, or over RDF
files made from it)."""

from __future__ import annotations

import csv
import html
import io
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Literal, URIRef

from conftest import TINY, app_serving
from spacekg.errors import SourcePosition
from spacekg.namespaces import SH, SKG
from spacekg.store.releases import Release
from spacekg.validate import ValidationReport, ValidationResult, report_graph
from spacekg.web.pages.validation_view import SHOWN_WHEN_FOLDED as FOLDED_ROWS

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
    with app_serving(release, dataset_files=(path,)) as application:
        yield application


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
    assert '<td class="number" data-label="line">45</td>' in files


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


# --- summary, filters and folding (issue 17) ------------------------------------------------------------------------

SEVERITY_ROW = re.compile(r'<tr><th scope="row"><a href="[^"]*" class="\w+">(Violation|Warning|Info)</a></th><td class="number">(\d+)</td>'
                          r'(?:<td class="number">(\d+)</td>)?</tr>')
RESULT_ROW = re.compile(r'<tr><td class="(violation|warning|info)">')


def _release_part(page: str) -> tuple[str, str]:
    """The served release's summary and its results, as two pieces of the page."""
    return page[page.index('id="release"'):page.index('id="contents"')], page[page.index('id="release-results"'):]


def _summary_counts(summary: str) -> dict[str, tuple[int, int | None]]:
    """Severity -> (results in the report, results shown), from the summary's table of counts."""
    return {severity: (int(whole), int(shown) if shown else None) for severity, whole, shown in SEVERITY_ROW.findall(summary)}


def test_the_summary_counts_equal_the_reports_results_by_severity_and_by_file(client: FlaskClient) -> None:
    page = client.get("/validation", headers={"Accept": BROWSER}).text
    rows = list(csv.DictReader(io.StringIO(client.get("/validation.csv").text)))
    summary, results = _release_part(page)
    by_severity = Counter(row["severity"] for row in rows)
    assert _summary_counts(summary) == {severity: (by_severity[severity], None) for severity in ("Violation", "Warning", "Info")}
    assert f'<tr class="total"><th scope="row">All</th><td class="number">{len(rows)}</td>' in summary
    for file, in_file in Counter(row["file"] for row in rows).items():
        cells = re.search(rf'<code class="file">{re.escape(file)}</code></a></th>((?:<td class="number">\d+</td>)+)</tr>', summary)
        assert cells, file
        shown = [int(n) for n in re.findall(r"\d+", cells.group(1))]
        assert shown == [sum(1 for row in rows if row["file"] == file and row["severity"] == s) for s in ("Violation", "Warning", "Info")]
        assert sum(shown) == in_file
    assert "No previous release to compare." in summary, "the tiny release is the first of its folder"
    unlisted = sum(int(total) - int(first) for first, total in re.findall(r"The first (\d+) of (\d+):", results))
    assert len(RESULT_ROW.findall(results)) + unlisted == len(rows), "every result is listed, or counted in its fold"
    contents = page[page.index('id="contents"'):page.index('id="release-results"')]
    assert '<a href="#by-shape">' in contents and '<a href="#by-file">' in contents and '<a href="#summary">' in contents
    assert page.index('id="release"') < page.index('id="contents"') < page.index('id="filters"') < page.index('id="release-results"'), \
        "the page opens with the summary, then the contents and the filters, then the results"


@pytest.mark.parametrize(("query", "severities", "files"), [
    ({"severity": "Warning"}, ["warning"], ["data/participation_actions.csv"]),
    ({"severity": "warning"}, ["warning"], ["data/participation_actions.csv"]),
    ({"file": "data/events.csv"}, ["violation"], ["data/events.csv"]),
    ({"shape": "skgsh:Doubt-contested"}, ["info"], ["data/organizations.csv"]),
    ({"shape": SHAPES + "DatedAct-date"}, ["violation", "warning"], ["data/events.csv", "data/participation_actions.csv"]),
    ({"shape": "skgsh:DatedAct-date", "severity": "Violation"}, ["violation"], ["data/events.csv"]),
    ({"severity": "Info", "file": "data/events.csv"}, [], []),
], ids=["severity", "severity-any-case", "file", "shape", "shape-by-iri", "shape-and-severity", "nothing"])
def test_filters_narrow_the_results_and_keep_the_summary_honest(reported: FlaskClient, query: dict[str, str], severities: list[str],
                                                                 files: list[str]) -> None:
    page = reported.get("/validation", query_string=query, headers={"Accept": BROWSER})
    assert page.status_code == 200
    summary, results = _release_part(page.text)
    shown = RESULT_ROW.findall(results)
    assert shown == severities
    assert re.findall(r'<h4 id="file-\d+"><code class="file">([^<]*)</code>', results) == files
    counts = _summary_counts(summary)
    assert {severity: whole for severity, (whole, _) in counts.items()} == {"Violation": 1, "Warning": 1, "Info": 1}, "the whole report"
    assert {severity: n for severity, (_, n) in counts.items()} == {s: shown.count(s.lower()) for s in ("Violation", "Warning", "Info")}
    assert f"{len(shown)} of 3 results pass the filters" in results
    if not shown:
        assert "No result passes the filters." in results
    form = page.text[page.text.index('id="filters"'):page.text.index('id="release-results"')]
    for name, chosen in query.items():
        assert re.search(rf'<select id="{name}" name="{name}">.*?selected>', form, re.S), f"the form keeps {name}={chosen}"


@pytest.mark.parametrize(("name", "bad"), [("severity", "Error"), ("shape", "skgsh:NoSuchShape"), ("file", "data/nowhere.csv"),
                                           ("shape", "<script>alert(1)</script>"), ("file", "x" * 5000)])
def test_a_filter_value_the_report_does_not_have_is_refused_naming_the_parameter(reported: FlaskClient, name: str, bad: str) -> None:
    page = reported.get("/validation", query_string={name: bad}, headers={"Accept": BROWSER})
    assert page.status_code == 400, page.text[:300]
    assert f"{name}=" in page.text and "<script>alert" not in page.text and len(page.text) < 20_000


def _many(count: int) -> ValidationReport:
    """One Violation, and `count` Warnings of one shape in one file: the curated data's 197 alike, in small."""
    warnings = tuple(_result(f"participation/ACT-{n:02d}", "Warning", "DatedAct-date", "data/participation_actions.csv", n + 1,
                             "a dated act needs its date", f"act {n:02d}") for n in range(1, count + 1))
    return ValidationReport(results=(REPORT.results[0], *warnings))


@pytest.fixture(scope="module")
def repeated(built_tiny: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    for application in _files_app(built_tiny, _dataset_file(built_tiny, tmp_path_factory.mktemp("repeated") / "many.nq", _many(15))):
        yield application.test_client()


def test_repeated_results_are_folded_per_shape_with_their_count_and_the_first_few_shown(repeated: FlaskClient) -> None:
    page = repeated.get("/validation", headers={"Accept": BROWSER}).text
    _, results = _release_part(page)
    fold = results[results.index('<details class="shape-group">'):]
    fold = fold[:fold.index("</details>")]
    assert '<summary><code class="shape">skgsh:DatedAct-date</code>: 15 warnings</summary>' in fold
    assert len(RESULT_ROW.findall(fold)) == FOLDED_ROWS < 15 and "act 01" in fold and "act 15" not in fold
    link = re.search(r'<a href="([^"]+)">all 15 results of <code class="shape">skgsh:DatedAct-date</code>', fold)
    assert link, "a fold links to all of its results"
    everything = repeated.get(html.unescape(link.group(1)), headers={"Accept": BROWSER}).text
    _, all_results = _release_part(everything)
    assert RESULT_ROW.findall(all_results) == ["warning"] * 15 and "act 15" in all_results
    assert '<details class="shape-group" open>' in all_results, "filtered by its shape, the fold is open and lists them all"
    assert results.count("<details") == 1, "the single Violation of events.csv is listed, not folded"
    assert "No previous release to compare: this server serves RDF files, not a release." in page
