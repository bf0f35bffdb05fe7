"""The maps in a real browser (Chromium, tests/browsing.py): a treaty's status page and a roll call's page render at
1280 and 390 px with no console error and no CSP violation, fit the width, and a map's mark leads to the state's page.
Screenshots go to test-artifacts/ (map-<instrument>-1280.png, map-<instrument>-390.png, map-<instrument>-as-of-1280.png,
roll-call-1280.png, roll-call-390.png).
"""

from __future__ import annotations

from typing import Any

import pytest

from browsing import fits_width, screenshot
from test_pages import tiny_rows

INSTRUMENT = "ost"
ROLL_CALL = sorted({row["id"] for row in tiny_rows("un_roll_calls.csv")})[0]


def _show(page: Any, selector: str) -> None:
    """Scroll the picture into view and wait until the browser has laid it out."""
    picture = page.locator(selector)
    picture.evaluate("element => element.scrollIntoView({block: 'start'})")
    assert picture.bounding_box()["width"] > 300


@pytest.mark.server
def test_a_treaty_map_renders_on_a_desktop_and_fits(page: Any, tiny_server: str) -> None:
    page.goto(f"{tiny_server}/treaties/{INSTRUMENT}")
    _show(page, "#status-map-figure")
    assert fits_width(page)
    screenshot(page, f"map-{INSTRUMENT}-1280")
    page.goto(f"{tiny_server}/treaties/{INSTRUMENT}?date=1990-01-01")
    _show(page, "#parties-chart-figure")
    assert fits_width(page)
    screenshot(page, f"chart-{INSTRUMENT}-as-of-1280")
    _show(page, "#status-map-figure")
    screenshot(page, f"map-{INSTRUMENT}-as-of-1280")


@pytest.mark.server
def test_a_treaty_map_renders_on_a_phone_and_fits(phone: Any, tiny_server: str) -> None:
    phone.goto(f"{tiny_server}/treaties/{INSTRUMENT}")
    _show(phone, "#status-map-figure")
    assert fits_width(phone)
    screenshot(phone, f"map-{INSTRUMENT}-390")
    _show(phone, "#parties-chart-figure")
    screenshot(phone, f"chart-{INSTRUMENT}-390")


@pytest.mark.server
def test_clicking_a_state_on_the_map_opens_its_page(page: Any, tiny_server: str) -> None:
    page.goto(f"{tiny_server}/treaties/{INSTRUMENT}")
    mark = page.locator('svg#status-map a[href="/doc/state/USA"]')
    mark.click()
    page.wait_for_url(f"{tiny_server}/doc/state/USA")
    assert "United States" in page.locator("h1").inner_text()


@pytest.mark.server
def test_a_roll_call_map_and_totals_render_on_a_desktop_and_a_phone(page: Any, phone: Any, tiny_server: str) -> None:
    for viewer, width in ((page, 1280), (phone, 390)):
        viewer.goto(f"{tiny_server}/doc/rollcall/{ROLL_CALL}")
        _show(viewer, "#vote-totals-figure")
        _show(viewer, "#vote-map-figure")
        assert fits_width(viewer)
        screenshot(viewer, f"roll-call-{width}")
