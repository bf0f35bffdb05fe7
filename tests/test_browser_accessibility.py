"""Every main page passes axe-core's WCAG 2.0, 2.1 and 2.2 level A and AA rules, on a desktop and a phone, in the light
and the dark colour scheme: no violation of impact "serious" or "critical". Every violation of any impact, and what axe
could not decide ("needs review", mostly contrast behind clipped or overlapping boxes), goes to
test-artifacts/accessibility.json; a summary is printed at the end of the module.

How axe runs under the pages' content security policy (`default-src 'none'`: no script at all): its source is handed
to `page.evaluate`. Playwright evaluates through the DevTools protocol (Runtime.evaluate), a debugger's privilege that
the page's policy does not govern, so nothing is loosened and the served policy stays what it is. A `<script>`
element (`page.add_script_tag`) is what the policy is there to refuse, and it does: "Executing inline script violates
the following Content Security Policy directive 'default-src 'none''". `add_init_script` works too (the same
protocol) but would run axe in every document of the context, before the page's own; `bypass_csp` is not needed. The
pages are opened with the shared `page` fixture, so the same visit also fails on any console error, policy violation or
request to another origin; the same document is then narrowed to 390 px and switched to the dark scheme (RUNS).

To check a new page, add one line to PAGES.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from browsing import ARTIFACTS

AXE = Path(__file__).resolve().parent / "resources" / "vendor" / "axe-core"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, as axe tags its rules (2.2 adds only AA rules: target size).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = ("serious", "critical")
TREATIES_IN_FORCE = "SELECT ?treaty ?date WHERE { ?treaty a skg:LegallyBindingInstrument ; skg:entryIntoForce ?date } ORDER BY ?date"

# (name, path) of each page checked, on the tiny release. New pages: one line here.
PAGES = [
    ("landing", "/"),
    ("query form", "/query"),
    ("query results", "/query?" + urlencode({"query": TREATIES_IN_FORCE})),
    ("chronology", "/chronology"),
    ("treaties", "/treaties"),
    ("treaty map", "/treaties/ost"),
    ("treaty map as of a day", "/treaties/ost?date=1980-01-01"),
    ("norms", "/norms"),
    ("votes", "/votes"),
    ("agreement of two states", "/votes/agreement?a=GBR&b=USA"),
    ("validation report", "/validation"),
    ("search results", "/search?q=united"),
    ("state", "/doc/state/USA"),
    ("instrument", "/doc/instrument/ost"),
    ("roll call", "/doc/rollcall/undl-9093"),
    ("ontology", "/ontology"),
]
# What each run checks, by (width, colour scheme): every WCAG rule once; then only the rules whose outcome the colours
# (contrast) or the width (contrast behind reflowed boxes, target size, scrolling regions) can change. A full run per
# width and scheme took four times as long (134 s of the suite under coverage) to check the same markup again.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
LAYOUT_RULES = [*COLOUR_RULES, "target-size", "scrollable-region-focusable", "meta-viewport"]
RUNS = {(1280, "light"): ("tag", WCAG_TAGS), (1280, "dark"): ("rule", COLOUR_RULES),
        (390, "light"): ("rule", LAYOUT_RULES), (390, "dark"): ("rule", COLOUR_RULES)}

# Runs inside the page: axe on the whole document, reduced to what the report keeps.
RUN_AXE = """async ([type, values]) => {
  const result = await axe.run(document, {runOnly: {type, values}, resultTypes: ["violations", "incomplete"]});
  const nodes = (node) => ({target: node.target.join(" "), html: node.html, summary: node.failureSummary || ""});
  return {
    violations: result.violations.map((rule) => ({id: rule.id, impact: rule.impact, help: rule.help,
                                                  helpUrl: rule.helpUrl, nodes: rule.nodes.map(nodes)})),
    needs_review: result.incomplete.map((rule) => ({id: rule.id, impact: rule.impact, nodes: rule.nodes.length})),
  };
}"""


@cache
def axe_source() -> str:
    return (AXE / "axe.min.js").read_text(encoding="utf-8")


def axe_results(page: Any, only: tuple[str, list[str]] = ("tag", WCAG_TAGS)) -> dict[str, Any]:
    """axe's violations and undecided checks of the page as it is now; the source is evaluated, never loaded as a script."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(RUN_AXE, list(only))  # type: ignore[no-any-return]


