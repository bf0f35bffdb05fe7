"""A reader's path through the site in a real headless Chromium (Debian's, driven by Playwright), with screenshots.

Landing page -> query page -> an example's results -> an entity page -> the chronology, filtered -> the validation
report; on the way nothing is fetched from another origin, nothing breaks the content security policy, and an
entity page fits a phone's width. Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGUMENTS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

playwright_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need the Python package playwright (pip install -e '.[test]')")
if not Path(CHROMIUM).exists():
    pytest.skip("the browser tests need Debian's chromium: apt-get install chromium", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium with a fresh profile (Playwright's launch makes a temporary one), never a downloaded browser build."""
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A page whose console errors (CSP violations among them) and requests to other origins are recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.console_errors = []
    opened.foreign_requests = []
    # An error page (a query with a syntax error answers 400) is logged as a failed load: only failed sub-resources count.
    opened.on("console", lambda message: opened.console_errors.append(message.text)
              if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    opened.on("response", lambda response: opened.console_errors.append(f"{response.status} {response.url}")
              if response.status >= 400 and response.request.resource_type != "document" else None)
    opened.on("request", lambda request: None if request.url.startswith(server) else opened.foreign_requests.append(request.url))
    yield opened
    assert opened.console_errors == [], "no console error and no content security policy violation"
    assert opened.foreign_requests == [], "nothing is fetched from another origin"
    context.close()


def _screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_a_reader_runs_an_example_query_and_follows_a_result_to_its_entity_page(page: Any, server: str) -> None:
    page.goto(server + "/")
    assert page.locator("h1").inner_text().startswith("SpaceKG")
    assert page.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor") != "rgba(0, 0, 0, 0)", "the stylesheet loaded"
    _screenshot(page, "landing")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Query").click()
    page.wait_for_url(server + "/query")
    page.get_by_role("link", name="Parties and signatories of each UN space treaty").click()
    page.wait_for_selector("table.answer")
    rows = page.locator("table.answer tbody tr")
    assert rows.count() > 100
    assert "treaty-parties-and-signatories" not in page.url and "query=" in page.url, "the URL is the shareable link"
    _screenshot(page, "query")
    cell = page.locator("table.answer tbody td", has=page.locator("a[href^='/doc/']")).first
    href, label = cell.locator("a").get_attribute("href"), cell.locator("bdi.label").inner_text()
    cell.locator("a").click()
    page.wait_for_url(server + href)
    assert page.locator("h1").inner_text() == label
    _screenshot(page, "entity")


def test_a_reader_edits_and_runs_a_query_of_their_own(page: Any, server: str) -> None:
    page.goto(server + "/query")
    page.get_by_label("SPARQL query").fill("SELECT ?treaty ?date WHERE { ?treaty a skg:Treaty ; skg:entryIntoForce ?date } ORDER BY ?date")
    page.get_by_role("button", name="Run query").click()
    page.wait_for_selector("table.answer")
    dates = page.locator("table.answer tbody td:nth-child(2)").all_inner_texts()
    assert len(dates) >= 3 and dates == sorted(dates)
    assert page.get_by_role("link", name="instrument:ost").count() == 1
    page.get_by_label("SPARQL query").fill("SELECT * WHERE { ?s ?p }")
    page.get_by_role("button", name="Run query").click()
    assert "syntax error" in page.get_by_role("alert").inner_text()


def test_a_reader_filters_the_chronology_by_type_and_years(page: Any, server: str) -> None:
    page.goto(server + "/chronology")
    page.get_by_label("destructive ASAT test").check()
    page.get_by_label("From").fill("1980")
    page.get_by_label("to", exact=True).fill("2010")
    page.get_by_role("button", name="Show events").click()
    page.wait_for_url("**/chronology?**")
    dates = page.locator("table.chronology td.date").all_inner_texts()
    assert dates and all("1980" <= date[:4] <= "2010" for date in dates)
    assert all(kind == "destructive ASAT test" for kind in page.locator("table.chronology tbody td:nth-child(3)").all_inner_texts())
    _screenshot(page, "chronology")


def test_a_reader_opens_the_validation_report_and_an_explanation(page: Any, server: str) -> None:
    page.goto(server + "/validation")
    assert page.locator("h1").inner_text() == "Validation report"
    _screenshot(page, "validation")
    page.goto(server + "/doc/state/AUS")
    page.locator("table.participation a.why").first.click()
    page.wait_for_selector("ul.explanation")
    assert "inferred by rule" in page.locator("ul.explanation").inner_text()
    _screenshot(page, "why")


def test_an_entity_page_fits_a_phone_screen(browser: Any, server: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True)
    phone = context.new_page()
    for path in ("/doc/instrument/ost", "/treaties", "/"):
        phone.goto(server + path)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{path} scrolls sideways"
    phone.goto(server + "/doc/instrument/ost")
    _screenshot(phone, "entity-phone")
    context.close()
