"""Page weight and render time of SpaceKG's pages on a running server (issue 17), as a table and as JSON.

For each path, as a reader's browser would ask for it (Accept: text/html):
- server time: the median (p50) and the first of N requests timed by the client, from sending the request to the
  last byte of the body (the first shows what a cold result cache costs, the median what a warm one does);
- HTML bytes as sent, and gzipped (level 6, what a compressing proxy in front would send; the app does not compress);
- total bytes of the page with its sub-resources (stylesheet, icon, pictures) as loaded by Chromium at 1280 px,
  bodies after decoding, counted from the browser's responses;
- the browser's timings in ms from the start of navigation (Navigation Timing and Paint Timing: responseEnd,
  domContentLoadedEventEnd, loadEventEnd, first-contentful-paint), the median of a few loads, each in a fresh
  browser context (an empty cache).

Debian's Chromium through Playwright, as the browser tests use; nothing is downloaded. Usage:

    python scripts/page_weight.py http://127.0.0.1:5084 /treaties /chronology /query / [--requests 20] [--loads 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import time
from typing import Any

import requests

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGUMENTS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
HTML = {"Accept": "text/html"}
TIMING_NAMES = ("responseEnd", "domContentLoaded", "load", "firstContentfulPaint")
# Read in the page after its load event: times are relative to the navigation's start (performance.timeOrigin).
TIMINGS = """() => {
  const navigation = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return {responseEnd: navigation.responseEnd, domContentLoaded: navigation.domContentLoadedEventEnd,
          load: navigation.loadEventEnd, firstContentfulPaint: paint ? paint.startTime : null};
}"""


def server_times(session: requests.Session, url: str, count: int) -> tuple[list[float], bytes]:
    """The client-side times in ms of `count` GET requests of an HTML page (body read in full), and the last body."""
    times, body = [], b""
    for _ in range(count):
        started = time.perf_counter()
        answer = session.get(url, headers={**HTML, "Accept-Encoding": "identity"}, timeout=120)
        body = answer.content
        times.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    return times, body


def browser_load(browser: Any, url: str) -> dict[str, Any]:
    """One load of the page in a fresh context: bytes of every response and the page's timings."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="load")
    timings: dict[str, Any] = page.evaluate(TIMINGS)
    deadline = time.monotonic() + 10
    # loadEventEnd is 0 until the load handlers have run, and a headless first paint may come after the load event
    while not (timings["load"] and timings["firstContentfulPaint"]) and time.monotonic() < deadline:
        time.sleep(0.05)
        timings = page.evaluate(TIMINGS)
    page.wait_for_load_state("networkidle")  # the icon is asked for after the load event
    sizes = {response.url: len(response.body()) for response in responses if response.status < 300}
    context.close()
    return {"timings": timings, "resources": sizes}


def p50(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def measure(base: str, paths: list[str], count: int, loads: int) -> list[dict[str, Any]]:
    """The figures of each path, in the order given."""
    from playwright.sync_api import sync_playwright  # only here: the rest of the module imports without a browser

    session = requests.Session()
    figures = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTS)
        for path in paths:
            url = base.rstrip("/") + path
            times, body = server_times(session, url, count)
            runs = [browser_load(browser, url) for _ in range(loads)]
            resources = runs[-1]["resources"]
            figures.append({
                "path": path,
                "server_ms": {"p50": p50(times), "first": round(times[0], 1), "requests": count},
                "html_bytes": len(body),
                "html_gzip_bytes": len(gzip.compress(body, compresslevel=6)),
                "total_bytes": sum(resources.values()),
                "resources": len(resources),
                "browser_ms": {name: p50(found) if (found := [run["timings"][name] for run in runs if run["timings"][name]]) else None
                               for name in TIMING_NAMES},
                "loads": loads,
            })
        browser.close()
    return figures


def table(figures: list[dict[str, Any]]) -> str:
    """The figures as a plain-text table, one row per path."""
    header = ("path", "server p50", "first", "HTML", "gzip", "total", "files", "responseEnd", "DCL", "load", "FCP")
    rows = [header] + [(
        figure["path"], f"{figure['server_ms']['p50']:.0f} ms", f"{figure['server_ms']['first']:.0f} ms",
        f"{figure['html_bytes'] / 1024:.1f} KiB", f"{figure['html_gzip_bytes'] / 1024:.1f} KiB", f"{figure['total_bytes'] / 1024:.1f} KiB",
        str(figure["resources"]), *("-" if figure["browser_ms"][name] is None else f"{figure['browser_ms'][name]:.0f} ms" for name in TIMING_NAMES),
    ) for figure in figures]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) if column == 0 else cell.rjust(width) for column, (cell, width) in enumerate(zip(row, widths, strict=True)))
                     for row in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("server", help="the server's base URL, e.g. http://127.0.0.1:5084")
    parser.add_argument("paths", nargs="*", default=["/", "/query", "/chronology", "/treaties"],
                        help="paths of pages (default: / /query /chronology /treaties)")
    parser.add_argument("--requests", type=int, default=20, help="requests per path for the server time (default 20)")
    parser.add_argument("--loads", type=int, default=3, help="browser loads per path for the render times (default 3)")
    parser.add_argument("--json", help="also write the figures as JSON to this file ('-': standard output, after the table)")
    options = parser.parse_args(argv)
    figures = measure(options.server, options.paths, options.requests, options.loads)
    print(table(figures))
    document = {"server": options.server, "viewport": VIEWPORT, "figures": figures}
    if options.json == "-":
        print(json.dumps(document, indent=1))
    elif options.json:
        with open(options.json, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
