"""The canned queries on roll-call votes of the UN General Assembly, run against the tiny release.

Every expectation is computed at test time from the tiny project's un_roll_calls.csv and un_votes.csv
(a verbatim subset of data/: six roll calls, ten states' votes), so the tests say what each query must
answer, not what it answered once.
"""

from __future__ import annotations

from collections import defaultdict

from conftest import Ask
from test_queries import ID, SKG, instrument, state, tiny_rows

OPTION_LABELS = {"yes": "yes", "no": "no", "abstain": "abstain", "not-voting": "not voting"}


def roll_calls() -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in tiny_rows("un_roll_calls.csv")}


def votes() -> dict[tuple[str, str], str]:
    """(roll call id, state code) -> the option as the graph writes it."""
    return {(row["roll_call"], row["state"]): OPTION_LABELS[row["vote"]] for row in tiny_rows("un_votes.csv")}


def roll_call_of(symbol: str) -> str:
    return next(key for key, row in roll_calls().items() if row["symbol"] == symbol)


def test_the_states_voting_against_a_resolution_are_exactly_those_the_source_records_as_no(ask: Ask) -> None:
    call = roll_call_of("A/RES/77/41")
    rows = ask("roll-call-votes-against", {"resolution": instrument("a-res-77-41")})
    expected = {state(code) for (rc, code), option in votes().items() if rc == call and option == "no"}
    assert expected, "the tiny project must hold a vote against A/RES/77/41"
    assert {row["state"] for row in rows} == expected
    assert {row["rollCall"] for row in rows} == {f"{ID}rollcall/{call}"}
    assert {row["date"] for row in rows} == {roll_calls()[call]["date"]}
    assert all(row["source"] == f"{ID}citation/{roll_calls()[call]['sources']}" for row in rows)


def test_the_option_parameter_chooses_the_states_not_voting(ask: Ask) -> None:
    call = roll_call_of("A/RES/77/41")
    rows = ask("roll-call-votes-against", {"resolution": instrument("a-res-77-41"), "option": '"not voting"'})
    expected = {state(code) for (rc, code), option in votes().items() if rc == call and option == "not voting"}
    assert expected and {row["state"] for row in rows} == expected


def test_indias_paros_votes_come_year_by_year_with_the_symbol_or_the_source_id(ask: Ask) -> None:
    rows = ask("state-votes-by-topic", {"state": state("IND"), "topic": f"{SKG}topicPAROS"})
    paros = {key: row for key, row in roll_calls().items() if row["topic"] == "paros"}
    expected = [(row["date"][:4], row["symbol"] or row["source_id"], votes()[(key, "IND")])
                for key, row in sorted(paros.items(), key=lambda item: item[1]["date"]) if (key, "IND") in votes()]
    assert len(expected) >= 2
    assert [(row["year"], row["symbol"], row["vote"]) for row in rows] == expected


def test_a_state_without_a_recorded_vote_gets_no_row_not_a_no(ask: Ask) -> None:
    # The USSR voted on PAROS in 1989; Turkmenistan was not yet a member, so the source has no vote of it.
    rows = ask("state-votes-by-topic", {"state": state("TKM"), "topic": f"{SKG}topicPAROS"})
    recorded = {key for key, row in roll_calls().items() if row["topic"] == "paros" and (key, "TKM") in votes()}
    assert {row["rollCall"].rsplit("/", 1)[1] for row in rows} == recorded
    assert len(recorded) < sum(1 for row in roll_calls().values() if row["topic"] == "paros")


def test_the_agreement_of_two_states_per_decade_counts_only_roll_calls_where_both_voted(ask: Ask) -> None:
    rows = ask("vote-agreement-by-decade", {"first": state("USA"), "second": state("RUS")})
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, row in roll_calls().items():
        if (key, "USA") in votes() and (key, "RUS") in votes():
            decade = expected[str(int(row["date"][:4]) // 10 * 10)]
            decade[0] += 1
            decade[1] += votes()[(key, "USA")] == votes()[(key, "RUS")]
    assert {row["decade"]: [int(row["rollCalls"]), int(row["agreed"])] for row in rows} == dict(expected)
    for row in rows:
        assert float(row["agreementPercent"]) == round(100 * int(row["agreed"]) / int(row["rollCalls"]))


def test_a_state_agrees_with_itself_on_every_roll_call(ask: Ask) -> None:
    rows = ask("vote-agreement-by-decade", {"first": state("GBR"), "second": state("GBR")})
    assert rows and all(row["agreed"] == row["rollCalls"] and float(row["agreementPercent"]) == 100 for row in rows)


def test_the_states_that_split_between_no_first_placement_and_da_asat_testing(ask: Ask) -> None:
    rows = ask("states-splitting-two-topics")  # default: no on no-first-placement, yes on DA-ASAT testing
    by_topic = {row["topic"]: key for key, row in roll_calls().items() if row["session"] == "77"}
    first, second = by_topic["no-first-placement"], by_topic["da-asat-testing"]
    expected = {state(code) for (rc, code), option in votes().items()
                if rc == first and option == "no" and votes().get((second, code)) == "yes"}
    assert expected
    assert {row["state"] for row in rows} == expected
    assert {(row["session"], row["firstRollCall"], row["secondRollCall"]) for row in rows} == {
        ("77", f"{ID}rollcall/{first}", f"{ID}rollcall/{second}")}


def test_swapping_the_options_gives_the_states_that_split_the_other_way(ask: Ask) -> None:
    rows = ask("states-splitting-two-topics", {"firstOption": '"yes"', "secondOption": '"no"'})
    by_topic = {row["topic"]: key for key, row in roll_calls().items() if row["session"] == "77"}
    expected = {state(code) for (rc, code), option in votes().items()
                if rc == by_topic["no-first-placement"] and option == "yes" and votes().get((by_topic["da-asat-testing"], code)) == "no"}
    assert expected and {row["state"] for row in rows} == expected
