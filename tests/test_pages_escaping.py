"""Every value is escaped: a release whose curated data holds markup, quotes and right-to-left text shows them as text.

The release is built once for this module from a copy of the tiny project with three hostile cells (an organisation's
name, an event's title, a norm's name) and served in this process."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient

from conftest import app_serving, copy_tiny_project
from spacekg.pipeline import build

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"
HOSTILE_NAME = """Stimson <script>alert("x")</script> & 'Co' "quoted" مركز ستيمسون"""
HOSTILE_TITLE = """<img src=x onerror=alert(1)> ASAT "test" ניסוי"""
HOSTILE_NORM = """<iframe src="//evil.example"></iframe> Transparency 'RPO' שקיפות"""
SHOWN_NAME = "Stimson &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;Co&#39; &#34;quoted&#34; مركز ستيمسون"
SHOWN_TITLE = "&lt;img src=x onerror=alert(1)&gt; ASAT &#34;test&#34; ניסוי"
SHOWN_NORM = "&lt;iframe src=&#34;//evil.example&#34;&gt;&lt;/iframe&gt; Transparency &#39;RPO&#39; שקיפות"


def _rewrite(path: Path, row_id: str, column: str, value: str) -> None:
    """Change one cell of a curated CSV file, keeping every row on its line."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    changed = 0
    for row in rows[1:]:
        if row and row[0] == row_id:
            row[header.index(column)] = value
            changed += 1
    assert changed == 1, (path.name, row_id)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app over a release built from a copy of the tiny project whose data holds hostile literals."""
    settings = copy_tiny_project(tmp_path_factory.mktemp("hostile") / "project")
    _rewrite(settings.data / "organizations.csv", "stimson", "name", HOSTILE_NAME)
    _rewrite(settings.data / "events.csv", "E044", "title", HOSTILE_TITLE)
    _rewrite(settings.data / "norms.csv", "rpo-transparency", "name", HOSTILE_NORM)
    _rewrite(settings.data / "norms.csv", "rpo-transparency", "proposed_by", "stimson")  # so the norms page names the organisation too
    with app_serving(build(settings)) as application:
        yield application


@pytest.fixture
def hostile(hostile_app: Flask) -> FlaskClient:
    return hostile_app.test_client()


# Each page, and the hostile values it shows (escaped).
PAGES = {
    "/doc/org/stimson": (SHOWN_NAME,),
    "/doc/event/E055": (SHOWN_NAME,),
    "/doc/event/E044": (SHOWN_TITLE,),
    "/doc/norm/rpo-transparency": (SHOWN_NORM, SHOWN_NAME),
    "/doc/state/USA": (SHOWN_TITLE,),
    "/chronology": (SHOWN_NAME, SHOWN_TITLE),
    "/norms": (SHOWN_NORM, SHOWN_NAME),
    "/browse/org": (SHOWN_NAME,),
    "/browse/event": (SHOWN_TITLE,),
    "/browse/norm": (SHOWN_NORM,),
    "/query?query=SELECT+%3Fl+WHERE+%7B+%3Chttps%3A%2F%2Fw3id.org%2Fspacekg%2Fid%2Forg%2Fstimson%3E+rdfs%3Alabel+%3Fl+%7D": (SHOWN_NAME,),
    "/why?s=https://w3id.org/spacekg/id/org/stimson&p=https://w3id.org/spacekg/ontology%23involvedIn&o=https://w3id.org/spacekg/id/event/E055":
        (SHOWN_NAME,),
}


# The only scripts a page may hold are our own static files (the query page's editor), empty elements with a src.
OWN_SCRIPT = re.compile(r'<script src="/static/[\w./-]+\.js" defer></script>')


def without_own_scripts(page: str) -> str:
    return OWN_SCRIPT.sub("", page)


@pytest.mark.parametrize("path", PAGES, ids=[path.partition("?")[0] for path in PAGES])
def test_markup_quotes_and_right_to_left_text_in_the_data_are_shown_as_text(hostile: FlaskClient, path: str) -> None:
    answer = hostile.get(path, headers={"Accept": BROWSER})
    assert answer.status_code == 200, path
    page = without_own_scripts(answer.text)
    assert "<script" not in page and "<img" not in page and "<iframe" not in page and "onerror=" not in page.replace("onerror=alert", "")
    assert 'alert("x")' not in page and "'Co'" not in page and "'RPO'" not in page, "quotes are escaped"
    for shown in PAGES[path]:
        assert shown in page, (path, shown)
    assert re.search(r"<bdi[^>]*>[^<]*(مركز ستيمسون|ניסוי|שקיפות)", page), "RTL text is isolated"
    assert "Content-Security-Policy" in answer.headers


def test_the_query_page_shows_a_query_holding_markup_as_text(hostile: FlaskClient) -> None:
    query = 'SELECT ("</textarea><script>alert(1)</script>" AS ?x) WHERE {}'
    page = without_own_scripts(hostile.get("/query", query_string={"query": query}, headers={"Accept": BROWSER}).text)
    assert "<script" not in page and "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(("extension", "syntax"), [("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml")])
def test_rdf_documents_carry_the_hostile_literal_exactly(hostile: FlaskClient, extension: str, syntax: str) -> None:
    graph = rdflib.Graph().parse(data=hostile.get(f"/doc/org/stimson.{extension}").text, format=syntax)
    assert rdflib.Literal(HOSTILE_NAME, lang="en") in set(graph.objects(rdflib.URIRef("https://w3id.org/spacekg/id/org/stimson"), rdflib.RDFS.label))
