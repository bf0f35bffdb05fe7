"""The two widest pages in a real Chromium: the treaty status matrix at 1280 and 1920 px (every column on screen, a sticky
header row and state column, a sideways scrollbar within reach) and at 390 px, and the validation report at both widths.
Screenshots: test-artifacts/treaties-1280.png, treaties-390.png, validation-1280.png, validation-390.png.

A real server (the session's `tiny_server`) because the browser is a separate process; every test is marked `server`.
"""

from __future__ import annotations

from typing import Any

import pytest

from browsing import fits_width, screenshot

BOX = ".matrix-scroll"
# The matrix's box and its header cells, in viewport coordinates.
GEOMETRY = """() => {
  const box = document.querySelector('.matrix-scroll');
  const rect = (element) => { const r = element.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  return {box: rect(box), scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, scrollHeight: box.scrollHeight,
          clientHeight: box.clientHeight, headers: [...box.querySelectorAll('thead th')].map(rect),
          firstColumn: rect(box.querySelector('tbody tr:nth-child(3) th')), innerWidth: window.innerWidth, innerHeight: window.innerHeight};
}"""


def _matrix(page: Any, server: str) -> dict[str, Any]:
    page.goto(server + "/treaties")
    page.locator("#by-state").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('by-state').scrollIntoView()")
    geometry: dict[str, Any] = page.evaluate(GEOMETRY)
    return geometry


@pytest.mark.server
@pytest.mark.parametrize("width", [1280, 1920])
def test_every_column_of_the_treaty_matrix_is_on_screen_at_desktop_widths(page: Any, tiny_server: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    geometry = _matrix(page, tiny_server)
    assert len(geometry["headers"]) == 6, "the state column and the five treaties"
    for header in geometry["headers"]:
        assert header["right"] <= geometry["box"]["right"] + 1 and header["right"] <= geometry["innerWidth"], (header, geometry["box"])
    assert geometry["scrollWidth"] <= geometry["clientWidth"] + 1, "nothing of the matrix is hidden sideways"
    assert fits_width(page), "the page does not scroll sideways"
    assert [page.locator("table.treaties thead abbr").nth(n).get_attribute("title") for n in range(5)] == [
        "Outer Space Treaty", "Rescue Agreement", "Liability Convention", "Registration Convention", "Moon Agreement"], "full names on hover"
    if width == 1280:
        screenshot(page, "treaties-1280")


@pytest.mark.server
def test_the_matrix_header_stays_visible_after_scrolling_the_table_and_its_scrollbar_is_within_reach(page: Any, tiny_server: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 600})  # the tiny matrix is taller than its box at this height
    geometry = _matrix(page, tiny_server)
    assert geometry["scrollHeight"] > geometry["clientHeight"], "the matrix scrolls within its box"
    assert geometry["box"]["bottom"] - geometry["box"]["top"] <= geometry["innerHeight"], "the box (and its bottom scrollbar) fits the screen"
    page.evaluate(f"document.querySelector('{BOX}').scrollTop = 400")
    after: dict[str, Any] = page.evaluate(GEOMETRY)
    header = after["headers"][1]
    assert abs(header["top"] - after["box"]["top"]) <= 2, "the header row sticks to the top of the box"
    x, y = (header["left"] + header["right"]) / 2, (header["top"] + header["bottom"]) / 2
    assert page.evaluate(f"document.elementFromPoint({x}, {y}).closest('thead') !== null"), "nothing covers the header"


@pytest.mark.server
def test_the_treaties_and_validation_pages_fit_a_phone(phone: Any, tiny_server: str) -> None:
    geometry = _matrix(phone, tiny_server)
    assert fits_width(phone), "/treaties scrolls sideways"
    assert geometry["scrollWidth"] > geometry["clientWidth"], "on a phone the matrix scrolls sideways within its box"
    phone.evaluate(f"document.querySelector('{BOX}').scrollLeft = 200; document.querySelector('{BOX}').scrollTop = 300")
    after: dict[str, Any] = phone.evaluate(GEOMETRY)
    assert abs(after["firstColumn"]["left"] - after["box"]["left"]) <= 2, "the state column sticks to the left of the box"
    screenshot(phone, "treaties-390")
    phone.goto(tiny_server + "/validation")
    assert fits_width(phone), "/validation scrolls sideways"
    screenshot(phone, "validation-390")


@pytest.mark.server
def test_the_validation_report_opens_with_its_summary_and_spells_shape_names_whole(page: Any, tiny_server: str) -> None:
    page.goto(tiny_server + "/validation")
    assert fits_width(page)
    assert page.locator("#summary").is_visible() and page.locator("#summary").bounding_box()["y"] < 900, "the summary is on the first screen"
    page.locator("details.shape-group").first.locator("summary").click()  # a fold opens without JavaScript of ours
    lines = page.evaluate("[...document.querySelectorAll('code.shape')].map(e => e.getClientRects().length).filter(n => n > 0)")
    assert lines and max(lines) == 1, "every shape name shown is on one line"
    screenshot(page, "validation-1280")
