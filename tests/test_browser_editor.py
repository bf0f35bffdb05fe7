"""The query page's editor in a real headless Chromium: YASQE over the textarea, offline, under the page's CSP.

The `page` and `phone` fixtures (tests/browsing.py) fail a test on any console error, any content security policy
violation and any request to another origin, so every test here also checks that the editor loads and runs offline.
Screenshots go to test-artifacts/ (editor-1280.png, editor-390.png).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browsing import fits_width, screenshot, watched_page, write_query

OWN_QUERY = "SELECT ?treaty ?date WHERE { ?treaty a skg:LegallyBindingInstrument ; skg:entryIntoForce ?date } ORDER BY ?date"
CHRONOLOGY = "Chronology of space diplomacy between two dates"


@pytest.fixture
def no_script(browser: Any, tiny_server: str) -> Iterator[Any]:
    """A desktop page with JavaScript switched off."""
    yield from watched_page(browser, tiny_server, viewport={"width": 1280, "height": 900}, java_script_enabled=False)


def open_editor(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".query-editor .CodeMirror")


def hints(page: Any) -> list[str]:
    """The completions the editor offers now."""
    page.wait_for_selector(".CodeMirror-hints li", timeout=5000)
    return [text.strip() for text in page.locator(".CodeMirror-hints li").all_inner_texts()]


@pytest.mark.server
def test_the_editor_replaces_the_textarea_and_highlights_the_query(page: Any, tiny_server: str) -> None:
    open_editor(page, tiny_server + "/query")
    assert page.locator("textarea#query").is_hidden(), "the textarea stays in the form, hidden, and carries the text"
    assert page.locator(".CodeMirror .cm-keyword").count() > 0, "SELECT, WHERE... are highlighted"
    assert page.locator(".CodeMirror .cm-variable-2, .CodeMirror .cm-atom").count() > 0, "variables are highlighted"
    assert page.get_by_label("SPARQL query").count() == 1, "the label names the editor's input"
    assert page.locator("#editor-keys").is_visible()
    assert not page.locator(".yasqe_queryButton, .yasqe_share").count(), "YASQE's own run and share buttons are off"


@pytest.mark.server
def test_ctrl_enter_runs_the_query_typed_in_the_editor(page: Any, tiny_server: str) -> None:
    open_editor(page, tiny_server + "/query")
    write_query(page, "")
    page.keyboard.type("SELECT ?treaty ?date WHERE { ?treaty a skg:LegallyBindingInstrument ; skg:entryIntoForce ?date } ORDER BY ?date")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    page.wait_for_selector("table.answer")
    dates = page.locator("table.answer tbody td:nth-child(2)").all_inner_texts()
    assert dates == sorted(dates) and len(dates) > 0
    assert "query=" in page.url and "skg%3AentryIntoForce" in page.url.replace(":", "%3A")
    assert "skg:LegallyBindingInstrument" in page.locator(".CodeMirror").inner_text(), "the editor shows the query that ran"


@pytest.mark.server
def test_meta_enter_runs_the_query_as_on_a_mac(page: Any, tiny_server: str) -> None:
    open_editor(page, tiny_server + "/query")
    write_query(page, OWN_QUERY)
    with page.expect_navigation():
        page.keyboard.press("Meta+Enter")
    assert page.locator("table.answer tbody tr").count() > 0


@pytest.mark.server
def test_typing_a_prefix_declaration_offers_our_prefixes_only(page: Any, tiny_server: str) -> None:
    open_editor(page, tiny_server + "/query")
    write_query(page, "")
    page.keyboard.type("PREFIX s")
    offered = hints(page)
    assert "skg: <https://w3id.org/spacekg/ontology#>" in offered
    assert all(hint.split(":")[0] in ("skg", "skos", "schema", "sh") for hint in offered), "only the server's predeclared prefixes"
    page.keyboard.type("kg")
    assert hints(page) == ["skg: <https://w3id.org/spacekg/ontology#>"]
    page.keyboard.press("Enter")
    assert "PREFIX skg: <https://w3id.org/spacekg/ontology#>" in page.locator(".CodeMirror").inner_text()


@pytest.mark.server
def test_typing_sk_in_a_pattern_offers_skg(page: Any, tiny_server: str) -> None:
    open_editor(page, tiny_server + "/query")
    write_query(page, "")
    page.keyboard.type("SELECT * WHERE { ?s a sk")
    assert "skg:" in hints(page)


@pytest.mark.server
def test_a_syntax_error_is_marked_and_its_tooltip_breaks_no_policy(page: Any, tiny_server: str) -> None:
    open_editor(page, tiny_server + "/query")
    write_query(page, "SELECT * WHERE { ?s ?p }")
    page.locator(".parseErrorIcon").hover()
    assert page.locator(".yasqe_tooltip").is_visible()  # YASQE writes a style attribute here: the CSP allows it by hash


@pytest.mark.server
def test_the_chronology_example_opens_with_its_parameters_and_answers(page: Any, tiny_server: str) -> None:
    open_editor(page, tiny_server + "/query")
    page.get_by_role("link", name=CHRONOLOGY).click()
    page.wait_for_selector("table.answer")
    assert page.locator("table.answer tbody tr").count() > 0, "the regression: no row came back on the web"
    assert page.get_by_label("?from").input_value() == "1950-01-01"
    everything = page.locator("table.answer tbody tr").count()
    page.get_by_label("?from").fill("1990-01-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Run query").click()
    assert 0 < page.locator("table.answer tbody tr").count() <= everything
    assert "param.from=1990-01-01" in page.url


@pytest.mark.server
def test_the_form_works_without_javascript(no_script: Any, tiny_server: str) -> None:
    no_script.goto(tiny_server + "/query")
    assert not no_script.locator(".CodeMirror").count()
    assert no_script.locator("#editor-keys").is_hidden(), "no keyboard hint for an editor that is not there"
    write_query(no_script, OWN_QUERY)
    no_script.get_by_role("button", name="Run query").click()
    no_script.wait_for_selector("table.answer")
    dates = no_script.locator("table.answer tbody td:nth-child(2)").all_inner_texts()
    assert len(dates) > 0 and dates == sorted(dates)
    no_script.get_by_role("link", name=CHRONOLOGY).click()
    no_script.wait_for_selector("table.answer")
    assert no_script.locator("table.answer tbody tr").count() > 0 and no_script.get_by_label("?from").input_value() == "1950-01-01"


@pytest.mark.server
def test_the_editor_page_fits_a_desktop_and_a_phone(page: Any, phone: Any, tiny_server: str) -> None:
    for viewer, name in ((page, "editor-1280"), (phone, "editor-390")):
        open_editor(viewer, tiny_server + "/query")
        viewer.get_by_role("link", name=CHRONOLOGY).click()
        viewer.wait_for_selector("table.answer")
        viewer.locator("#query-input").focus()
        viewer.locator("h1").scroll_into_view_if_needed()
        assert fits_width(viewer), name
        box = viewer.locator(".query-editor .CodeMirror").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewer.viewport_size["width"], name
        screenshot(viewer, name, full_page=False)
