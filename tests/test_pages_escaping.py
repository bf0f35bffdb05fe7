"""Every value is escaped: a release whose curated data holds markup, quotes and right-to-left text shows them as text."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from conftest import RunningServer
from spacekg.pipeline import build
from spacekg.settings import load_settings

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"
HOSTILE_NAME = """Stimson <script>alert("x")</script> & 'Co' "quoted" مركز ستيمسون"""
HOSTILE_TITLE = """<img src=x onerror=alert(1)> ASAT "test" ניסוי"""


def _rewrite(path: Path, row_id: str, column: str, value: str) -> None:
    """Change one cell of a curated CSV file, keeping every row on its line."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for row in rows[1:]:
        if row and row[0] == row_id:
            row[header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A release built from a copy of the project whose data holds hostile literals, served for real."""
    root = tmp_path_factory.mktemp("hostile")
    project = Path(__file__).resolve().parent.parent
    for folder in ("ontology", "data", "queries", "shapes"):
        if (project / folder).is_dir():
            shutil.copytree(project / folder, root / folder)
    _rewrite(root / "data" / "organizations.csv", "stimson", "name", HOSTILE_NAME)
    _rewrite(root / "data" / "events.csv", "E044", "title", HOSTILE_TITLE)
    build(load_settings({}, project_dir=root, releases_dir=root / "releases"))
    running = RunningServer("--project", str(root), "--releases", str(root / "releases"), "serve", "--workers", "1")
    yield running.url
    running.stop()


PAGES = ["/doc/org/stimson", "/doc/event/E055", "/doc/event/E044", "/chronology", "/norms", "/browse/org", "/browse/event",
         "/query?query=SELECT+%3Fl+WHERE+%7B+%3Chttps%3A%2F%2Fw3id.org%2Fspacekg%2Fid%2Forg%2Fstimson%3E+rdfs%3Alabel+%3Fl+%7D",
         "/why?s=https://w3id.org/spacekg/id/org/stimson&p=https://w3id.org/spacekg/ontology%23involvedIn&o=https://w3id.org/spacekg/id/event/E055",
         "/doc/state/USA"]


@pytest.mark.parametrize("path", PAGES)
def test_markup_quotes_and_right_to_left_text_in_the_data_are_shown_as_text(hostile_server: str, path: str) -> None:
    answer = requests.get(hostile_server + path, headers={"Accept": BROWSER}, timeout=60)
    assert answer.status_code == 200, path
    page = answer.text
    assert "<script" not in page and "<img" not in page and "onerror=" not in page.replace("onerror=alert", "")
    assert 'alert("x")' not in page and "'Co'" not in page, "quotes are escaped"
    shown = "Stimson &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;Co&#39; &#34;quoted&#34; مركز ستيمسون"
    if "E044" in path and "chronology" not in path:
        assert "&lt;img src=x onerror=alert(1)&gt; ASAT &#34;test&#34; ניסוי" in page
    elif path not in ("/doc/event/E044", "/browse/event", "/doc/state/USA"):
        assert shown in page, path
    assert re.search(r"<bdi[^>]*>[^<]*(مركز ستيمسون|ניסוי)", page) or path in ("/browse/event", "/doc/state/USA"), "RTL text is isolated"
    assert "Content-Security-Policy" in answer.headers


def test_the_query_page_shows_a_query_holding_markup_as_text(hostile_server: str) -> None:
    query = 'SELECT ("</textarea><script>alert(1)</script>" AS ?x) WHERE {}'
    page = requests.get(hostile_server + "/query", params={"query": query}, headers={"Accept": BROWSER}, timeout=60).text
    assert "<script" not in page and "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_rdf_documents_carry_the_hostile_literal_exactly(hostile_server: str) -> None:
    import rdflib

    for extension, syntax in (("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml")):
        graph = rdflib.Graph().parse(data=requests.get(f"{hostile_server}/doc/org/stimson.{extension}", timeout=60).text, format=syntax)
        assert rdflib.Literal(HOSTILE_NAME, lang="en") in set(graph.objects(rdflib.URIRef("https://w3id.org/spacekg/id/org/stimson"),
                                                                         rdflib.RDFS.label)), extension
