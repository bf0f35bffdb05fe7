"""A reader finds a state from the search box in any page's header, in a real browser, on a desktop and on a phone:
Kazakhstan (the issue's example, in the tiny data for this test) by the start of its name, its name and its ISO code,
and the first result opens its page. Screenshots of the results: test-artifacts/search-1280.png and search-390.png.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from browsing import fits_width, screenshot

# (what the reader types, the page they type it on, the browsing fixture: "page" 1280 px or "phone" 390 px)
SEARCHES = [
    ("kaz", "/", "page"),
    ("kaz", "/treaties", "phone"),
    ("Kazakhstan", "/doc/instrument/ost", "page"),
    ("Kazakhstan", "/chronology", "phone"),
    ("KAZ", "/votes", "page"),
    ("KAZ", "/query", "phone"),
]


@pytest.mark.server
@pytest.mark.parametrize(("typed", "start", "fixture"), SEARCHES)
def test_a_reader_finds_kazakhstan_from_the_header_search_box_and_opens_its_page(request: pytest.FixtureRequest, tiny_server: str,
                                                                                 typed: str, start: str, fixture: str) -> None:
    page = request.getfixturevalue(fixture)
    page.goto(tiny_server + start)
    box = page.locator("header.site").get_by_role("searchbox", name="Search SpaceKG")
    box.fill(typed)
    box.press("Enter")  # the header's form has no button: Enter submits it, as in any search field
    page.wait_for_url("**/search?**")
    assert parse_qs(urlsplit(page.url).query)["q"] == [typed]
    first = page.locator("ol.search-results > li").first
    assert first.get_by_role("link").inner_text() == "Kazakhstan"
    assert first.locator(".kind").inner_text() == "state"
    assert fits_width(page), "the results fit the screen's width"
    if typed == "kaz":
        screenshot(page, f"search-{page.viewport_size['width']}")
    first.get_by_role("link").click()
    page.wait_for_url(tiny_server + "/doc/state/KAZ")
    assert page.locator("h1").inner_text() == "Kazakhstan"
