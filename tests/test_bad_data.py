"""Bad data in the tiny project's data/, built through the `spacekg build` console script (the process is the
point: its exit code, no traceback on standard error, its own peak memory): each broken file gives one clear
error naming file:line (or the file) and the fix, the exit code of its error class, no traceback, and
publishes nothing (the releases folder stays byte-identical, no `.building-*` is left). Files that are
only encoded differently (a UTF-8 byte-order mark, CRLF line ends) build the same graph at the same lines.

Figures (case, exit code, seconds, peak memory of the 100 MB case) go to test-artifacts/faults.json.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import TINY, BuildRun, line_of, record_figures, release_fingerprint, run_cli_build
from spacekg.errors import DataDoesNotConform, SourceDataError, SourceDataErrors
from spacekg.kinds import record_columns
from spacekg.pipeline import assemble
from spacekg.settings import Settings, load_settings
from spacekg.sources import MAX_SOURCE_BYTES, read_sources

ASSERTED = "https://w3id.org/spacekg/graph/asserted"
# A build that refuses the file should not hold it: a build refused at reading peaks near 60 MiB (measured on its own,
# tests/conftest.py run_cli_build), and holding the 100 MiB file even once, as bytes, would take it past this bound.
MEMORY_BOUND_MIB = 120


@pytest.fixture
def project(published_project: Settings) -> Path:
    """The folder of a writable copy of the built tiny project (its release included) for one test to break."""
    return published_project.project_dir


def build_refused(project: Path, case: str, exit_code: int, **figures: object) -> BuildRun:
    """Build `project`, expecting a refusal with `exit_code`; check nothing was published; record the case."""
    releases = project / "var" / "releases"
    before = release_fingerprint(releases)
    run = run_cli_build(project)
    assert run.code == exit_code, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert "\n  fix: " in run.stderr, run.stderr
    assert release_fingerprint(releases) == before, "the releases folder changed"
    assert not list(releases.glob(".building-*"))
    record_figures("bad_data", {case: {"exit_code": run.code, "seconds": round(run.seconds, 2), "peak_rss_mib": round(run.peak_rss_mib),
                                       "error": next(line for line in run.stderr.splitlines() if line.startswith("error:")), **figures}})
    return run


# -- truncated files --------------------------------------------------------------------------------


def test_a_csv_cut_mid_row_is_refused_at_the_cut_row(project: Path) -> None:
    events = project / "data" / "events.csv"
    raw = events.read_bytes()
    cut = raw.index(b"\n", len(raw) // 2) + 20  # 20 bytes into a row, outside any quote
    events.write_bytes(raw[:cut])
    line = raw[:cut].count(b"\n") + 1
    run = build_refused(project, "csv_cut_mid_row", SourceDataError.exit_code)
    assert f"error: data/events.csv:{line}: the last row has " in run.stderr
    assert "probably cut short" in run.stderr and "restore the file from version control" in run.stderr


def test_a_csv_cut_inside_a_quoted_field_is_refused_at_the_row_that_opens_it(project: Path) -> None:
    events = project / "data" / "events.csv"
    raw = events.read_bytes()
    opening = raw.index(b',"', len(raw) // 2)  # a quoted title or note in the second half
    events.write_bytes(raw[: opening + 8])
    line = raw[:opening].count(b"\n") + 1
    run = build_refused(project, "csv_cut_in_quoted_field", SourceDataError.exit_code)
    assert f"error: data/events.csv:{line}: the file ends inside a quoted field that starts on this row" in run.stderr
    assert "fix: close the quotation mark" in run.stderr


def test_a_turtle_file_cut_mid_statement_is_refused_at_its_last_line(project: Path) -> None:
    turtle = project / "data" / "stimson_space_security.ttl"
    text = turtle.read_text(encoding="utf-8")
    cut = text.index("person:babar-khan") + len("person:babar-khan")  # inside a statement that spans three lines
    turtle.write_text(text[:cut], encoding="utf-8")
    line = text[:cut].count("\n") + 1
    run = build_refused(project, "turtle_cut_mid_statement", SourceDataError.exit_code)
    assert f"error: data/stimson_space_security.ttl:{line}: column " in run.stderr
    assert "Turtle syntax error" in run.stderr and "if it was cut short, restore it from version control" in run.stderr


# -- encodings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "expected"), [
    ("cp1252", "byte 0xe9 is not valid UTF-8"),
    ("utf-16", "the file is encoded as UTF-16, not UTF-8"),
    ("utf-16-le", "the file contains NUL bytes"),
])
def test_a_csv_in_another_encoding_is_refused_at_its_first_foreign_byte(project: Path, encoding: str, expected: str) -> None:
    organizations = project / "data" / "organizations.csv"  # ASCII as curated: the first accent is the one written here
    text = organizations.read_text(encoding="utf-8")
    assert text.isascii()
    text = text.replace("Secure World Foundation", "Secure World Fondation européenne", 1)
    organizations.write_bytes(text.encode(encoding))
    line = 1 if encoding.startswith("utf-16") else next(n for n, row in enumerate(text.splitlines(), start=1) if not row.isascii())
    run = build_refused(project, f"csv_encoded_{encoding}", SourceDataError.exit_code)
    assert f"error: data/organizations.csv:{line}" in run.stderr
    assert expected in run.stderr
    assert "fix: save the file as UTF-8" in run.stderr


def _mapped(project: Path) -> tuple[frozenset[tuple[object, object, object]], dict[str, tuple[str, int]]]:
    """The asserted graph and the file:line of every subject, as the build's read and map stages make them."""
    _, asserted, _ = assemble(load_settings({}, project_dir=project))
    return asserted.triples, {str(s): (p.path, p.line) for s, p in asserted.positions.items()}


