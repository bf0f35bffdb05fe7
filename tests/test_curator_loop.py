"""The curator's loop end to end on the tiny project: break three shapes in data/, read the report, nothing is published."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from conftest import release_fingerprint
from spacekg.cli import main
from spacekg.errors import DataDoesNotConform
from spacekg.settings import Settings
from spacekg.store.releases import current_release


def _edit(path: Path, old: str, new: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, start=1) if old in line)
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number


def _edit_row(path: Path, key: str, **values: str) -> int:
    """Set some columns of the row whose first column is `key`; the other lines stay byte for byte."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    number = next(n for n, line in enumerate(lines, start=1) if line.startswith(key + ","))
    row = dict(zip(header, next(csv.reader([lines[number - 1]])), strict=True))
    row.update(values)
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([row[column] for column in header])
    lines[number - 1] = out.getvalue()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number


def test_three_broken_shapes_are_reported_at_their_lines_and_block_the_release(published_project: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    good = current_release(published_project.releases)
    before = release_fingerprint(published_project.releases)
    data = published_project.data
    # Each edit maps to RDF without complaint; only a SHACL shape catches it.
    broken = {
        # the Outer Space Treaty opened for signature (1967-01-27, now 1968-01-27) after its entry into force (1967-10-10)
        "data/instruments.csv": _edit(data / "instruments.csv", '1967-01-27,"London', '1968-01-27,"London'),
        # Afghanistan's OST ratification (1988-03-21) dated before its own signature (1967-01-27)
        "data/participation_actions.csv": _edit(data / "participation_actions.csv", "AFG,Afghanistan,ost,ratification,1988-03-21",
                                                "AFG,Afghanistan,ost,ratification,1966-03-21"),
        # an event of 1955 turned into a signing of the Outer Space Treaty, eleven years before the treaty was adopted
        "data/events.csv": _edit_row(data / "events.csv", "E001", type="treaty-signature", instruments="ost"),
    }

    # `validate` reports them (its JSON here; the build below prints the same report as text) ...
    assert main(["--project", str(published_project.project_dir), "validate", "--format", "json"]) == 1
    results = json.loads(capsys.readouterr().out)["results"]
    violations = {(r["file"], r["line"]) for r in results if r["severity"] == "Violation"}
    assert set(broken.items()) <= violations
    shapes = {r["source_shape"] for r in results if r["severity"] == "Violation"}
    assert len(shapes) >= 3

    # ... and the build refuses to publish, naming each violation at its file and line, with what to fix
    code = main(["--project", str(published_project.project_dir), "build"])
    err = capsys.readouterr().err
    assert code == DataDoesNotConform.exit_code == 1, err
    for path, line in broken.items():
        assert re.search(rf"^  {re.escape(path)}:{line}: Violation: .*\n      fix: ", err, re.M), f"{path}:{line} missing from\n{err}"
    assert current_release(published_project.releases).path == good.path
    assert release_fingerprint(published_project.releases) == before
    assert not list(published_project.releases.glob(".building-*"))


def test_validate_exits_0_with_warnings_and_1_with_strict(built_tiny_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(built_tiny_project), "validate"]) == 0
    out = capsys.readouterr().out
    assert "Warning" in out and "Shapes that matched no target" in out
    assert main(["--project", str(built_tiny_project), "validate", "--strict", "--format", "csv"]) == 1
    assert "Warning" in capsys.readouterr().out


