"""/validation across builds, made the real way on a copy of the tiny project: what is new and fixed since the previous
release, and the report of a build that validation refused, shown beside the served release's and marked as not
published, while the served release stays as it was."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from conftest import app_serving, line_of, release_fingerprint
from spacekg.errors import DataDoesNotConform
from spacekg.pipeline import build
from spacekg.settings import Settings, load_settings
from spacekg.store.releases import LAST_ATTEMPT, Release, current_release, record_attempt

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"
UNDATED = "UKR,Ukrainian S.S.R.,arra,signature,,"  # the tiny data's act without a date: a Warning of skgsh:DatedAct-date
DATED = "FRA,France,moon,signature,1980-01-29,"
GOOD_RATIFICATION, EARLY_RATIFICATION = "AFG,Afghanistan,ost,ratification,1988-03-21", "AFG,Afghanistan,ost,ratification,1966-03-21"


def _edit(path: Path, old: str, new: str) -> int:
    """Replace `old` on the first line holding it; its line number."""
    number = line_of(path, old)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number


@dataclass
class History:
    settings: Settings
    first: Release  # the release the copy came with
    second: Release  # one Warning fixed, one new
    refused_line: int  # the row of the refused build's Violation
    fingerprint: dict[str, str]  # of the releases folder before the refused build


def _client(release: Release) -> Iterator[FlaskClient]:
    with app_serving(release) as application:
        yield application.test_client()


@pytest.fixture(scope="module")
def history(built_tiny_project: Path, tmp_path_factory: pytest.TempPathFactory) -> History:
    """Two releases (the second dates the undated act and undates a dated one), then a build that a Violation refuses."""
    copy = tmp_path_factory.mktemp("history") / "project"
    shutil.copytree(built_tiny_project, copy, symlinks=True)
    settings = load_settings({}, project_dir=copy)
    first = current_release(settings.releases)
    acts = settings.data / "participation_actions.csv"
    _edit(acts, UNDATED, "UKR,Ukrainian S.S.R.,arra,signature,1968-10-01,")
    _edit(acts, DATED, "FRA,France,moon,signature,,")
    second = build(settings)
    fingerprint = release_fingerprint(settings.releases)
    refused_line = _edit(acts, GOOD_RATIFICATION, EARLY_RATIFICATION)  # before the treaty was opened for signature
    with pytest.raises(DataDoesNotConform):
        build(settings)
    return History(settings, first, second, refused_line, fingerprint)


@pytest.fixture(scope="module")
def history_client(history: History) -> Iterator[FlaskClient]:
    yield from _client(history.second)


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(f'id="{start}"'):page.index(f'id="{end}"')]


def test_results_new_and_fixed_since_the_previous_release_are_counted_and_marked(history: History, history_client: FlaskClient) -> None:
    page = history_client.get("/validation", headers={"Accept": BROWSER}).text
    summary, results = _section(page, "release", "contents"), page[page.index('id="release-results"'):]
    manifest = history.second.manifest["validation"]
    assert manifest["previous_release"] == history.first.release_id
    assert f"Since release {history.first.release_id}: <strong>{manifest['new']} new</strong>" in summary, "the build's own count"
    assert f"<strong>{manifest['fixed']} fixed</strong>" in summary and manifest["new"] >= 1 and manifest["fixed"] >= 1
    fixed = summary[summary.index('<details class="fixed">'):]
    assert "/doc/participation/UKR-arra-signature" in fixed, "the act dated since is listed as fixed"
    new_line = line_of(history.settings.data / "participation_actions.csv", "FRA,France,moon,signature,,")
    row = re.search(rf'<tr><td class="warning">Warning <span class="badge new">new</span></td><td class="number" data-label="line">{new_line}</td>', results)
    assert row, "the act undated since is marked new at its line"
    assert results.count('<span class="badge new">new</span></td>') == manifest["new"]


def test_a_refused_builds_violations_are_shown_as_not_published_beside_the_served_release(history: History,
                                                                                         history_client: FlaskClient) -> None:
    assert current_release(history.settings.releases).release_id == history.second.release_id, "the refused build published nothing"
    assert release_fingerprint(history.settings.releases) == history.fingerprint
    record = json.loads((history.settings.releases / LAST_ATTEMPT).read_text(encoding="utf-8"))
    assert record["outcome"] == "refused" and record["served_release"] == history.second.release_id and record["counts"]["violations"] >= 1
    page = history_client.get("/validation", headers={"Accept": BROWSER}).text
    when = re.search(r"Not published: the build of (\d{4}-\d\d-\d\d \d\d:\d\d UTC) failed \(validation found (\d+) violations?\)", page)
    assert when and int(when.group(2)) == record["counts"]["violations"]
    attempt = _section(page, "attempt", "release")
    assert "The data does not conform" in attempt and f"Since the served release {history.second.release_id}:" in attempt
    attempt_results = page[page.index('id="attempt-results"'):page.index('id="release-results"')]
    row = re.search(r'<tr><td class="violation">Violation <span class="badge new">new</span></td>'
                    rf'<td class="number" data-label="line">{history.refused_line}</td>'
                    r'\s*<th scope="row"><a href="/doc/participation/AFG-ost-ratification', attempt_results)
    assert row, "the Violation, at its line, new against the served release"
    served = _section(page, "release", "contents")
    assert "The data conforms to the SHACL shapes" in served and '<span class="violation">0 violations</span>' in served
    assert 'class="violation">Violation' not in page[page.index('id="release-results"'):], "the served release's report is its own"
    assert page.index('id="attempt"') < page.index('id="release"') < page.index('id="attempt-results"') < page.index('id="release-results"')
    filtered = history_client.get("/validation", query_string={"severity": "Violation"}, headers={"Accept": BROWSER})
    assert filtered.status_code == 200, "a filter may name what only the refused build has"
    assert "No result passes the filters." in filtered.text[filtered.text.index('id="release-results"'):]


def test_a_build_published_after_a_refused_one_removes_its_record_and_the_page_shows_only_the_release(published_project: Settings) -> None:
    acts = published_project.data / "participation_actions.csv"
    _edit(acts, GOOD_RATIFICATION, EARLY_RATIFICATION)
    with pytest.raises(DataDoesNotConform):
        build(published_project)
    assert (published_project.releases / LAST_ATTEMPT).is_file()
    _edit(acts, EARLY_RATIFICATION, GOOD_RATIFICATION)
    fixed = build(published_project)
    assert not (published_project.releases / LAST_ATTEMPT).exists()
    for client in _client(fixed):
        page = client.get("/validation", headers={"Accept": BROWSER}).text
        assert "Not published" not in page and 'id="attempt"' not in page and 'id="release"' in page


def test_a_record_older_than_the_served_release_is_not_shown(published_project: Settings) -> None:
    """A build killed between publishing and removing the record, or a release switched in by hand, leaves a stale record."""
    served = current_release(published_project.releases)
    report = (served.path / "validation.ttl").read_text(encoding="utf-8")
    record_attempt(published_project.releases, {"attempted": "2000-01-01T00:00:00+00:00", "outcome": "refused", "reason": "stale",
                                                "report": report})
    for client in _client(served):
        page = client.get("/validation", headers={"Accept": BROWSER}).text
        assert "Not published" not in page and 'id="attempt"' not in page
