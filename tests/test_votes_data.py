"""Roll calls and votes as curators write them: every vote cited, totals checked against the votes, one vote per
state, no vote of a state whose ISO code was withdrawn, each refusal at the file:line to fix.

The edits go to a writable copy of the tiny project (`tiny_project`), built in this process.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import line_of
from spacekg.errors import DataDoesNotConform, SourceDataErrors
from spacekg.namespaces import PREFIXES
from spacekg.pipeline import build
from spacekg.settings import Settings

OPTIONS = {"yes": "yes", "no": "no", "abstain": "abstain", "non_voting": "not-voting"}  # total column -> vote code


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write(path: Path, table: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(table[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)


def state_totals(data: Path, roll_call: str) -> dict[str, str]:
    """The totals that agree with the votes the project records for `roll_call` (a test's stand-in for the source's)."""
    recorded = Counter(row["vote"] for row in rows(data / "un_votes.csv") if row["roll_call"] == roll_call)
    return {column: str(recorded[code]) for column, code in OPTIONS.items()}


def set_totals(data: Path, roll_call: str, totals: dict[str, str]) -> None:
    table = rows(data / "un_roll_calls.csv")
    write(data / "un_roll_calls.csv", [row | totals if row["id"] == roll_call else row for row in table])


def append_vote(data: Path, roll_call: str, state: str, vote: str, source: str) -> int:
    with (data / "un_votes.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow([roll_call, state, vote, source])
    return len((data / "un_votes.csv").read_text(encoding="utf-8").splitlines())


def test_every_vote_cites_its_source_and_each_row_is_one_vote(tiny_store: ox.Store, tiny_project: Settings) -> None:
    table = rows(tiny_project.data / "un_votes.csv")
    result = tiny_store.query("""
        SELECT ?vote ?state ?source WHERE { ?vote a opengov:Vote ; schema:agent ?state . OPTIONAL { ?vote dct:source ?source } }""",
                              prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    votes = {solution["vote"].value: solution for solution in result}
    assert len(votes) == len(table)
    cited = {solution["source"].value.rsplit("/", 1)[1] for solution in votes.values() if solution["source"] is not None}
    assert all(solution["source"] is not None for solution in votes.values())
    assert cited == {row["sources"] for row in table}


def test_stated_totals_that_equal_the_votes_are_published_as_popolo_counts(tiny_project: Settings) -> None:
    data = tiny_project.data
    set_totals(data, "undl-9562", state_totals(data, "undl-9562"))
    release = build(tiny_project)
    store = release.open_store()
    result = store.query("""
        SELECT ?option ?value ?recorded WHERE {
            <https://w3id.org/spacekg/id/rollcall/undl-9562> opengov:count ?count .
            ?count opengov:option ?option ; opengov:value ?value ; skg:votesRecorded ?recorded }""",
                         prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    counts = {s["option"].value: (int(s["value"].value), int(s["recorded"].value)) for s in result}
    expected = state_totals(data, "undl-9562")
    assert counts == {option: (int(expected[column]), int(expected[column]))
                      for column, option in {"yes": "yes", "no": "no", "abstain": "abstain", "non_voting": "not voting"}.items()}


def test_a_seeded_wrong_total_is_a_violation_at_the_roll_calls_line(tiny_project: Settings) -> None:
    data = tiny_project.data
    totals = state_totals(data, "undl-9562")
    set_totals(data, "undl-9562", totals | {"no": str(int(totals["no"]) + 1)})
    with pytest.raises(DataDoesNotConform) as refused:
        build(tiny_project)
    wrong = [r for r in refused.value.report.results if r.source_shape.endswith("CountMatchesVotesShape")]
    assert [(r.where, str(r.focus_node).rsplit("#", 1)[1]) for r in wrong] == [
        (f"data/un_roll_calls.csv:{line_of(data / 'un_roll_calls.csv', 'undl-9562,')}", "no")]
    assert f"states {int(totals['no']) + 1} votes" in wrong[0].message and f"records {totals['no']}" in wrong[0].message


@pytest.mark.parametrize("source", ["same", "other"])
def test_a_seeded_duplicate_vote_is_refused_at_its_line(tiny_project: Settings, source: str) -> None:
    data = tiny_project.data
    cited = "undl-voting-records-scrape" if source == "same" else "voeten-unga-voting-data"
    line = append_vote(data, "undl-9562", "USA", "no", cited)
    with pytest.raises(SourceDataErrors) as refused:
        build(tiny_project)
    first = line_of(data / "un_votes.csv", "undl-9562,USA,")
    assert f"data/un_votes.csv:{line}" in str(refused.value)
    assert f"USA already has a vote in roll call undl-9562 (line {first})" in str(refused.value)


def test_a_vote_of_a_state_after_its_iso_code_was_withdrawn_is_a_violation(tiny_project: Settings) -> None:
    data = tiny_project.data
    append_vote(data, "undl-9562", "SUN", "no", "undl-voting-records-scrape")
    with pytest.raises(DataDoesNotConform) as refused:
        build(tiny_project)
    late = [r for r in refused.value.report.results if r.source_shape.endswith("RollCallVotersShape")]
    assert [(r.where, str(r.value)) for r in late] == [
        (f"data/un_roll_calls.csv:{line_of(data / 'un_roll_calls.csv', 'undl-9562,')}", "https://w3id.org/spacekg/id/state/SUN")]
    assert "1992-08-30" in late[0].message and "2022-12-07" in late[0].message


@pytest.mark.parametrize(("row", "column", "fix"), [
    (("undl-0000", "USA", "yes"), "roll_call", "use an id from data/un_roll_calls.csv"),
    (("undl-9562", "XXX", "yes"), "state", "ISO 3166-1 alpha-3"),
    (("undl-9562", "CAN", "maybe"), "vote", "use one of: yes, no, abstain, not-voting"),
])
def test_a_wrong_vote_row_is_refused_at_its_line_with_the_fix(tiny_project: Settings, row: tuple[str, str, str], column: str,
                                                              fix: str) -> None:
    line = append_vote(tiny_project.data, *row, "undl-voting-records-scrape")
    with pytest.raises(SourceDataErrors) as refused:
        build(tiny_project)
    message = str(refused.value)
    assert f"data/un_votes.csv:{line}" in message and fix in message
