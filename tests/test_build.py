"""`spacekg build`: a release with named graphs, dumps and source lines; bad data publishes nothing."""

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

from spacekg.cli import main
from spacekg.pipeline import build
from spacekg.settings import Settings
from spacekg.store.releases import Release, current_release, prune_releases, publish

GRAPH = "https://w3id.org/spacekg/graph/"


def test_release_holds_the_named_graphs(built_release: Release) -> None:
    graphs = built_release.manifest["graphs"]
    assert set(graphs) == {GRAPH + name for name in ("ontology", "asserted", "inferred", "meta", "validation")}
    assert graphs[GRAPH + "validation"] > 0  # the sh:ValidationReport, queryable like the rest
    assert graphs[GRAPH + "asserted"] > 10000
    assert graphs[GRAPH + "inferred"] > 5000  # the reasoning stage's new facts


@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # inside rdflib's JSON-LD parser
def test_dumps_match_their_published_checksums_and_parse(built_release: Release) -> None:
    dumps = built_release.path / "dumps"
    sums = dict(reversed(line.split("  ")) for line in (dumps / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {"spacekg.nq", "spacekg.trig", "spacekg.ttl", "spacekg.jsonld"}
    for name, digest in sums.items():
        assert hashlib.sha256((dumps / name).read_bytes()).hexdigest() == digest == built_release.manifest["dumps"][name]
    # rdflib, a parser independent of the Oxigraph serialiser that wrote the dumps, reads each one.
    dataset = rdflib.Dataset()
    dataset.parse(data=(dumps / "spacekg.trig").read_text(encoding="utf-8"), format="trig")
    assert len(dataset) == sum(built_release.manifest["graphs"].values())
    merged = rdflib.Graph().parse(data=(dumps / "spacekg.ttl").read_text(encoding="utf-8"), format="turtle")
    assert (rdflib.URIRef("https://w3id.org/spacekg/id/instrument/ost"), None, None) in merged
    jsonld = rdflib.Dataset().parse(data=(dumps / "spacekg.jsonld").read_text(encoding="utf-8"), format="json-ld")
    assert len(jsonld) == len(dataset)


def test_every_minted_subject_remembers_its_file_and_line(built_release: Release) -> None:
    positions = built_release.positions()
    lines = (Path(__file__).parent.parent / "data" / "events.csv").read_text(encoding="utf-8").splitlines()
    path, line = positions["https://w3id.org/spacekg/id/event/E044"]
    assert path == "data/events.csv"
    assert lines[line - 1].startswith("E044,")
    path, line = positions["https://w3id.org/spacekg/id/org/stimson"]
    assert (path, line) == ("data/organizations.csv", 2)


def test_source_lines_are_queryable_in_the_meta_graph(release_store: ox.Store) -> None:
    result = release_store.query(
        "SELECT ?f ?l WHERE { GRAPH <https://w3id.org/spacekg/graph/meta> { "
        "<https://w3id.org/spacekg/id/norm/debris-mitigation> <https://w3id.org/spacekg/ontology#sourceFile> ?f ; "
        "<https://w3id.org/spacekg/ontology#sourceLine> ?l } }")
    assert isinstance(result, ox.QuerySolutions)
    (row,) = list(result)
    assert row["f"].value == "data/norms.csv" and int(row["l"].value) > 1


def test_provenance_records_source_file_hashes_and_tools(built_release: Release) -> None:
    sources = built_release.manifest["sources"]
    data = Path(__file__).parent.parent / "data" / "events.csv"
    assert sources["data/events.csv"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert "ontology/spacekg.ttl" in sources
    assert {"rdflib", "pyoxigraph", "pycountry", "python"} <= set(built_release.manifest["tools"])


def test_a_second_build_switches_current_and_keeps_the_previous_release(project_copy: Settings) -> None:
    first = build(project_copy)
    second = build(project_copy)
    assert current_release(project_copy.releases).path == second.path
    assert first.path.is_dir() and first.path != second.path


def _fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture expects {old!r} in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line)


Breakage = Callable[[Path], tuple[str, str]]  # edits data/, returns (expected location, expected message regex)


def _malformed_csv(data: Path) -> tuple[str, str]:
    _replace_in(data / "events.csv", "E072,2008-11-11,workshop,Stimson", 'E072,2008-11-11,workshop,"Stimson')
    return "data/events.csv:", r"malformed CSV|fields, the header has"


def _unknown_column(data: Path) -> tuple[str, str]:
    _replace_in(data / "norms.csv", "id,name,status", "id,name,stauts")
    return "data/norms.csv:1: column 3 (stauts)", r"unknown column 'stauts'"


def _impossible_date(data: Path) -> tuple[str, str]:
    line = _line_of(data / "events.csv", "E044,")
    _replace_in(data / "events.csv", "E044,1985-09-13", "E044,1985-02-30")
    return f"data/events.csv:{line}: column 2 (date)", r"not a real date: February 1985 has 28 days"


def _malformed_date(data: Path) -> tuple[str, str]:
    line = _line_of(data / "instruments.csv", "ost,treaty")
    _replace_in(data / "instruments.csv", "1967-10-10", "10/10/1967")
    return f"data/instruments.csv:{line}: column 10 (entry_into_force)", r"bad date: '10/10/1967' is not a date"


def _unknown_state(data: Path) -> tuple[str, str]:
    line = _line_of(data / "artemis_signatories.csv", "AUS,")
    _replace_in(data / "artemis_signatories.csv", "AUS,", "AUZ,")
    return f"data/artemis_signatories.csv:{line}: column 1 (state)", r"unknown state code 'AUZ'"


def _unknown_instrument(data: Path) -> tuple[str, str]:
    line = _line_of(data / "participation_status.csv", "USA,United States of America,ost")
    _replace_in(data / "participation_status.csv", "USA,United States of America,ost", "USA,United States of America,ostt")
    return f"data/participation_status.csv:{line}: column 3 (instrument)", r"unknown instrument 'ostt'"


def _unknown_citation(data: Path) -> tuple[str, str]:
    line = _line_of(data / "instruments.csv", "ost,treaty")
    _replace_in(data / "instruments.csv", "a-ac-105-c-2-2022-crp-10", "no-such-source")
    return f"data/instruments.csv:{line}: column 13 (sources)", r"unknown citation 'no-such-source'"


def _duplicate_identifier(data: Path) -> tuple[str, str]:
    path = data / "people.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append(lines[1])  # the first person again
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f"data/people.csv:{len(lines)}: column 1 (id)", r"duplicate identifier 'michael-krepon' \(first defined at data/people.csv:2\)"


def _dangling_actor(data: Path) -> tuple[str, str]:
    line = _line_of(data / "events.csv", "E072,")
    _replace_in(data / "events.csv", "stimson; swf; oef", "stimson; swff; oef")
    return f"data/events.csv:{line}: column 5 (actors)", r"unknown actor 'swff'"


def _broken_turtle(data: Path) -> tuple[str, str]:
    path = data / "stimson_space_security.ttl"
    line = _line_of(path, "skg:venue org:rockefeller-bellagio")
    _replace_in(path, "skg:venue org:rockefeller-bellagio ;", "skg:venue org:rockefeller-bellagio ;;;; ]")
    return f"data/stimson_space_security.ttl:{line}", r"Turtle syntax error"


def _not_utf8(data: Path) -> tuple[str, str]:
    path = data / "people.csv"
    path.write_bytes(path.read_bytes().replace("Małgorzata".encode(), "Małgorzata".encode("cp1250")))
    return "data/people.csv:", r"is not valid UTF-8"


BREAKAGES = {f.__name__.strip("_"): f for f in (
    _malformed_csv, _unknown_column, _impossible_date, _malformed_date, _unknown_state, _unknown_instrument,
    _unknown_citation, _duplicate_identifier, _dangling_actor, _broken_turtle, _not_utf8)}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_bad_source_data_names_the_place_exits_2_and_publishes_nothing(
        breakage: Breakage, project_copy: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    good = build(project_copy)
    before = _fingerprint(good.path)
    location, message = breakage(project_copy.data)
    code = main(["--project", str(project_copy.project_dir), "build"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert location in err, err
    assert re.search(message, err), err
    assert "fix:" in err
    assert current_release(project_copy.releases).path == good.path
    assert _fingerprint(good.path) == before
    assert not list(project_copy.releases.glob(".building-*"))


def test_an_interrupted_build_leaves_the_current_release_and_is_cleaned_up(project_copy: Settings) -> None:
    good = build(project_copy)
    stale = project_copy.releases / ".building-20000101T000000Z-deadbeef"
    (stale / "store").mkdir(parents=True)
    newer = build(project_copy)
    assert not stale.exists()
    assert current_release(project_copy.releases).path == newer.path != good.path


def test_build_command_reports_the_release(project_copy: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(project_copy.project_dir), "build"]) == 0
    out = capsys.readouterr()
    assert re.search(r"release \S+ published in .*asserted \d+", out.out)
    assert "mapping" in out.err  # progress goes to standard error


def test_query_before_any_build_says_to_build_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(tmp_path), "query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"])
    assert code == 69
    assert "run 'spacekg build' first" in capsys.readouterr().err


def test_manifest_is_json_with_release_id(built_release: Release) -> None:
    manifest = json.loads((built_release.path / "release.json").read_text())
    assert manifest["release_id"] == built_release.path.name


def test_a_contradiction_found_by_reasoning_stops_the_build_with_exit_1(project_copy: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    good = build(project_copy)
    before = _fingerprint(good.path)
    # skg:involves has the domain skg:Event, so a person who "involves" a state is inferred to be an event,
    # while people.csv makes him a person (an actor): the ontology declares the two disjoint. The shapes
    # see nothing wrong in the asserted triple itself; only the reasoner finds the contradiction.
    path = project_copy.data / "stimson_space_security.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\nperson:michael-krepon skg:involves <https://w3id.org/spacekg/id/state/USA> .\n",
                    encoding="utf-8")
    code = main(["--project", str(project_copy.project_dir), "build"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "michael-krepon" in err and "data/people.csv:2" in err and "data/stimson_space_security.ttl:" in err
    assert current_release(project_copy.releases).path == good.path
    assert _fingerprint(good.path) == before


def test_why_explains_a_party_to_fact_down_to_the_data_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(Path(__file__).parent.parent), "why", "state:AUS", "skg:partyTo", "instrument:moon"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("state:AUS skg:partyTo instrument:moon") and "[prp-spo1" in lines[0]
    assert any("[prp-spo2: property chain]" in line for line in lines)
    assert any("[prp-inv1" in line for line in lines)
    data_file = Path(__file__).parent.parent / "data" / "participation_actions.csv"
    cited = [int(m.group(1)) for m in re.finditer(r"\[asserted: data/participation_actions\.csv:(\d+)\]", out)]
    assert cited, out
    rows = data_file.read_text(encoding="utf-8").splitlines()
    assert all(rows[n - 1].startswith("AUS,Australia,moon,accession") for n in cited)


def test_why_refuses_an_asserted_triple_and_names_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(Path(__file__).parent.parent), "why",
                 "participation:AUS-moon-accession-1986-07-07", "skg:instrument", "instrument:moon"])
    err = capsys.readouterr().err
    assert code == 64
    assert "asserted, not inferred" in err and "data/participation_actions.csv:" in err


def test_a_build_keeps_only_the_newest_releases_it_is_told_to(project_copy: Settings) -> None:
    keeping_two = dataclasses.replace(project_copy, keep_releases=2)
    built = [build(keeping_two) for _ in range(3)]
    folders = sorted(path.name for path in project_copy.releases.iterdir() if path.is_dir() and not path.is_symlink())
    assert folders == [built[1].release_id, built[2].release_id]
    assert current_release(project_copy.releases).release_id == built[2].release_id


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
