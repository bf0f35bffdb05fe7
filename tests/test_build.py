"""`spacekg build`: a release with named graphs, dumps and source lines; bad data publishes nothing.

Read-only checks look at the session's tiny release (`built_tiny`). Tests that build or break a project
start from a copy of the tiny project with a good release, built once per session (`published_project`), so a
breakage case costs one refused build, not a good build and a refused one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from conftest import TINY, line_of, release_fingerprint
from spacekg.cli import main
from spacekg.errors import NoReleaseError, SourceDataError, UsageError
from spacekg.pipeline import build
from spacekg.reason import InconsistencyError
from spacekg.settings import Settings
from spacekg.store.releases import Release, current_release, prune_releases, publish

GRAPH = "https://w3id.org/spacekg/graph/"
ID = "https://w3id.org/spacekg/id/"
SKG = "https://w3id.org/spacekg/ontology#"


def test_release_holds_the_named_graphs(built_tiny: Release, tiny_store: ox.Store) -> None:
    graphs = built_tiny.manifest["graphs"]
    assert set(graphs) == {GRAPH + name for name in ("ontology", "asserted", "inferred", "meta", "validation")}
    result = tiny_store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(result, ox.QuerySolutions)
    counted = {str(row["g"].value): int(row["n"].value) for row in result}
    assert counted == graphs  # the manifest tells what the store holds, and no graph is empty
    assert all(n > 0 for n in graphs.values())  # the sh:ValidationReport is queryable like the rest
    # the reasoning stage's new facts: Australia acceded to the Moon Agreement (participation_actions.csv), so it is party to it
    party = (ox.NamedNode(ID + "state/AUS"), ox.NamedNode(SKG + "partyTo"), ox.NamedNode(ID + "instrument/moon"))
    assert list(tiny_store.quads_for_pattern(*party, ox.NamedNode(GRAPH + "inferred")))
    assert not list(tiny_store.quads_for_pattern(*party, ox.NamedNode(GRAPH + "asserted")))


@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # inside rdflib's JSON-LD parser
def test_dumps_match_their_published_checksums_and_parse(built_tiny: Release) -> None:
    dumps = built_tiny.path / "dumps"
    sums = dict(reversed(line.split("  ")) for line in (dumps / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {"spacekg.nq", "spacekg.trig", "spacekg.ttl", "spacekg.jsonld"}
    for name, digest in sums.items():
        assert hashlib.sha256((dumps / name).read_bytes()).hexdigest() == digest == built_tiny.manifest["dumps"][name]
    # rdflib, a parser independent of the Oxigraph serialiser that wrote the dumps, reads each one.
    dataset = rdflib.Dataset()
    dataset.parse(data=(dumps / "spacekg.trig").read_text(encoding="utf-8"), format="trig")
    assert len(dataset) == sum(built_tiny.manifest["graphs"].values())
    merged = rdflib.Graph().parse(data=(dumps / "spacekg.ttl").read_text(encoding="utf-8"), format="turtle")
    assert (rdflib.URIRef(ID + "instrument/ost"), None, None) in merged
    jsonld = rdflib.Dataset().parse(data=(dumps / "spacekg.jsonld").read_text(encoding="utf-8"), format="json-ld")
    assert len(jsonld) == len(dataset)


def test_every_minted_subject_remembers_its_file_and_line(built_tiny: Release) -> None:
    positions = built_tiny.positions()
    events = (TINY / "data" / "events.csv").read_text(encoding="utf-8").splitlines()
    path, line = positions[ID + "event/E044"]
    assert path == "data/events.csv"
    assert events[line - 1].startswith("E044,")
    assert positions[ID + "org/stimson"] == ("data/organizations.csv", line_of(TINY / "data" / "organizations.csv", "stimson,Stimson Center"))
    # every subject's line is a line of the file it names
    lengths = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in (TINY / "data").iterdir()}
    assert {path for path, _ in positions.values()} <= {f"data/{name}" for name in lengths}
    assert all(1 <= line <= lengths[path.removeprefix("data/")] for path, line in positions.values())


def test_source_lines_are_queryable_in_the_meta_graph(tiny_store: ox.Store) -> None:
    result = tiny_store.query(
        "SELECT ?f ?l WHERE { GRAPH <https://w3id.org/spacekg/graph/meta> { "
        "<https://w3id.org/spacekg/id/norm/no-wmd-in-orbit> <https://w3id.org/spacekg/ontology#sourceFile> ?f ; "
        "<https://w3id.org/spacekg/ontology#sourceLine> ?l } }")
    assert isinstance(result, ox.QuerySolutions)
    (row,) = list(result)
    assert row["f"].value == "data/norms.csv"
    assert int(row["l"].value) == line_of(TINY / "data" / "norms.csv", "no-wmd-in-orbit,")


def test_provenance_records_source_file_hashes_and_tools(built_tiny_project: Path) -> None:
    release = current_release(built_tiny_project / "var" / "releases")
    sources = release.manifest["sources"]
    for name in ("data/events.csv", "ontology/spacekg.ttl", "shapes/spacekg-shapes.ttl"):
        assert sources[name] == hashlib.sha256((built_tiny_project / name).read_bytes()).hexdigest(), name
    assert {"rdflib", "pyoxigraph", "pycountry", "python"} <= set(release.manifest["tools"])


def test_a_second_build_switches_current_and_keeps_the_previous_release(published_project: Settings) -> None:
    first = current_release(published_project.releases)
    second = build(published_project)
    assert current_release(published_project.releases).path == second.path
    assert first.path.is_dir() and first.path != second.path


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture expects {old!r} in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


Breakage = Callable[[Path], tuple[str, str]]  # edits data/, returns (expected location, expected message regex)


def _malformed_csv(data: Path) -> tuple[str, str]:
    line = line_of(data / "events.csv", "E072,")
    _replace_in(data / "events.csv", "E072,2008-11-11,workshop,Stimson", 'E072,2008-11-11,workshop,"Stimson')
    return f"data/events.csv:{line}:", r"malformed CSV"


def _unknown_column(data: Path) -> tuple[str, str]:
    _replace_in(data / "norms.csv", "id,name,status", "id,name,stauts")
    return "data/norms.csv:1: column 3 (stauts)", r"unknown column 'stauts'"


def _impossible_date(data: Path) -> tuple[str, str]:
    line = line_of(data / "events.csv", "E044,")
    _replace_in(data / "events.csv", "E044,1985-09-13", "E044,1985-02-30")
    return f"data/events.csv:{line}: column 2 (date)", r"not a real date: February 1985 has 28 days"


def _malformed_date(data: Path) -> tuple[str, str]:
    line = line_of(data / "instruments.csv", "ost,treaty")
    _replace_in(data / "instruments.csv", "1967-10-10", "10/10/1967")
    return f"data/instruments.csv:{line}: column 10 (entry_into_force)", r"bad date: '10/10/1967' is not a date"


def _unknown_state(data: Path) -> tuple[str, str]:
    line = line_of(data / "artemis_signatories.csv", "AUS,")
    _replace_in(data / "artemis_signatories.csv", "AUS,", "AUZ,")
    return f"data/artemis_signatories.csv:{line}: column 1 (state)", r"unknown state code 'AUZ'"


def _unknown_instrument(data: Path) -> tuple[str, str]:
    line = line_of(data / "participation_status.csv", "USA,United States of America,ost")
    _replace_in(data / "participation_status.csv", "USA,United States of America,ost", "USA,United States of America,ostt")
    return f"data/participation_status.csv:{line}: column 3 (instrument)", r"unknown instrument 'ostt'"


def _unknown_citation(data: Path) -> tuple[str, str]:
    line = line_of(data / "instruments.csv", "ost,treaty")
    _replace_in(data / "instruments.csv", "a-ac-105-c-2-2022-crp-10", "no-such-source")
    return f"data/instruments.csv:{line}: column 13 (sources)", r"unknown citation 'no-such-source'"


def _duplicate_identifier(data: Path) -> tuple[str, str]:
    path = data / "people.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append(lines[1])  # the first person again
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = re.escape(lines[1].split(",", 1)[0])
    return f"data/people.csv:{len(lines)}: column 1 (id)", rf"duplicate identifier '{first}' \(first defined at data/people.csv:2\)"


def _dangling_actor(data: Path) -> tuple[str, str]:
    line = line_of(data / "events.csv", "E072,")
    _replace_in(data / "events.csv", "stimson; swf; oef", "stimson; swff; oef")
    return f"data/events.csv:{line}: column 5 (actors)", r"unknown actor 'swff'"


def _broken_turtle(data: Path) -> tuple[str, str]:
    path = data / "stimson_space_security.ttl"
    line = line_of(path, "skg:venue org:rockefeller-bellagio")
    _replace_in(path, "skg:venue org:rockefeller-bellagio ;", "skg:venue org:rockefeller-bellagio ;;;; ]")
    return f"data/stimson_space_security.ttl:{line}", r"Turtle syntax error"


def _not_utf8(data: Path) -> tuple[str, str]:
    path = data / "participation_actions.csv"
    line = line_of(path, "Australië")  # the Dutch name of Australia, in a row copied from a Dutch status list
    column = path.read_text(encoding="utf-8").splitlines()[line - 1].index("ë") + 1
    path.write_bytes(path.read_bytes().replace("Australië".encode(), "Australië".encode("cp1250"), 1))
    return f"data/participation_actions.csv:{line}: column {column}:", r"byte 0xeb is not valid UTF-8"


BREAKAGES = {f.__name__.strip("_"): f for f in (
    _malformed_csv, _unknown_column, _impossible_date, _malformed_date, _unknown_state, _unknown_instrument,
    _unknown_citation, _duplicate_identifier, _dangling_actor, _broken_turtle, _not_utf8)}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_bad_source_data_names_the_place_exits_2_and_publishes_nothing(
        breakage: Breakage, published_project: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    good = current_release(published_project.releases)
    before = release_fingerprint(published_project.releases)
    location, message = breakage(published_project.data)
    code = main(["--project", str(published_project.project_dir), "build"])
    err = capsys.readouterr().err
    assert code == SourceDataError.exit_code == 2, err
    assert location in err, err
    assert re.search(message, err), err
    assert "\n  fix: " in err, err
    assert current_release(published_project.releases).path == good.path
    assert release_fingerprint(published_project.releases) == before
    assert not list(published_project.releases.glob(".building-*"))


def test_an_interrupted_build_leaves_the_current_release_and_is_cleaned_up(published_project: Settings) -> None:
    good = current_release(published_project.releases)
    stale = published_project.releases / ".building-20000101T000000Z-deadbeef"
    (stale / "store").mkdir(parents=True)
    newer = build(published_project)
    assert not stale.exists()
    assert current_release(published_project.releases).path == newer.path != good.path


def test_build_command_reports_the_release(published_project: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(published_project.project_dir), "build"]) == 0
    out = capsys.readouterr()
    assert re.search(r"release \S+ published in .*asserted \d+", out.out)
    assert "mapping" in out.err  # progress goes to standard error


def test_query_before_any_build_says_to_build_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(tmp_path), "query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"])
    assert code == NoReleaseError.exit_code
    assert "run 'spacekg build' first" in capsys.readouterr().err


def test_manifest_is_json_with_release_id(built_tiny: Release) -> None:
    manifest = json.loads((built_tiny.path / "release.json").read_text())
    assert manifest["release_id"] == built_tiny.path.name


def test_a_contradiction_found_by_reasoning_stops_the_build_with_exit_1(published_project: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    good = current_release(published_project.releases)
    before = release_fingerprint(published_project.releases)
    # skg:involves has the domain skg:Event, so a person who "involves" a state is inferred to be an event,
    # while people.csv makes her a person (an actor): the ontology declares the two disjoint. The shapes
    # see nothing wrong in the asserted triple itself; only the reasoner finds the contradiction.
    person_line = line_of(published_project.data / "people.csv", "samuel-black,")
    path = published_project.data / "stimson_space_security.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\nperson:samuel-black skg:involves <https://w3id.org/spacekg/id/state/USA> .\n",
                    encoding="utf-8")
    added_line = len(path.read_text(encoding="utf-8").splitlines())
    code = main(["--project", str(published_project.project_dir), "build"])
    err = capsys.readouterr().err
    assert code == InconsistencyError.exit_code == 1, err
    assert "samuel-black" in err and f"data/people.csv:{person_line}" in err and f"data/stimson_space_security.ttl:{added_line}" in err, err
    assert "\n  fix: " in err, err
    assert current_release(published_project.releases).path == good.path
    assert release_fingerprint(published_project.releases) == before
    assert not list(published_project.releases.glob(".building-*"))


def test_why_explains_a_party_to_fact_down_to_the_data_lines(built_tiny_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(built_tiny_project), "why", "state:AUS", "skg:partyTo", "instrument:moon"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("state:AUS skg:partyTo instrument:moon") and "[prp-spo1" in lines[0]
    assert any("[prp-spo2: property chain]" in line for line in lines)
    assert any("[prp-inv1" in line for line in lines)
    cited = [int(m.group(1)) for m in re.finditer(r"\[asserted: data/participation_actions\.csv:(\d+)\]", out)]
    assert cited, out
    rows = (built_tiny_project / "data" / "participation_actions.csv").read_text(encoding="utf-8").splitlines()
    assert all(rows[n - 1].startswith("AUS,Australia,moon,accession") for n in cited)


def test_why_refuses_an_asserted_triple_and_names_its_line(built_tiny_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(built_tiny_project), "why",
                 "participation:AUS-moon-accession", "skg:instrument", "instrument:moon"])
    err = capsys.readouterr().err
    assert code == UsageError.exit_code
    line = line_of(built_tiny_project / "data" / "participation_actions.csv", "AUS,Australia,moon,accession,1986-07-07")
    assert "asserted, not inferred" in err and f"data/participation_actions.csv:{line}" in err, err


def test_a_build_keeps_only_the_newest_releases_it_is_told_to(published_project: Settings) -> None:
    keeping_two = dataclasses.replace(published_project, keep_releases=2)
    built = [build(keeping_two) for _ in range(3)]  # on top of the release the copy came with
    folders = sorted(path.name for path in published_project.releases.iterdir() if path.is_dir() and not path.is_symlink())
    assert folders == [built[1].release_id, built[2].release_id]
    assert current_release(published_project.releases).release_id == built[2].release_id


def test_pruning_never_removes_the_current_release(tmp_path: Path) -> None:
    releases = tmp_path / "releases"

    def fill(folder: Path) -> dict[str, object]:
        (folder / "positions.json").write_text("{}", encoding="utf-8")
        return {"graphs": {}}

    for release_id in ("20260101T000000Z-a", "20260102T000000Z-b", "20260103T000000Z-c"):
        publish(releases, release_id, fill)
    os.replace(_link(releases, "20260101T000000Z-a"), releases / "current")  # an operator rolled back to the oldest
    assert prune_releases(releases, keep=1) == ["20260102T000000Z-b"]
    assert sorted(p.name for p in releases.iterdir() if not p.name.startswith(".")) == ["20260101T000000Z-a", "20260103T000000Z-c", "current"]


def _link(releases: Path, target: str) -> Path:
    pending = releases / ".rollback"
    os.symlink(target, pending)
    return pending
