"""scripts/page_weight.py, the measuring tool for the pages' weight and render time, on the tiny release's server: it
prints its table and writes figures that agree with what the server sends."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from conftest import PROJECT


@pytest.mark.server
def test_page_weight_measures_each_page_as_the_server_sends_it(tiny_server: str, tmp_path: Path) -> None:
    pytest.importorskip("playwright.sync_api", reason="the tool drives Chromium through Playwright")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("the tool needs Debian's chromium")
    written = tmp_path / "weight.json"
    run = subprocess.run([sys.executable, str(PROJECT / "scripts" / "page_weight.py"), tiny_server, "/", "/chronology",
                          "--requests", "2", "--loads", "1", "--json", str(written)], capture_output=True, text=True, timeout=300, check=True)
    lines = run.stdout.splitlines()
    assert lines[0].split()[:3] == ["path", "server", "p50"] and [line.split()[0] for line in lines[1:]] == ["/", "/chronology"]
    figures = json.loads(written.read_text(encoding="utf-8"))["figures"]
    for figure in figures:
        html = requests.get(tiny_server + figure["path"], headers={"Accept": "text/html"}, timeout=30).content
        assert figure["html_bytes"] == len(html) and 0 < figure["html_gzip_bytes"] < len(html)
        assert figure["total_bytes"] > figure["html_bytes"], "the stylesheet and the icon count"
        timings = figure["browser_ms"]
        assert 0 < timings["responseEnd"] <= timings["domContentLoaded"] <= timings["load"], timings
        assert timings["firstContentfulPaint"] > 0
