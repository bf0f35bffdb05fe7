"""The change feed: each release's added and removed triples per graph, and the Atom feed that lists the releases.

One module fixture builds an edited copy of the tiny project five times into a temporary releases folder: FIRST
(validated in full); AGAIN, with nothing changed (the report reused); SECOND, after a row was changed and a row
added; THIRD, after a row was deleted (with its redirect) and another changed; FOURTH, with nothing changed. The
replay test starts from the first release's N-Quads dump, applies the change files of each later release in
order and must arrive at THIRD's dump exactly.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pyoxigraph as ox
import pytest
import rdflib
from flask.testing import FlaskClient
from rdflib.compare import isomorphic
from werkzeug.test import TestResponse

from conftest import app_serving, app_settings, copy_tiny_project
from spacekg.errors import SourcePosition
from spacekg.namespaces import SH, SKG
from spacekg.pipeline import build
from spacekg.store.changes import CHANGES_DIR, NQUADS
from spacekg.store.releases import Release, prune_releases
from spacekg.validate import ValidationReport, ValidationResult, report_graph
from spacekg.web import create_app

SITE = "http://localhost"
GRAPH = "https://w3id.org/spacekg/graph/"
RELEASE_IRI = "https://w3id.org/spacekg/release/"
FIRST, AGAIN, SECOND, THIRD, FOURTH = range(5)


def _edit_row(path: Path, key: str, **values: str) -> None:
    """Set some columns of the CSV row whose first column is `key`; the other lines stay byte for byte."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    number = next(n for n, line in enumerate(lines) if line.startswith(key + ","))
    row = dict(zip(header, next(csv.reader([lines[number]])), strict=True)) | values
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([row[column] for column in header])
    lines[number] = out.getvalue()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _append(path: Path, line: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _delete_row(path: Path, key: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line for line in lines if not line.startswith(key + ",")) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> list[Release]:
    """Five builds of an edited copy of the tiny project, oldest first (FIRST ... FOURTH)."""
    settings = copy_tiny_project(tmp_path_factory.mktemp("change-feed") / "project")
    events = settings.data / "events.csv"
    built = [build(settings)]
    built.append(build(settings))  # nothing changed
    _edit_row(events, "E001", title="Eisenhower approves NSC 5520 (a scientific satellite for the IGY)")
    _append(events, "E200,2024-04-01,policy,A new policy statement on space security,USA,,black-khan-young-selective-chronology,,,added for the test")
    built.append(build(settings))
    _delete_row(events, "E090")
    _append(settings.data / "redirects.csv", "event/E090,,the event was removed for the test")
    _edit_row(events, "E044", notes="pilot Maj. Wilbert Pearson")
    built.append(build(settings))
    built.append(build(settings))  # nothing changed
    return built


@pytest.fixture(scope="module")
def feed_client(releases: list[Release]) -> Iterator[FlaskClient]:
    with app_serving(releases[-1]) as application:
        yield application.test_client()


def _lines(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    assert len(lines) == len(set(lines)), f"{path} repeats a line"
    return set(lines)


def _change_files(release: Release) -> dict[str, dict[str, object]]:
    files: dict[str, dict[str, object]] = release.manifest["changes"]["files"]
    return files


def _replay_lines(state: set[str], release: Release) -> set[str]:
    """Apply a release's change files to a set of N-Quads lines: each graph's removed triples, then its added ones."""
    files = _change_files(release)
    for change in ("removed", "added"):
        for name, described in files.items():
            if described["change"] != change:
                continue
            quads = {line[:-len(" .\n")] + f" <{described['graph']}> .\n" for line in _lines(release.path / CHANGES_DIR / name)}
            if change == "removed":
                assert quads <= state, f"{name} removes triples the previous release did not hold"
                state = state - quads
            else:
                assert not quads & state, f"{name} adds triples the previous release already held"
                state = state | quads
    return state


def _replay_store(store: ox.Store, release: Release) -> None:
    """The same on an Oxigraph store, term by term, as docs/change-feed.md tells a harvester: pyoxigraph's `parse` keeps
    blank node labels (its `Store.load` would rename them), so a removed triple with a blank node finds its copy."""
    files = _change_files(release)
    for change in ("removed", "added"):
        for name, described in files.items():
            if described["change"] == change:
                graph = ox.NamedNode(str(described["graph"]))
                for t in ox.parse(path=str(release.path / CHANGES_DIR / name), format=ox.RdfFormat.N_TRIPLES):
                    quad = ox.Quad(t.subject, t.predicate, t.object, graph)
                    assert (quad in store) == (change == "removed"), f"{name}: {quad}"
                    if change == "removed":
                        store.remove(quad)
                    else:
                        store.add(quad)


def _dataset(nquads: str) -> dict[str, rdflib.Graph]:
    """rdflib's reading of N-Quads text, one graph per name."""
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads, format="nquads")
    graphs: dict[str, rdflib.Graph] = {}
    for s, p, o, g in dataset.quads():
        graphs.setdefault(str(g), rdflib.Graph()).add((s, p, o))
    return graphs


@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")  # inside rdflib's N-Quads parser
def test_replaying_the_changes_release_by_release_gives_the_third_release_exactly(releases: list[Release]) -> None:
    first, second, third = releases[FIRST], releases[SECOND], releases[THIRD]
    assert "changes" not in first.manifest, "the first release has nothing to compare with"
    assert [r.manifest["changes"]["previous"] for r in releases[AGAIN:]] == [r.release_id for r in releases[:FOURTH]]
    asserted = GRAPH + "asserted"
    assert second.manifest["changes"]["graphs"][asserted]["added"] > 0 and second.manifest["changes"]["graphs"][asserted]["removed"] > 0
    assert third.manifest["changes"]["graphs"][asserted]["removed"] > 0
    replayed = _lines(first.path / "dumps" / NQUADS)
    for release in releases[AGAIN:THIRD + 1]:
        replayed = _replay_lines(replayed, release)
        assert replayed == _lines(release.path / "dumps" / NQUADS)
    target = _lines(third.path / "dumps" / NQUADS)
    assert replayed == target
    # the same replay term by term in an Oxigraph store, and the result read by rdflib, graph by graph (rdflib renames blank nodes)
    store = ox.Store()
    store.extend(ox.parse(path=str(first.path / "dumps" / NQUADS), format=ox.RdfFormat.N_QUADS))
    for release in releases[AGAIN:THIRD + 1]:
        _replay_store(store, release)
    assert set(store) == set(ox.parse(path=str(third.path / "dumps" / NQUADS), format=ox.RdfFormat.N_QUADS))
    ours, theirs = _dataset("".join(sorted(replayed))), _dataset("".join(sorted(target)))
    assert set(ours) == set(theirs) == {GRAPH + name for name in ("ontology", "asserted", "inferred", "meta", "validation")}
    assert all(isomorphic(ours[name], theirs[name]) for name in ours)


def test_the_edits_show_as_the_triples_they_changed(releases: list[Release]) -> None:
    second, third = releases[SECOND], releases[THIRD]
    added = (second.path / CHANGES_DIR / "asserted.added.nt").read_text(encoding="utf-8")
    removed = (second.path / CHANGES_DIR / "asserted.removed.nt").read_text(encoding="utf-8")
    assert "Eisenhower approves NSC 5520" in added and "Eisenhower signs NSC 5520" in removed
    assert "<https://w3id.org/spacekg/id/event/E200>" in added and "E200" not in removed
    gone = (third.path / CHANGES_DIR / "asserted.removed.nt").read_text(encoding="utf-8")
    assert "<https://w3id.org/spacekg/id/event/E090>" in gone
    assert "E090" not in (third.path / CHANGES_DIR / "asserted.added.nt").read_text(encoding="utf-8")


@pytest.mark.parametrize("before, after", [(FIRST, AGAIN), (THIRD, FOURTH)], ids=["after-a-full-validation", "after-an-edit"])
def test_an_unchanged_rebuild_changes_only_the_release_description(releases: list[Release], before: int, after: int) -> None:
    previous, rebuilt = releases[before], releases[after]
    assert rebuilt.manifest["validation"]["how"] == "reused"
    if before == FIRST:
        assert previous.manifest["validation"]["how"] == "full", "the labels of a full run and of a report read back agree"
    counts = rebuilt.manifest["changes"]["graphs"]
    for name in ("ontology", "asserted", "inferred", "validation"):  # blank nodes included: the ontology's lists, the SHACL results
        assert counts[GRAPH + name] == {"added": 0, "removed": 0}, name
        assert (rebuilt.path / CHANGES_DIR / f"{name}.added.nt").stat().st_size == 0
    meta = [line for change in ("added", "removed") for line in _lines(rebuilt.path / CHANGES_DIR / f"meta.{change}.nt")]
    assert len(meta) == counts[GRAPH + "meta"]["added"] + counts[GRAPH + "meta"]["removed"] > 0
    releases_named = (RELEASE_IRI + previous.release_id, RELEASE_IRI + rebuilt.release_id)
    assert all(any(iri in line for iri in releases_named) for line in meta), "only what describes the release itself changes"
    assert any("_:" in line for line in _lines(rebuilt.path / "dumps" / NQUADS) if "graph/ontology>" in line), "the ontology has blank nodes"


def test_change_files_parse_with_rapper_and_rdflib_and_match_their_checksums(releases: list[Release]) -> None:
    for release in releases[AGAIN:]:
        for name, described in _change_files(release).items():
            path = release.path / CHANGES_DIR / name
            assert hashlib.sha256(path.read_bytes()).hexdigest() == described["sha256"]
            checked = subprocess.run(["rapper", "-i", "ntriples", "-c", str(path)], capture_output=True, text=True, timeout=60)
            assert checked.returncode == 0, checked.stderr
            assert re.search(r"returned (\d+) triples?\n", checked.stderr).group(1) == str(described["triples"]), checked.stderr  # type: ignore[union-attr]
            assert len(rdflib.Graph().parse(path, format="nt")) == described["triples"]
        sums = (release.path / CHANGES_DIR / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
        assert {line.split("  ")[1]: line.split("  ")[0] for line in sums} == {n: d["sha256"] for n, d in _change_files(release).items()}


def _fetch(client: FlaskClient, path: str, **headers: str) -> TestResponse:
    """The answer to a GET, read whole and closed (a file's answer holds the file open until then)."""
    response = client.get(path, headers=headers)
    response.get_data()
    response.close()
    return response


def _get(client: FlaskClient, url: str) -> bytes:
    assert url.startswith(SITE + "/"), url
    response = _fetch(client, url.removeprefix(SITE))
    assert response.status_code == 200, url
    return response.data


def test_the_feed_lists_the_releases_newest_first_with_working_links(releases: list[Release], feed_client: FlaskClient) -> None:
    response = feed_client.get("/releases.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id == "https://w3id.org/spacekg/dataset" and parsed.feed.title and parsed.feed.author and parsed.feed.updated_parsed
    assert all(entry.title and entry.updated_parsed and entry.summary for entry in parsed.entries)
    assert [link.href for link in parsed.feed.links if link.rel == "self"] == [SITE + "/releases.atom"]
    newest_first = list(reversed(releases))
    assert [entry.id for entry in parsed.entries] == [RELEASE_IRI + release.release_id for release in newest_first]
    for entry, release in zip(parsed.entries, newest_first, strict=True):
        assert entry.updated == release.manifest["created"]
        alternates = {link.type: link for link in entry.links if link.rel == "alternate"}
        assert set(alternates) == {"application/n-quads", "application/trig", "text/turtle", "application/ld+json"}
        nquads = _get(feed_client, alternates["application/n-quads"].href)
        assert nquads == (release.path / "dumps" / NQUADS).read_bytes() and int(alternates["application/n-quads"].length) == len(nquads)
        related = [link for link in entry.links if link.rel == "related"]
        changes = release.manifest.get("changes")
        if changes is None:
            assert related == [] and "no change files" in entry.summary
            continue
        previous = [link.href for link in entry.links if link.rel == "predecessor-version"]
        assert previous == [RELEASE_IRI + changes["previous"]]
        files = changes["files"]
        by_name = {link.href.rsplit("/", 1)[1]: link for link in related}
        assert set(by_name) == {*files, "SHA256SUMS"}
        for name, described in files.items():
            body = _get(feed_client, by_name[name].href)
            assert hashlib.sha256(body).hexdigest() == described["sha256"] and int(by_name[name].length) == len(body)
            assert by_name[name].type == "application/n-triples"
        counts = changes["graphs"][GRAPH + "asserted"]
        assert f"asserted +{counts['added']} -{counts['removed']}" in entry.summary or counts == {"added": 0, "removed": 0}


def test_a_forged_host_does_not_move_the_feeds_links(releases: list[Release], feed_client: FlaskClient) -> None:
    parsed = feedparser.parse(_fetch(feed_client, "/releases.atom", Host="evil.example", **{"X-Forwarded-Host": "evil.example"}).data)
    hrefs = [link.href for link in parsed.feed.links] + [link.href for entry in parsed.entries for link in entry.links]
    assert len(hrefs) > 4 * len(releases) and not [href for href in hrefs if "evil" in href]


def test_release_files_are_immutable_and_conditional(releases: list[Release], feed_client: FlaskClient) -> None:
    second = releases[SECOND]
    url = f"/releases/{second.release_id}/changes/asserted.added.nt"
    response = _fetch(feed_client, url)
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    assert response.headers["ETag"] == f'"{second.manifest["changes"]["files"]["asserted.added.nt"]["sha256"]}"'
    assert _fetch(feed_client, url, **{"If-None-Match": response.headers["ETag"]}).status_code == 304
    dump = _fetch(feed_client, f"/releases/{second.release_id}/dumps/{NQUADS}")
    assert dump.headers["ETag"] == f'"{second.manifest["dumps"][NQUADS]}"'
    feed = feed_client.get("/releases.atom")
    assert feed_client.get("/releases.atom", headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("path", [
    "/releases/nope/dumps/spacekg.nq",
    "/releases/current/dumps/spacekg.nq",  # the link moves; only immutable release folders are served
    "/releases/../dumps/spacekg.nq",
    "/releases/%2e%2e/dumps/spacekg.nq",
    "/releases/.publish.lock/dumps/spacekg.nq",
    "/releases/{second}/dumps/release.json",
    "/releases/{second}/dumps/..%2frelease.json",
    "/releases/{second}/changes/..%2f..%2frelease.json",
    "/releases/{second}/changes/asserted.added.ttl",
    "/releases/{second}/changes/positions.json",
    "/releases/{first}/changes/asserted.added.nt",  # the first release has no changes
    "/releases/{second}x/changes/asserted.added.nt",
])
def test_a_bad_release_or_file_name_is_a_404_that_says_so(releases: list[Release], feed_client: FlaskClient, path: str) -> None:
    response = _fetch(feed_client, path.format(first=releases[FIRST].release_id, second=releases[SECOND].release_id))
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and ("release" in text or "Not Found" in text)


def test_a_pruned_release_leaves_the_feed_and_its_files_answer_404(releases: list[Release], tmp_path: Path) -> None:
    copy = tmp_path / "releases"
    shutil.copytree(releases[FIRST].path.parent, copy, symlinks=True)
    assert prune_releases(copy, 2) == [release.release_id for release in releases[:THIRD]]
    application = create_app(app_settings(Release(copy / releases[-1].release_id, releases[-1].manifest)))
    try:
        client = application.test_client()
        parsed = feedparser.parse(client.get("/releases.atom").data)
        assert [entry.id for entry in parsed.entries] == [RELEASE_IRI + r.release_id for r in reversed(releases[THIRD:])]
        # the oldest entry still names its predecessor: a harvester holding that one syncs; one further behind loads a dump
        oldest = parsed.entries[-1]
        assert [link.href for link in oldest.links if link.rel == "predecessor-version"] == [RELEASE_IRI + releases[SECOND].release_id]
        gone = _fetch(client, f"/releases/{releases[SECOND].release_id}/changes/asserted.added.nt")
        assert gone.status_code == 404 and "no release" in gone.get_data(as_text=True)
    finally:
        application.config["SPACEKG_FOLLOWER"].served.runner.close()


def test_report_labels_depend_on_what_a_result_says_not_on_the_labels_it_was_read_with() -> None:
    """A blank-node path (^skg:assessedNorm) read twice gets two random labels; the report graph names it the same."""
    def report(path_label: str, line: int) -> set[tuple[rdflib.term.Node, ...]]:
        path = rdflib.BNode(path_label)
        result = ValidationResult(severity="Warning", focus_node=rdflib.URIRef("https://w3id.org/spacekg/id/norm/x"), focus_label="x",
                                  path=path, path_text="^skg:assessedNorm", value=None, message="no assessment",
                                  source_shape=rdflib.URIRef("https://w3id.org/spacekg/shapes#NormShape"),
                                  source_constraint_component=SH.MinCountConstraintComponent,
                                  source_constraint=rdflib.BNode(), position=SourcePosition("data/norms.csv", line),
                                  path_triples=((path, SH.inversePath, SKG.assessedNorm),))
        return set(report_graph(ValidationReport(results=(result,))))

    first, again = report("a1", 3), report("b2", 3)
    assert first == again and not any(rdflib.BNode("a1") in triple for triple in first)
    moved = report("c3", 4)  # the same result one line lower: only its source line changes
    assert len(first - moved) == len(moved - first) == 1