def failing(violations: list[dict[str, Any]]) -> list[str]:
    return [f"{rule['id']} ({rule['impact']}): {rule['help']}; {len(rule['nodes'])} elements, first {rule['nodes'][0]['target']}"
            for rule in violations if rule["impact"] in FAILING_IMPACTS]


@pytest.fixture(scope="module")
def report(request: pytest.FixtureRequest) -> Iterator[list[dict[str, Any]]]:
    """Every axe run of the module; written to test-artifacts/accessibility.json and summarised when the module ends."""
    runs: list[dict[str, Any]] = []
    yield runs
    ARTIFACTS.mkdir(exist_ok=True)
    version = re.search(r"axe v([\d.]+)", axe_source()[:100])
    (ARTIFACTS / "accessibility.json").write_text(json.dumps(
        {"axe": version.group(1) if version else "", "tags": WCAG_TAGS, "runs": runs}, indent=1), encoding="utf-8")
    terminal = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if terminal is None or capture is None or not runs:
        return
    with capture.global_and_fixture_disabled():  # a module fixture's teardown output is captured (and dropped) otherwise
        terminal.write_line("")
        terminal.write_sep("-", f"axe {version.group(1) if version else ''}: {len(runs)} runs, test-artifacts/accessibility.json")
        for run in runs:
            impacts = [rule["impact"] for rule in run["violations"]]
            counts = ", ".join(f"{impacts.count(impact)} {impact}" for impact in ("critical", "serious", "moderate", "minor")
                               if impact in impacts) or "no violation"
            review = sum(rule["nodes"] for rule in run["needs_review"])
            terminal.write_line(f"{run['page']:<18} {run['width']:>4} px {run['scheme']:<5}  {counts}"
                                f"{f'; axe could not decide {review} (needs review)' if review else ''}")


def test_the_vendored_axe_is_the_file_its_readme_names() -> None:
    readme = (AXE / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((AXE / "axe.min.js").read_bytes()).hexdigest()
    assert f"`{digest}`" in readme
    assert "4.14.1" in readme and axe_source().startswith("/*! axe v4.14.1")


@pytest.mark.server
@pytest.mark.xdist_group("accessibility")  # one worker runs the whole module, so the report file holds every run
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_a_page_has_no_serious_accessibility_violation(page: Any, tiny_server: str, report: list[dict[str, Any]], name: str, path: str) -> None:
    """One visit per page: every rule at 1280 px in the light scheme; then, on the same document, the rules that the
    colours or the layout can change, in the dark scheme and at 390 px (the markup, so the names, labels and roles that
    most rules check, is the same at every width and in every scheme; the stylesheet's media queries follow the switch)."""
    response = page.goto(tiny_server + path)
    assert response is not None and response.ok, f"{path} answers {response and response.status}"
    problems = []
    for (width, scheme), only in RUNS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches && window.innerWidth === {width}")
        results = axe_results(page, only)
        report.append({"page": name, "path": path, "width": width, "scheme": scheme, "rules": only[0], **results})
        problems += [f"{width} px, {scheme}: {problem}" for problem in failing(results["violations"])]
    assert problems == [], path


@pytest.mark.server
@pytest.mark.xdist_group("accessibility")
def test_the_check_finds_a_violation_planted_in_a_page(page: Any, tiny_server: str) -> None:
    """A check that could never fail proves nothing: an unlabelled field and grey-on-white text are caught."""
    page.goto(tiny_server + "/")
    # Built through the DOM and the CSSOM, which the policy allows (a style attribute in markup would be refused).
    page.evaluate("""() => {
      const field = document.createElement("input");
      field.type = "text";
      const faint = document.createElement("p");
      faint.textContent = "barely there";
      faint.style.color = "#c8c8c8";
      faint.style.background = "#ffffff";
      document.querySelector("main").append(field, faint);
    }""")
    found = {rule["id"]: rule["impact"] for rule in axe_results(page)["violations"]}
    assert found.get("label") == "critical" and found.get("color-contrast") == "serious", found
