"""Screenshots of SpaceKG's pages on a running server, at a desktop (1280 px) and a phone (390 px) width.

The browser tests take their screenshots over the tiny fixture graph; this takes the same pages over a real release, for
a reviewer to look at before calling a page done. Each shot is the top of the page, or of the element a path names after
`#` (scrolled into view), light colour scheme unless the name ends in `-dark`. Console errors are printed.

    python scripts/screenshots.py http://127.0.0.1:5077 OUT_DIR [--only NAME ...]

Debian's Chromium through Playwright, as the browser tests use; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGUMENTS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
WIDTHS = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}
# name -> path (and the element to show first, after '#')
SHOTS = {
    "timeline": "/chronology#timeline",
    "map-ost": "/treaties/ost#status-map-figure",
    "map-ost-1980": "/treaties/ost?date=1980-01-01#status-map-figure",
    "map-arra": "/treaties/arra#status-map-figure",
    "map-liab": "/treaties/liab#status-map-figure",
    "map-reg": "/treaties/reg#status-map-figure",
    "map-moon": "/treaties/moon#status-map-figure",
    "steps-ost": "/treaties/ost#parties-chart-figure",
    "steps-moon": "/treaties/moon#parties-chart-figure",
    "roll-call": "/doc/rollcall/undl-9562#vote-map-figure",  # A/RES/77/41, destructive direct-ascent ASAT testing
    "voting-record": "/doc/state/IND#voting-record",
    "agreement": "/votes/agreement?a=IND&b=USA",
    "editor": "/query",
    "editor-dark": "/query",
    "search": "/search?q=kaz",
    "treaties": "/treaties",
    "validation": "/validation",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server")
    parser.add_argument("out", type=Path)
    parser.add_argument("--only", nargs="*", default=[])
    arguments = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    arguments.out.mkdir(parents=True, exist_ok=True)
    failures = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTS)
        for name, path in SHOTS.items():
            if arguments.only and name not in arguments.only:
                continue
            address, _, element = path.partition("#")
            for width, viewport in WIDTHS.items():
                context = browser.new_context(viewport=viewport, color_scheme="dark" if name.endswith("-dark") else "light",
                                              device_scale_factor=1 if width == "1280" else 2, is_mobile=width == "390")
                page = context.new_page()
                errors: list[str] = []
                page.on("console", lambda message, errors=errors: errors.append(message.text) if message.type == "error" else None)
                response = page.goto(arguments.server + address)
                status = response.status if response else 0
                if element and page.locator(f"#{element}").count():
                    page.locator(f"#{element}").scroll_into_view_if_needed()
                    page.evaluate(f"document.getElementById({element!r}).scrollIntoView({{block: 'start'}})")
                file = arguments.out / f"{name}-{width}.png"
                page.screenshot(path=str(file))
                print(f"{file}  {status}  {'console errors: ' + '; '.join(errors) if errors else ''}")
                failures += status != 200 or bool(errors)
                context.close()
        browser.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