def test_a_refused_build_names_each_violation_first_and_keeps_the_whole_report(published_project: Settings,
                                                                                capsys: pytest.CaptureFixture[str]) -> None:
    line = _edit(published_project.data / "participation_actions.csv", "AFG,Afghanistan,ost,ratification,1988-03-21",
                 "AFG,Afghanistan,ost,ratification,1966-03-21")
    assert main(["--project", str(published_project.project_dir), "build"]) == 1
    err = capsys.readouterr().err.splitlines()
    summary = next(n for n, text in enumerate(err) if text.startswith("SpaceKG validation: does not conform"))
    assert err[summary + 1].startswith(f"  data/participation_actions.csv:{line}: Violation: AFG ratification ost")
    assert err[summary + 2].startswith("      fix: ") and "1966-03-21" in err[summary + 2]
    assert len(err) < 30, "warnings and infos are counted, not listed"
    assert not any(": Warning: " in text for text in err)
    kept = published_project.reports / "validation.txt"
    assert f"  (Warnings and Infos: {kept.relative_to(published_project.project_dir)}, or spacekg build --verbose)" in err
    assert "Warning line" in kept.read_text(encoding="utf-8") and f"Violation line {line}:" in kept.read_text(encoding="utf-8")


def test_a_build_lists_at_most_twenty_violations_then_where_the_rest_are(published_project: Settings,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    acts = published_project.data / "participation_actions.csv"
    rows = list(csv.DictReader(io.StringIO(acts.read_text(encoding="utf-8"))))
    for row in rows:  # every act dated 1900, before any of the instruments was opened: one violation (or more) each
        row["date"] = "1900-01-01"
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    acts.write_text(text.getvalue(), encoding="utf-8")
    assert main(["--project", str(published_project.project_dir), "build"]) == 1
    err = capsys.readouterr().err.splitlines()
    listed = [text for text in err if ": Violation: " in text]
    kept = published_project.reports / "validation.txt"
    violations = kept.read_text(encoding="utf-8").count("    Violation line")
    assert violations > 20 and len(listed) == 20
    assert f"  and {violations - 20} more in {kept.relative_to(published_project.project_dir)}" in err


def test_verbose_lists_warnings_too_and_quiet_prints_only_the_outcome(published_project: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(published_project.project_dir), "build", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert ": Warning: " in out and ": Info: " in out
    assert main(["--project", str(published_project.project_dir), "build", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and len(captured.out.splitlines()) == 1 and captured.out.startswith("release ")


def test_a_valid_code_for_another_state_than_the_row_names_is_a_violation_naming_both(published_project: Settings,
                                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """AUT (Austria) typed for Australia: a real code, so the mapper accepts it, but the row's name in the source is not a
    name of Austria in any language we hold; a name the source does use (a former name) is accepted once listed."""
    before = release_fingerprint(published_project.releases)
    line = _edit(published_project.data / "participation_actions.csv", "AUS,Australia,moon,accession", "AUT,Australia,moon,accession")
    assert main(["--project", str(published_project.project_dir), "build"]) == 1
    err = capsys.readouterr().err
    assert f"data/participation_actions.csv:{line}: Violation: AUT accession moon" in err
    assert "names the actor Australia, which is not a name of Austria (AUT)" in err
    assert release_fingerprint(published_project.releases) == before
    _edit(published_project.data / "participation_actions.csv", "AUT,Australia,moon,accession", "AUT,Österreich,moon,accession")
    # the row now records Austria's act, so the published IRI of Australia's is retired (test_redirects covers that check)
    with open(published_project.data / "redirects.csv", "a", encoding="utf-8") as handle:
        handle.write("participation/AUS-moon-accession,,the row records Austria's accession\n")
    assert main(["--project", str(published_project.project_dir), "build", "--quiet"]) == 0, "Austria's German name is one of its names"


def test_a_lone_quote_in_an_unquoted_field_is_a_warning_at_its_line(published_project: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """A quote typed into an unquoted CSV field by mistake reads as text: the build publishes, and the report says where."""
    line = _edit(published_project.data / "events.csv", ",US ASM-135 ASAT launched", ',US ASM-135 ASAT "launched')
    assert main(["--project", str(published_project.project_dir), "validate"]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"Warning line {line}: .*value 'US ASM-135 ASAT \"launched", out)
    assert "lone double quote" in out
