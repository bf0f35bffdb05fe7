"""The curator's loop end to end: break three shapes in data/, read the report, nothing is published."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from spacekg.cli import main
from spacekg.pipeline import build
from spacekg.settings import Settings
from spacekg.store.releases import current_release


def _fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _edit(path: Path, old: str, new: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, start=1) if old in line)
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number


def test_three_broken_shapes_are_reported_at_their_lines_and_block_the_release(
        project_copy: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    good = build(project_copy)
    before = _fingerprint(good.path)
    data = project_copy.data
    # Each edit maps to RDF without complaint; only a SHACL shape catches it.
    broken = {
        # entry into force (1967-10-10) before the opening for signature, now 1968-01-27
        "data/instruments.csv": _edit(data / "instruments.csv", '1967-01-27,"London', '1968-01-27,"London'),
        # Austria's Moon Agreement ratification dated before its own signature (1980-05-21)
        "data/participation_actions.csv": _edit(data / "participation_actions.csv", "AUT,Austria,moon,ratification,1984-06-11",
                                                "AUT,Austria,moon,ratification,1979-06-11"),
        # the OST signing event dated before the treaty was adopted
        "data/events.csv": _edit(data / "events.csv", "E013,1967-01-27,treaty-signature", "E013,1957-01-27,treaty-signature"),
    }

    code = main(["--project", str(project_copy.project_dir), "validate"])
    report = capsys.readouterr().out
    assert code == 1
    for path, line in broken.items():
        section = report.split(path + "\n", 1)[1]
        assert re.search(rf"Violation line {line}:", section), f"{path}:{line} missing from\n{report}"

    assert main(["--project", str(project_copy.project_dir), "validate", "--format", "json"]) == 1
    results = json.loads(capsys.readouterr().out)["results"]
    violations = {(r["file"], r["line"]) for r in results if r["severity"] == "Violation"}
    assert set(broken.items()) <= violations
    shapes = {r["source_shape"] for r in results if r["severity"] == "Violation"}
    assert len(shapes) >= 3

    code = main(["--project", str(project_copy.project_dir), "build"])
    err = capsys.readouterr().err
    assert code == 1, err
    for path in broken:
        assert path in err
    assert current_release(project_copy.releases).path == good.path
    assert _fingerprint(good.path) == before


def test_validate_exits_0_with_warnings_and_1_with_strict(capsys: pytest.CaptureFixture[str]) -> None:
    project = Path(__file__).resolve().parent.parent
    assert main(["--project", str(project), "validate"]) == 0
    out = capsys.readouterr().out
    assert "Warning" in out and "Shapes that matched no target" in out
    assert main(["--project", str(project), "validate", "--strict", "--format", "csv"]) == 1
