"""`spacekg synth`: synthetic projects that build, with exactly the seeded SHACL violations."""

from __future__ import annotations

from pathlib import Path

from conftest import PROJECT
from spacekg.checks import check
from spacekg.pipeline import assemble
from spacekg.settings import load_settings
from spacekg.synth import synthesize


def test_a_synthetic_project_without_seeded_violations_conforms(tmp_path: Path) -> None:
    report = synthesize(PROJECT, tmp_path / "synth", triples=3000, violation_share=0.0)
    settings = load_settings({}, project_dir=report.folder)
    ontology, asserted, _ = assemble(settings)
    assert len(asserted.triples) > 12000
    assert check(settings, ontology, asserted).count("Violation") == 0


def test_each_seeded_violation_is_found_once(tmp_path: Path) -> None:
    report = synthesize(PROJECT, tmp_path / "synth", triples=3000, violation_share=0.2, seed=3)
    settings = load_settings({}, project_dir=report.folder)
    ontology, asserted, _ = assemble(settings)
    violations = [r for r in check(settings, ontology, asserted).results if r.severity == "Violation"]
    assert report.seeded_violations > 0
    assert len(violations) == report.seeded_violations
    assert all(r.position is not None and r.position.path == "data/participation_actions.csv" for r in violations)
