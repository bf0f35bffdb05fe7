"""What every browser test shares: Debian's Chromium driven by Playwright, pages that record console errors and
requests to other origins, and screenshots in test-artifacts/ (git-ignored, kept by CI as artifacts).

The fixtures are a pytest plugin (conftest.py lists this module in `pytest_plugins`); `browser` skips the test that
asks for it when Playwright or Chromium is missing.
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
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium with a fresh profile (Playwright's launch makes a temporary one), never a downloaded browser build."""
    playwright_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need the Python package playwright (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        pytest.skip("the browser tests need Debian's chromium: apt-get install chromium")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTS)
        yield launched
        launched.close()


def watched_page(browser: Any, server: str, **context_options: Any) -> Iterator[Any]:
    """A page whose console errors (CSP violations among them) and requests to other origins are recorded, and checked at the end."""
    context = browser.new_context(**context_options)
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


@pytest.fixture
def page(browser: Any, tiny_server: str) -> Iterator[Any]:
    """A desktop page (1280 px wide) on the tiny release's server."""
    yield from watched_page(browser, tiny_server, viewport=DESKTOP)


@pytest.fixture
def phone(browser: Any, tiny_server: str) -> Iterator[Any]:
    """A phone's page (390 px wide, touch, 2x pixels) on the tiny release's server."""
    yield from watched_page(browser, tiny_server, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)


def screenshot(page: Any, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def fits_width(page: Any) -> bool:
    """Whether the page fits its viewport's width (nothing makes the whole page scroll sideways)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def write_query(page: Any, text: str) -> None:
    """Replace the query page's query with `text`, in the editor (static/query-editor.js) or, without JavaScript, the textarea."""
    if page.locator(".query-editor .CodeMirror").count():
        page.locator(".query-editor .CodeMirror").click()
        page.keyboard.press("ControlOrMeta+A")
        page.keyboard.press("Delete")
        if text:
            page.keyboard.insert_text(text)  # as a paste: no key events, so completion pop-ups cannot change what is written
    else:
        page.get_by_label("SPARQL query").fill(text)
