"""`spacekg synth`: synthetic projects on top of the tiny project that build, with exactly the seeded SHACL violations.

A few hundred synthetic triples are enough: every generated kind (citations, an instrument, signature and
ratification pairs, events) appears, and a fifth of the pairs carry a seeded violation.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from spacekg.checks import check
from spacekg.cli import main
from spacekg.pipeline import assemble
from spacekg.settings import Settings, load_settings
from spacekg.synth import synthesize

TRIPLES = 400


def test_a_synthetic_project_without_seeded_violations_conforms(tiny_project: Settings, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "synth"
    code = main(["--project", str(tiny_project.project_dir), "synth", "--triples", str(TRIPLES), "--out", str(out), "--violations", "0"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "; 0 seeded violations" in printed and f"build it with: spacekg --project {out} build" in printed
    settings = load_settings({}, project_dir=out)
    ontology, asserted, _ = assemble(settings)
    _, tiny_asserted, _ = assemble(tiny_project)
    added = len(asserted.triples) - len(tiny_asserted.triples)
    assert 0.7 * TRIPLES <= added <= 1.3 * TRIPLES  # "about N more triples"
    assert check(settings, ontology, asserted).count("Violation") == 0


def test_each_seeded_violation_is_found_once(tiny_project: Settings, tmp_path: Path) -> None:
    report = synthesize(tiny_project.project_dir, tmp_path / "synth", triples=TRIPLES, violation_share=0.2, seed=3)
    settings = load_settings({}, project_dir=report.folder)
    ontology, asserted, _ = assemble(settings)
    violations = [r for r in check(settings, ontology, asserted).results if r.severity == "Violation"]
    assert report.seeded_violations > 0
    assert len(violations) == report.seeded_violations
    assert all(r.position is not None and r.position.path == "data/participation_actions.csv" for r in violations)
    # and each at the line of a seeded ratification: a synthetic one dated before its pair's signature
    with open(report.folder / "data" / "participation_actions.csv", encoding="utf-8", newline="") as handle:
        rows = list(enumerate(csv.DictReader(handle), start=2))  # no field spans lines: row n is line n
    signed = {row["notes"]: row["date"] for _, row in rows if row["notes"].startswith("synthetic pair") and row["action"] == "signature"}
    seeded = sorted(line for line, row in rows
                    if row["notes"].startswith("synthetic pair") and row["action"] == "ratification" and row["date"] < signed[row["notes"]])
    assert len(seeded) == report.seeded_violations
    assert sorted(r.position.line for r in violations if r.position is not None) == seeded
