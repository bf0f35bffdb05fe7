"""The charts over time in a real headless Chromium: the chronology's timeline, a state's voting record and two states'
agreement render at 1280 and 390 px without a console error or a CSP violation, fit the width (a chart scrolls in its
own box on a phone, never the page), and their marks are links a reader can follow. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from typing import Any

import pytest

from browsing import fits_width, screenshot

PAGES = {"timeline": ("/chronology", "svg#timeline"), "voting-record": ("/doc/state/USA", "svg#voting-record-picture"),
         "agreement": ("/votes/agreement?a=GBR&b=USA", "svg#agreement-picture")}


def shows_chart(browsed: Any, server: str, name: str) -> None:
    """Open the page of one chart, check it is drawn with a size and the page fits, and keep a screenshot of the chart."""
    path, selector = PAGES[name]
    browsed.goto(server + path)
    chart = browsed.locator(selector)
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 50, "the chart is drawn with a size"
    assert chart.locator("a").count() > 0, "its marks are links"
    assert fits_width(browsed), "the page does not scroll sideways"
    chart.scroll_into_view_if_needed()
    screenshot(browsed, f"{name}-{browsed.viewport_size['width']}")


@pytest.mark.server
@pytest.mark.parametrize("name", list(PAGES))
def test_each_chart_renders_on_a_desktop(page: Any, tiny_server: str, name: str) -> None:
    shows_chart(page, tiny_server, name)


@pytest.mark.server
@pytest.mark.parametrize("name", list(PAGES))
def test_each_chart_renders_on_a_phone_and_scrolls_in_its_own_box(phone: Any, tiny_server: str, name: str) -> None:
    shows_chart(phone, tiny_server, name)
    scroller = phone.locator(f"{PAGES[name][1]} >> xpath=..")
    assert phone.evaluate("(element) => element.scrollWidth <= element.clientWidth + 1 || getComputedStyle(element).overflowX === 'auto'",
                          scroller.element_handle()), "a chart wider than the phone scrolls inside its box"


@pytest.mark.server
def test_clicking_a_mark_of_the_timeline_opens_the_event_page(page: Any, tiny_server: str) -> None:
    page.goto(tiny_server + "/chronology")
    mark = page.locator("svg#timeline a").first
    href, name = mark.get_attribute("href"), mark.get_attribute("aria-label")
    mark.click()
    page.wait_for_url(tiny_server + href)
    assert name is not None and page.locator("h1").inner_text() in name, "the event's page, named as the tooltip names it"


@pytest.mark.server
def test_clicking_a_point_of_the_agreement_shows_its_years_roll_calls(page: Any, tiny_server: str) -> None:
    page.goto(tiny_server + "/votes/agreement?a=GBR&b=USA")
    point = page.locator("svg#agreement-picture a").first
    href = point.get_attribute("href")
    point.click()
    page.wait_for_url(f"{tiny_server}/votes/agreement?a=GBR&b=USA{href}")
    assert page.locator(f"tbody{href} tr").count() > 0
