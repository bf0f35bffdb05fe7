"""Jena's runs share their loaded classes through a class-data-sharing archive (validate/jena.py): the first run
writes it, later runs map it, and none of that changes a report, whatever state the archive is in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace

from conftest import PROJECT
from spacekg.validate import load_shapes
from spacekg.validate.engine import ShaclEngine
from spacekg.validate.jena import ARCHIVES_KEPT, JenaRun, keep_dumped_archive

DATA_SHAPES = PROJECT / "shapes" / "spacekg-shapes.ttl"
FIXTURE = PROJECT / "tests" / "fixtures" / "shapes" / "events.ttl"  # violations of the event shapes
SH = Namespace("http://www.w3.org/ns/shacl#")


@pytest.fixture
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "spacekg"


def run(engine: ShaclEngine) -> tuple[list[str], Graph]:
    """Jena on the event fixtures: its command line and its report (blank nodes compared by structure below)."""
    assert engine.jena is not None
    started = JenaRun(engine.jena, Graph().parse(FIXTURE, format="turtle"), load_shapes(DATA_SHAPES))
    arguments = [str(argument) for argument in started.process.args]
    return arguments, started.report()


def results(report: Graph) -> set[tuple[str, ...]]:
    """Each result's focus node, source shape and value."""
    return {tuple(str(report.value(result, SH[name])) for name in ("focusNode", "sourceShape", "value"))
            for result in report.subjects(RDF.type, SH.ValidationResult)}


def test_the_first_run_writes_the_archive_the_next_maps_it_and_a_broken_one_changes_nothing(jena: ShaclEngine, user_cache: Path) -> None:
    first_arguments, first = run(jena)
    archives = list(user_cache.glob("jena-*.jsa"))
    assert len(archives) == 1 and any(a.startswith("-XX:ArchiveClassesAtExit=") for a in first_arguments)
    assert not list(user_cache.glob(".jena-*.tmp")), "the dump was renamed into place"
    second_arguments, second = run(jena)
    assert f"-XX:SharedArchiveFile={archives[0]}" in second_arguments
    assert results(first) == results(second) and len(results(first)) >= 2
    # A truncated or foreign file where the archive was: the JVM says so on stderr and runs without it.
    os.chmod(archives[0], 0o644)
    archives[0].write_bytes(b"not an archive")
    third_arguments, third = run(jena)
    assert f"-XX:SharedArchiveFile={archives[0]}" in third_arguments
    assert results(third) == results(first)


def test_the_cache_keeps_a_bounded_number_of_archives_and_no_stale_dump(user_cache: Path) -> None:
    user_cache.mkdir(parents=True)
    for number in range(4):  # archives of earlier JDKs or Jenas
        old = user_cache / f"jena-old{number}.jsa"
        old.write_bytes(b"old")
        os.utime(old, (1_000_000 + number, 1_000_000 + number))
    stale = user_cache / ".jena-old.jsa.1-1.tmp"  # left by a killed run, long ago
    stale.write_bytes(b"half")
    os.utime(stale, (1_000_000, 1_000_000))
    dumped = user_cache / ".jena-new.jsa.2-2.tmp"  # what a run that just succeeded dumped
    dumped.write_bytes(b"new")
    keep_dumped_archive(dumped, user_cache / "jena-new.jsa")
    kept = sorted(path.name for path in user_cache.glob("jena-*.jsa"))
    assert kept == ["jena-new.jsa", "jena-old3.jsa"][:ARCHIVES_KEPT] and not stale.exists() and not dumped.exists()


def test_a_cache_that_cannot_be_written_only_costs_the_sharing(jena: ShaclEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    arguments, report = run(jena)
    assert not any("SharedArchiveFile" in a or "ArchiveClassesAtExit" in a for a in arguments)
    assert len(results(report)) >= 2
