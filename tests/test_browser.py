"""A reader's path through the site in a real headless Chromium (Debian's, driven by Playwright), with screenshots.

Landing page -> query page -> an example's results -> an entity page -> the chronology, filtered -> the validation
report; on the way nothing is fetched from another origin, nothing breaks the content security policy, and an
entity page fits a phone's width. Screenshots go to test-artifacts/ (git-ignored).

A real server (the session's `tiny_server`: `spacekg serve` over the tiny release) because the browser is a separate process
that talks HTTP over a socket; every test is marked `server`.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from browsing import fits_width, screenshot, write_query


@pytest.mark.server
def test_a_reader_runs_an_example_query_and_follows_a_result_to_its_entity_page(page: Any, tiny_server: str) -> None:
    page.goto(tiny_server + "/")
    assert page.locator("h1").inner_text().startswith("SpaceKG")
    assert page.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor") != "rgba(0, 0, 0, 0)", "the stylesheet loaded"
    screenshot(page, "landing")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Query").click()
    page.wait_for_url(tiny_server + "/query")
    example = page.get_by_role("link", name="Parties and signatories of each UN space treaty")
    example.click()
    page.wait_for_selector("table.answer")
    rows = page.locator("table.answer tbody tr")
    # The example runs with its parameters bound (their fields are on the page); its download carries the same bound query.
    download = page.get_by_role("link", name="SPARQL JSON", exact=True).first.get_attribute("href")
    answer = requests.get(tiny_server + download, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    expected = len(answer.json()["results"]["bindings"])
    assert expected > 0 and rows.count() == expected, "every row of the example's answer is shown"
    assert "treaty-parties-and-signatories" not in page.url and "query=" in page.url, "the URL is the shareable link"
    screenshot(page, "query")
    cell = page.locator("table.answer tbody td", has=page.locator("a[href^='/doc/']")).first
    href, label = cell.locator("a").get_attribute("href"), cell.locator("bdi.label").inner_text()
    cell.locator("a").click()
    page.wait_for_url(tiny_server + href)
    assert page.locator("h1").inner_text() == label
    screenshot(page, "entity")


@pytest.mark.server
def test_a_reader_edits_and_runs_a_query_of_their_own(page: Any, tiny_server: str) -> None:
    page.goto(tiny_server + "/query")
    write_query(page, "SELECT ?treaty ?date WHERE { ?treaty a skg:LegallyBindingInstrument ; skg:entryIntoForce ?date } ORDER BY ?date")
    page.get_by_role("button", name="Run query").click()
    page.wait_for_selector("table.answer")
    dates = page.locator("table.answer tbody td:nth-child(2)").all_inner_texts()
    assert dates == ["1967-10-10", "1968-12-03", "1972-09-01", "1976-09-15", "1984-07-11"], "the five UN treaties (tiny instruments.csv), in order"
    assert page.get_by_role("link", name="instrument:ost").count() == 1
    write_query(page, "SELECT * WHERE { ?s ?p }")
    page.get_by_role("button", name="Run query").click()
    assert "syntax error" in page.get_by_role("alert").inner_text()


@pytest.mark.server
def test_a_reader_filters_the_chronology_by_type_and_years(page: Any, tiny_server: str) -> None:
    page.goto(tiny_server + "/chronology")
    page.get_by_role("checkbox", name="destructive ASAT test").check()  # by role: the timeline's marks name their type too
    page.get_by_label("From", exact=True).fill("1980")
    page.get_by_label("to", exact=True).fill("2010")
    page.get_by_role("button", name="Show events").click()
    page.wait_for_url("**/chronology?**")
    dates = page.locator("table.chronology td.date").all_inner_texts()
    assert dates == ["1985-09-13", "2007-01-11", "2008-02-21"], "E044, E065 and E071 of the tiny events.csv"
    assert all(kind == "destructive ASAT test" for kind in page.locator("table.chronology tbody td:nth-child(3)").all_inner_texts())
    screenshot(page, "chronology")


@pytest.mark.server
def test_a_reader_opens_the_validation_report_and_an_explanation(page: Any, tiny_server: str) -> None:
    page.goto(tiny_server + "/validation")
    assert page.locator("h1").inner_text() == "Validation report"
    screenshot(page, "validation")
    page.goto(tiny_server + "/doc/state/AUS")
    page.locator("table.participation a.why").first.click()
    page.wait_for_selector("ul.explanation")
    assert "inferred by rule" in page.locator("ul.explanation").inner_text()
    screenshot(page, "why")


@pytest.mark.server
def test_an_entity_page_fits_a_phone_screen(browser: Any, tiny_server: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True)
    phone = context.new_page()
    for path in ("/doc/instrument/ost", "/treaties", "/"):
        phone.goto(tiny_server + path)
        assert fits_width(phone), f"{path} scrolls sideways"
    phone.goto(tiny_server + "/doc/instrument/ost")
    screenshot(phone, "entity-phone")
    context.close()
