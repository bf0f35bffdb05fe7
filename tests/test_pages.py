"""Pages for people, read through the whole app in this process over the tiny release: valid, accessible HTML under a
strict CSP, links that resolve on the same app, and the content each page promises (landing, query, entities,
chronology, norms, treaties, votes, ontology, why). Expectations are facts of the tiny project (tests/resources/tiny/data),
read from its files at test time where a number is involved."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from conftest import PROJECT, TINY
from spacekg.kinds import ENTITY_KINDS

BASE = "https://w3id.org/spacekg/"
APP = "http://localhost"  # the host of the test client's requests: links and locations come back under it
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LOADS = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src", "video": "src", "embed": "src", "object": "data"}
TREATY_QUERY = "/query?query=SELECT+%3Fs+%3Fl+WHERE+%7B+%3Fs+a+skg%3ATreaty+%3B+rdfs%3Alabel+%3Fl+%7D"
WHY_AUS_MOON = ("/why?s=https://w3id.org/spacekg/id/state/AUS&p=https://w3id.org/spacekg/ontology%23partyTo"
                "&o=https://w3id.org/spacekg/id/instrument/moon")
PAGES = ["/", "/query", "/sparql", "/chronology", "/norms", "/treaties", "/ontology", "/validation", "/browse/state", "/browse/event",
         "/doc/instrument/ost", "/doc/state/USA", "/doc/event/E044", "/doc/norm/no-wmd-in-orbit", "/doc/org/stimson",
         "/doc/person/nancy-gallagher", "/doc/participation/AUS-moon-accession", "/doc/citation/a-ac-105-c-2-2017-crp-7",
         "/doc/count/ost-a-ac-105-c-2-2026-crp-9-rev-1", "/doc/statement/moon-builds-on-ost",
         "/doc/status-listing/USA-ost-a-ac-105-c-2-2026-crp-9-rev-1", "/doc/status/USA-ost", "/doc/coverage/moon-un-chapter-20xxiv-xxiv-2-en-xml",
         "/treaties?date=1980-01-01", "/votes", "/doc/rollcall/undl-9562",
         "/doc/document/a-62-20", TREATY_QUERY, WHY_AUS_MOON]


def tiny_rows(name: str) -> list[dict[str, str]]:
    """The rows of one file of the tiny project's data."""
    with (TINY / "data" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def tiny_line(name: str, **cells: str) -> int:
    """The line number (header = 1) of the one row of a tiny data file with these cells."""
    lines = [number for number, row in enumerate(tiny_rows(name), start=2) if all(row[key] == value for key, value in cells.items())]
    assert len(lines) == 1, (name, cells, lines)
    return lines[0]


class Page(HTMLParser):
    """What the tests check of an HTML page: structure, ids, links, loads, headings and form labels."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.links: list[str] = []
        self.loads: list[str] = []
        self.headings: list[int] = []
        self.labels: set[str] = set()
        self.controls: list[tuple[str, dict[str, str | None]]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text_parts: list[str] = []
        self.feed(text)
        self.close()
        if self.stack:
            self.problems.append(f"unclosed elements: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)
        if "id" in attributes:
            self.ids.append(str(attributes["id"]))
        if any(name.startswith("on") for name in attributes) or "style" in attributes:
            self.problems.append(f"inline script or style on <{tag}>")
        if tag == "style" or (tag == "script" and not attributes.get("src")):
            self.problems.append(f"<{tag}> element")  # a script file of this server is fine (the CSP says so); inline code is not
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))
        if tag == "link" and attributes.get("rel") in ("stylesheet", "icon", "preload", "modulepreload"):
            self.loads.append(str(attributes.get("href")))
        if tag in LOADS and attributes.get(LOADS[tag]):
            self.loads.append(str(attributes[LOADS[tag]]))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "th" and "scope" not in attributes:
            self.problems.append("<th> without scope")
        if tag == "label" and attributes.get("for"):
            self.labels.add(str(attributes["for"]))
        if tag in ("input", "select", "textarea") and attributes.get("type") not in ("hidden", "submit"):
            self.controls.append((tag, attributes))
        if tag == "img" and "alt" not in attributes:
            self.problems.append("<img> without alt")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "script" and data.strip():
            self.problems.append("code inside a <script src> element")
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


def check_page(text: str) -> list[str]:
    """Problems of validity and accessibility the pages must not have."""
    page = Page(text)
    problems = list(page.problems)
    if not text.startswith("<!DOCTYPE html>"):
        problems.append("no doctype")
    if not any(tag == "html" and attrs.get("lang") == "en" for tag, attrs in page.tags):
        problems.append("no <html lang>")
    if not any(tag == "meta" and attrs.get("name") == "viewport" for tag, attrs in page.tags):
        problems.append("no viewport meta")
    if not any(tag == "meta" and attrs.get("charset") == "utf-8" for tag, attrs in page.tags):
        problems.append("no charset meta")
    if page.headings.count(1) != 1 or page.headings[0] != 1:
        problems.append(f"not one <h1> first: {page.headings[:5]}")
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        if after > before + 1:
            problems.append(f"heading level skipped: h{before} then h{after}")
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    if duplicates:
        problems.append(f"duplicate ids {sorted(duplicates)[:5]}")
    for link in page.links:
        if link.startswith("#") and link[1:] not in page.ids:
            problems.append(f"link to missing anchor {link}")
    for tag, attrs in page.controls:
        if attrs.get("id") not in page.labels and not attrs.get("aria-label"):
            problems.append(f"<{tag}> without a label")
    for load in page.loads:
        if not load.startswith("/") or load.startswith("//"):
            problems.append(f"resource from another origin: {load}")
    return problems


@pytest.fixture(scope="module")
def browser_client(app: Flask) -> FlaskClient:
    """One test client for the whole module (the `client` fixture is per test)."""
    return app.test_client()


@pytest.fixture(scope="module")
def pages(browser_client: FlaskClient) -> dict[str, TestResponse]:
    return {path: browser_client.get(path, headers={"Accept": BROWSER}) for path in PAGES}


def html(client: FlaskClient, path: str, **params: object) -> TestResponse:
    """GET `path` as a browser does."""
    return client.get(path, query_string=params or None, headers={"Accept": BROWSER})


def test_every_page_is_valid_accessible_html(pages: dict[str, TestResponse]) -> None:
    for path, answer in pages.items():
        assert answer.status_code == 200, path
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8", path
        assert check_page(answer.text) == [], path


def test_every_html_answer_carries_a_content_security_policy_that_allows_no_outside_origin(pages: dict[str, TestResponse],
                                                                                            client: FlaskClient) -> None:
    missing = html(client, "/id/state/NOPE")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    for path, answer in [*pages.items(), ("404", missing)]:
        policy = answer.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "style-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "http" not in policy and "*" not in policy, path
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_no_page_loads_anything_from_another_origin_and_the_stylesheet_is_local(pages: dict[str, TestResponse], client: FlaskClient) -> None:
    for path, answer in pages.items():
        page = Page(answer.text)
        assert page.loads and all(load.startswith("/static/") for load in page.loads), (path, page.loads)
    with client.get("/static/spacekg.css") as css:  # a file answer: closing it closes the file
        assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
        assert "@import" not in css.text and "url(" not in css.text


def test_every_link_on_the_pages_resolves_on_the_same_app(pages: dict[str, TestResponse], browser_client: FlaskClient) -> None:
    internal: set[str] = set()
    for path, answer in pages.items():
        for link in Page(answer.text).links:
            absolute = urljoin(APP + path, link)
            if absolute.startswith(APP + "/"):
                internal.add(absolute.removeprefix(APP).partition("#")[0])
            else:
                assert urlsplit(absolute).scheme == "https" or link.startswith("http"), (path, link)  # outside: plain links to cited pages
    linked_kinds = {link.split("/")[2] for link in internal if link.startswith("/doc/")}
    assert linked_kinds == set(ENTITY_KINDS), "the pages link to an entity of every kind, so every kind's page is fetched below"
    assert {"/", "/query", "/chronology", "/norms", "/treaties", "/votes", "/ontology", "/validation", "/sparql"} <= internal

    broken = []
    for url in sorted(internal):
        with browser_client.get(url, headers={"Accept": BROWSER}, follow_redirects=True) as answer:  # dumps and static files are file answers
            if answer.status_code >= 400:
                broken.append((url, answer.status_code))
    assert not broken, broken[:10]


def test_links_to_ontology_terms_land_on_an_anchor_of_the_ontology_page(pages: dict[str, TestResponse]) -> None:
    anchors = set(Page(pages["/ontology"].text).ids)
    assert {"State", "Treaty", "partyTo", "DestructiveASATTest", "existing"} <= anchors
    checked = 0
    for path, answer in pages.items():
        for link in Page(answer.text).links:
            if link.startswith("/ontology#"):
                assert link.partition("#")[2] in anchors, (path, link)
                checked += 1
    assert checked, "some page links to an ontology term"


def test_the_landing_page_tells_what_the_graph_is_with_counts_and_the_dumps_with_checksums(pages: dict[str, TestResponse],
                                                                                          client: FlaskClient) -> None:
    text = Page(pages["/"].text).text
    assert "open knowledge graph of space diplomacy" in text
    machine = client.get("/").get_json()  # programs still get JSON
    assert machine["release"] in text
    assert machine["dumps"]
    for name, digest in machine["dumps"].items():
        assert name in text and digest in text
        assert f'href="/dumps/{name}"' in pages["/"].text
    states = {link for link in Page(pages["/browse/state"].text).links if link.startswith("/doc/state/")}
    assert f"states {len(states)} sovereign states" in text
    assert f"events {len(tiny_rows('events.csv'))} the chronology" in text
    assert 'type="application/json"' in pages["/"].text


def test_the_landing_page_answers_json_to_programs_and_html_to_browsers(client: FlaskClient) -> None:
    assert client.get("/", headers={"Accept": "application/json"}).get_json()["sparql"] == "/sparql"
    assert html(client, "/").headers["Content-Type"].startswith("text/html")
    assert "Accept" in client.get("/").headers["Vary"]


def test_the_query_page_lists_every_example_one_click_from_its_results(pages: dict[str, TestResponse], client: FlaskClient) -> None:
    page = pages["/query"].text
    examples = [link for link in Page(page).links if link.startswith("/query?query=")]
    assert len(examples) == len(list((PROJECT / "queries").glob("*.rq")))
    answer = html(client, examples[0])
    assert answer.status_code == 200 and '<table class="answer">' in answer.text
    assert pages["/sparql"].text.count("/query?query=") == len(examples), "GET /sparql from a browser shows the same page"


def test_the_query_page_shows_results_with_entity_links_downloads_and_a_shareable_url(pages: dict[str, TestResponse], client: FlaskClient) -> None:
    page = pages[TREATY_QUERY].text
    assert "Outer Space Treaty" in page and 'href="/doc/instrument/ost"' in page
    links = Page(page).links
    downloads = {parse_qs(urlsplit(link).query)["format"][0]: link for link in links if link.startswith("/sparql?")}
    assert set(downloads) == {"json", "xml", "csv", "tsv"}
    rows = list(csv.DictReader(io.StringIO(client.get(downloads["csv"]).text)))
    assert {"s", "l"} == set(rows[0]) and any(row["l"] == "Outer Space Treaty" for row in rows)
    share = re.search(r'<input id="share" type="url" readonly value="([^"]+)"', page)
    assert share
    shared = urlsplit(share.group(1).replace("&amp;", "&"))
    assert f"{shared.scheme}://{shared.netloc}{shared.path}" == APP + "/query"
    assert parse_qs(shared.query) == parse_qs(urlsplit(TREATY_QUERY).query)


def test_the_query_page_shows_errors_on_the_page(client: FlaskClient) -> None:
    for query, status, message in [("SELECT * WHERE { ?s ?p }", 400, "syntax error"), ("INSERT DATA { <a:a> <a:b> <a:c> }", 403, "read-only"),
                                   ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 403, "SERVICE")]:
        answer = html(client, "/query", query=query)
        assert answer.status_code == status and answer.headers["Content-Type"].startswith("text/html"), query
        assert message in answer.text and 'role="alert"' in answer.text and "<textarea" in answer.text


def test_the_query_page_can_query_one_graph_and_answers_ask_and_construct(client: FlaskClient) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s skg:partyTo ?i }"
    union = html(client, "/query", query=count).text
    asserted = html(client, "/query", query=count, graph=f"{BASE}graph/asserted").text
    assert re.search(r"<td><bdi title=\"xsd:integer\">[1-9]\d*</bdi></td>", union)
    assert '<td><bdi title="xsd:integer">0</bdi></td>' in asserted and "default-graph-uri=" in asserted
    assert "yes (true)" in html(client, "/query", query="ASK { ?s a skg:Treaty }").text
    construct = html(client, "/query", query="CONSTRUCT WHERE { <https://w3id.org/spacekg/id/state/FRA> ?p ?o }").text
    assert "triples" in construct and "format=turtle" in construct


def test_a_treaty_page_shows_dates_depositaries_and_its_parties_and_signatories(pages: dict[str, TestResponse]) -> None:
    text = Page(pages["/doc/instrument/ost"].text).text
    for fact in ("opened for signature 1967-01-27", "entry into force 1967-10-10", "depositary Russian Federation United Kingdom United States",
                 "Status of every state and organisation", "Every record of parties and signatories",
                 "Australia party why? signatory why?"):
        assert fact in text, fact
    assert re.search(r"ratified 1967-10-10", text)


def test_a_state_page_shows_its_status_across_all_instruments_with_explanations(pages: dict[str, TestResponse]) -> None:
    page = pages["/doc/state/USA"].text
    text = Page(page).text
    assert "Current treaty status" in text and "Every record, by instrument" in text
    assert "Artemis Accords signatory" in text and "Liability Convention party" in text
    why = [parse_qs(urlsplit(link).query) for link in Page(page).links if link.startswith("/why?")]
    assert why and all(f"{BASE}id/state/USA" in (asked["s"][0], asked["o"][0]) for asked in why)
    assert {"p": [f"{BASE}ontology#partyTo"], "s": [f"{BASE}id/state/USA"], "o": [f"{BASE}id/instrument/liab"]} in why


def test_an_event_page_shows_its_date_actors_and_sources(pages: dict[str, TestResponse]) -> None:
    page = pages["/doc/event/E044"].text
    text = Page(page).text
    assert "date 1985-09-13" in text and "involves United States" in text and "destructive ASAT test" in text
    assert 'href="https://www.defensedaily.com/' in page and 'rel="external noopener noreferrer"' in page
    assert f"curated in data/events.csv:{tiny_line('events.csv', id='E044')}" in text


def test_a_norm_page_shows_its_assessment_and_codifying_instruments(pages: dict[str, TestResponse]) -> None:
    text = Page(pages["/doc/norm/no-wmd-in-orbit"].text).text
    assert "Status existing" in text and "Outer Space Treaty" in text and "Moon Agreement" in text


def test_inferred_statements_are_marked_and_explained(pages: dict[str, TestResponse], client: FlaskClient) -> None:
    page = pages["/doc/participation/AUS-moon-accession"].text
    assert "inferred" in page and "/why?" in page
    tree = Page(pages[WHY_AUS_MOON].text).text
    line = tiny_line("participation_actions.csv", actor="AUS", instrument="moon", action="accession")
    assert "prp-spo1" in tree and "prp-spo2" in tree and f"data/participation_actions.csv:{line}" in tree
    params = {"s": f"{BASE}id/state/AUS", "p": f"{BASE}ontology#partyTo", "o": f"{BASE}id/instrument/moon"}
    explained = client.get("/why.json", query_string=params).get_json()
    assert explained["rule"] == "prp-spo1" and explained["premises"]
    asserted = html(client, "/why", **{**params, "p": f"{BASE}ontology#iso3166Alpha3", "o": '"AUS"'})
    assert asserted.status_code == 404 and "asserted, not inferred" in asserted.text


def test_the_chronology_lists_events_in_time_order_with_their_sources(pages: dict[str, TestResponse]) -> None:
    page = pages["/chronology"].text
    dates = re.findall(r'<td class="date">([0-9-]+)</td>', page)
    first_day = [date + "-01-01"[len(date) - 4:] if len(date) < 10 else date for date in dates]  # 1985 -> 1985-01-01
    events = tiny_rows("events.csv")
    assert sorted(dates) == sorted(row["date"] for row in events) and first_day == sorted(first_day)
    assert page.count("<ul class=\"compact\"><li><a href=\"/doc/citation/") == sum(1 for row in events if row["sources"]), "each event with its sources"


def test_the_chronology_filters_by_type_and_years(client: FlaskClient) -> None:
    events = tiny_rows("events.csv")
    answer = html(client, "/chronology", type="DestructiveASATTest", **{"from": "2000", "to": "2030"})
    dates = re.findall(r'<td class="date">([0-9-]+)</td>', answer.text)
    expected = sorted(row["date"] for row in events if row["type"] == "destructive-asat-test" and "2000" <= row["date"][:4] <= "2030")
    assert expected and dates == expected
    assert 'value="DestructiveASATTest" checked' in answer.text and "format=json" in answer.text
    both = client.get("/chronology", query_string=[("type", "Workshop"), ("type", "ResolutionAdoption")], headers={"Accept": BROWSER})
    chosen = [row["date"] for row in events if row["type"] in ("workshop", "un-resolution")]
    assert len(chosen) >= 2 and len(re.findall(r'<td class="date">', both.text)) == len(chosen), "events of either type"
    bad = html(client, "/chronology", **{"from": "nineteen"})
    assert bad.status_code == 400 and "is not a year" in bad.text
    unknown = client.get("/chronology", query_string={"type": "Picnic"})
    assert unknown.status_code == 400 and unknown.headers["Content-Type"].startswith("text/plain")


def test_the_norms_matrix_places_every_norm_and_lists_codifying_instruments(pages: dict[str, TestResponse]) -> None:
    page = pages["/norms"].text
    norms = {row["id"] for row in tiny_rows("norms.csv")}
    assert {link.removeprefix("/doc/norm/") for link in Page(page).links if link.startswith("/doc/norm/")} == norms
    for norm in norms:
        assert page.count(f'href="/doc/norm/{norm}"') >= 2, f"{norm} is placed in the matrix and listed with its instruments"
    text = Page(page).text
    assert "existing" in text and "emerging" in text and "proposed" in text and "strong" in text
    assert "Outer Space Treaty" in text


def test_the_treaty_table_shows_every_state_and_our_counts_beside_the_official_totals(pages: dict[str, TestResponse]) -> None:
    """Every state of the graph has a row: one that no source covers shows "not covered by any source", not a blank."""
    page = pages["/treaties"].text
    text = Page(page).text
    for treaty in ("Outer Space Treaty", "Rescue Agreement", "Liability Convention", "Registration Convention", "Moon Agreement"):
        assert treaty in text
    official = next(row for row in tiny_rows("treaty_totals.csv") if row["instrument"] == "reg" and row["as_of"] == "2026-01-01")
    count = f"/doc/count/reg-{official['sources']}"
    assert re.search(rf'href="{count}"><bdi>{official["parties"]}</bdi></a>', page), "the official number of parties, linked to its record"
    states = {link.removeprefix("/doc/state/") for link in Page(pages["/browse/state"].text).links if link.startswith("/doc/state/")}
    assert set(re.findall(r'<th scope="row"><a href="/doc/state/([A-Z]{3})"', page)) == states
    assert "not covered by any source" in text


def test_the_ontology_page_documents_every_term_with_domain_range_and_hierarchy(pages: dict[str, TestResponse]) -> None:
    page = pages["/ontology"].text
    text = Page(page).text
    assert "Class hierarchy" in text and "transitive" in text and "property chain" in text
    entry = page[page.index('<article class="term" id="partyTo">'):]
    entry = entry[:entry.index("</article>")]
    assert "domain" in entry and "range" in entry and "inverse of" in entry and 'href="/ontology#hasParty"' in entry


def test_browse_lists_every_entity_of_a_kind_and_refuses_unknown_kinds(pages: dict[str, TestResponse], client: FlaskClient) -> None:
    states = {link.removeprefix("/doc/state/") for link in Page(pages["/browse/state"].text).links if link.startswith("/doc/state/")}
    # every state the tiny data names: participation actors, event actors, depositaries, countries of organisations, voters
    assert states == {"AFG", "AUS", "CHN", "FRA", "GBR", "IND", "ITA", "KAZ", "RUS", "SAU", "SUN", "TKM", "UKR", "USA"}
    events = {link.removeprefix("/doc/event/") for link in Page(pages["/browse/event"].text).links if link.startswith("/doc/event/")}
    assert events == {row["id"] for row in tiny_rows("events.csv")}
    assert client.get("/browse/planets").status_code == 404


def test_every_error_of_the_app_is_a_page_for_browsers_and_plain_text_for_clients(client: FlaskClient) -> None:
    """Errors outside the pages' own routes too: the endpoint's syntax errors, refusals, unknown paths."""
    cases = [("/sparql", {"query": "SELECT * WHERE { ?s ?p }"}, 400, "syntax error"),
             ("/sparql", {"update": "DROP ALL"}, 403, "read-only"),
             ("/no/such/page", {}, 404, "Not Found")]
    for path, params, status, words in cases:
        page = html(client, path, **params)
        assert page.status_code == status and page.headers["Content-Type"].startswith("text/html"), path
        assert f"<h1>{status} " in page.text and words in page.text and "Content-Security-Policy" in page.headers
        plain = client.get(path, query_string=params)
        assert plain.status_code == status and plain.headers["Content-Type"].startswith("text/plain"), path
        assert words in plain.text and not plain.text.lstrip().startswith("<")