def test_a_byte_order_mark_is_accepted_and_builds_the_same_graph_at_the_same_lines(project: Path) -> None:
    """In process: the read and map stages are where an encoding matters; the later stages see the same asserted graph."""
    expected = _mapped(project)
    for path in sorted((project / "data").iterdir()):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert _mapped(project) == expected


def test_crlf_line_ends_are_accepted_build_the_same_graph_and_keep_line_numbers(project: Path) -> None:
    expected = _mapped(project)
    for path in sorted((project / "data").iterdir()):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert _mapped(project) == expected
    # and an error in a CRLF file is still reported at the line an editor shows, by the console script
    events = project / "data" / "events.csv"
    line = line_of(events, "E044,1985-09-13")
    events.write_bytes(events.read_bytes().replace(b"E044,1985-09-13", b"E044,1985-02-30"))
    refused = build_refused(project, "crlf_then_bad_date", SourceDataError.exit_code)
    assert f"error: data/events.csv:{line}: column 2 (date): bad date" in refused.stderr


def test_crlf_inside_a_quoted_field_reads_as_lf_and_odd_line_separators_do_not_split_rows(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(TINY / "data", data)
    links = data / "instrument_links.csv"
    text = links.read_text(encoding="utf-8")
    rows = text.splitlines()
    # a note over two lines, in CRLF; then a row whose note holds U+2028 and a form feed, which str.splitlines splits at
    rows[1] = rows[1].rsplit(",", 1)[0] + ',"first line\r\nsecond line"'
    rows[2] = rows[2].rsplit(",", 1)[0] + ",one\u2028two\x0cthree"
    links.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    records = read_sources(data, tmp_path, record_columns()).tables["instrument_links"]
    assert records[0].get("notes") == "first line\nsecond line"
    assert records[1].get("notes") == "one\u2028two\x0cthree"
    assert [record.line for record in records[:3]] == [2, 4, 5]


# -- size ------------------------------------------------------------------------------------------


def test_a_100_mb_csv_is_refused_by_size_before_it_is_read(project: Path) -> None:
    events = project / "data" / "events.csv"
    header, *rows = events.read_text(encoding="utf-8").splitlines()
    with open(events, "a", encoding="utf-8") as handle:  # valid-looking rows with fresh ids, up to 100 MiB
        written, number = events.stat().st_size, 0
        while written < 100 * 2**20:
            chunk = "".join(f"X{number + i:07d}{row[row.index(','):]}\n" for i, row in enumerate(rows))
            handle.write(chunk)
            written += len(chunk.encode())
            number += len(rows)
    size_mib = events.stat().st_size / 2**20
    run = build_refused(project, "csv_100_mb", SourceDataError.exit_code, file_mib=round(size_mib, 1), limit_mib=MAX_SOURCE_BYTES / 2**20)
    assert f"error: data/events.csv: the file is {size_mib:.1f} MiB, over the limit of {MAX_SOURCE_BYTES / 2**20:g} MiB" in run.stderr
    assert "setting max_source_bytes" in run.stderr and "SPACEKG_MAX_SOURCE_BYTES" in run.stderr
    assert run.peak_rss_mib < MEMORY_BOUND_MIB, f"peak RSS {run.peak_rss_mib:.0f} MiB"


def test_the_size_limit_admits_a_file_of_exactly_the_limit(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(TINY / "data", data)
    largest = max(data.iterdir(), key=lambda path: path.stat().st_size)
    size = largest.stat().st_size
    assert read_sources(data, tmp_path, record_columns(), max_file_bytes=size).checksums
    with pytest.raises(SourceDataErrors, match=f"data/{largest.name}: the file is .* MiB, over the limit"):
        read_sources(data, tmp_path, record_columns(), max_file_bytes=size - 1)


def test_the_size_limit_is_the_max_source_bytes_setting(tiny_project: Settings) -> None:
    assert max(path.stat().st_size for path in tiny_project.data.iterdir()) > 4096
    limited = load_settings({"SPACEKG_MAX_SOURCE_BYTES": "4096"}, project_dir=tiny_project.project_dir)
    with pytest.raises(SourceDataErrors, match="over the limit of 0.00390625 MiB"):
        assemble(limited)


# -- a forbidden cycle -----------------------------------------------------------------------------


def test_instruments_building_on_each_other_and_an_organisation_inside_itself_block_the_release(project: Path) -> None:
    data = project / "data"
    links = data / "instrument_links.csv"
    source = links.read_text(encoding="utf-8").splitlines()[1].split(",")[3]  # the citation of 'ost builds on decl_legal_principles'
    with open(links, "a", encoding="utf-8") as handle:
        handle.write(f"decl_legal_principles,builds-on,ost,{source},written the wrong way round\n")
    organizations = data / "organizations.csv"
    stimson = "stimson,Stimson Center (The Henry L. Stimson Center),think-tank,think tank,"
    organizations.write_text(organizations.read_text(encoding="utf-8").replace(stimson + ",", stimson + "stimson,", 1), encoding="utf-8")
    run = build_refused(project, "builds_on_and_part_of_cycles", DataDoesNotConform.exit_code)
    ost, decl = line_of(data / "instruments.csv", "ost,treaty,"), line_of(data / "instruments.csv", "decl_legal_principles,declaration,")
    for line in (ost, decl):
        assert f"  data/instruments.csv:{line}: Violation: " in run.stderr
    assert "builds on it again" in run.stderr
    assert f"  data/organizations.csv:{line_of(organizations, stimson)}: Violation: " in run.stderr
    assert "which is part of it again" in run.stderr
