"""Acceptance checks about the curated roll calls and votes (data/un_roll_calls.csv, data/un_votes.csv).

The three questions of issue 14 are asked of the served endpoint (the whole app over the curated release,
POST /sparql with the canned query), and each answer is checked against the curated rows themselves or,
for the states voting against A/RES/77/41, against the independent note of data/un_documents.csv.
The reference-data check makes sure the import lost no vote of ../shared/reference-data.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from conftest import PROJECT, SHARED
from spacekg.store.remote import bind_values

# One worker of a parallel run (pytest-xdist, --dist loadgroup) takes every check of the curated data: the curated
# release is then built once, not once per worker.
pytestmark = pytest.mark.xdist_group("curated")

DATA = PROJECT / "data"
REFERENCE = SHARED / "reference-data"
ID = "https://w3id.org/spacekg/id/"
OPTIONS = {"yes": "yes", "no": "no", "abstain": "abstain", "not-voting": "not voting"}
needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference-data is not beside the checkout")


def data_rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def ask_endpoint(client: FlaskClient, name: str, **params: ox.NamedNode | ox.Literal) -> list[dict[str, str]]:
    """The canned query `name` through POST /sparql as CSV, its parameters bound as a remote store binds them."""
    text = bind_values((PROJECT / "queries" / f"{name}.rq").read_text(encoding="utf-8"),
                       {ox.Variable(variable): value for variable, value in params.items()})
    answer = client.post("/sparql", data={"query": text}, headers={"Accept": "text/csv"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def votes() -> dict[tuple[str, str], str]:
    return {(row["roll_call"], row["state"]): OPTIONS[row["vote"]] for row in data_rows("un_votes.csv")}


def test_the_states_voting_against_a_res_77_41_are_the_nine_the_un_press_note_names(curated_client: FlaskClient) -> None:
    note = next(row["notes"] for row in data_rows("un_documents.csv") if row["symbol"] == "A/RES/77/41")
    named = {name.strip() for name in note.split("against:", 1)[1].split(";", 1)[0].split(",")}
    rows = ask_endpoint(curated_client, "roll-call-votes-against", resolution=ox.NamedNode(f"{ID}instrument/a-res-77-41"), option=ox.Literal("no"))
    assert {row["stateLabel"] for row in rows} == named
    assert len(rows) == len(named) == 9  # the note's own count: adopted 155-9-9


def test_indias_paros_votes_by_year_are_the_curated_rows(curated_client: FlaskClient) -> None:
    rows = ask_endpoint(curated_client, "state-votes-by-topic", state=ox.NamedNode(f"{ID}state/IND"),
                        topic=ox.NamedNode("https://w3id.org/spacekg/ontology#topicPAROS"))
    calls = {row["id"]: row for row in data_rows("un_roll_calls.csv") if row["topic"] == "paros"}
    expected = sorted((calls[key]["date"], calls[key]["symbol"] or calls[key]["source_id"], option)
                      for (key, state), option in votes().items() if key in calls and state == "IND")
    assert expected
    assert [(row["date"], row["symbol"], row["vote"]) for row in rows] == expected


@pytest.mark.parametrize("second", ["RUS", "SUN"])
def test_the_agreement_of_the_usa_with_the_russian_seat_per_decade_is_computed_from_the_rows(curated_client: FlaskClient,
                                                                                               second: str) -> None:
    rows = ask_endpoint(curated_client, "vote-agreement-by-decade", first=ox.NamedNode(f"{ID}state/USA"),
                        second=ox.NamedNode(f"{ID}state/{second}"))
    dates = {row["id"]: row["date"] for row in data_rows("un_roll_calls.csv")}
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    recorded = votes()
    for key, day in dates.items():
        if (key, "USA") in recorded and (key, second) in recorded:
            decade = expected[str(int(day[:4]) // 10 * 10)]
            decade[0] += 1
            decade[1] += recorded[(key, "USA")] == recorded[(key, second)]
    assert expected
    assert {row["decade"]: [int(row["rollCalls"]), int(row["agreed"])] for row in rows} == dict(expected)


@needs_reference
def test_every_vote_of_the_reference_data_is_kept_unless_the_importer_says_why_not() -> None:
    """Each reference vote is in data/un_votes.csv with the same option, except the roll calls the importer leaves
    out (scripts/import_unga_votes.py: not on outer space; the Voeten copy of a roll call the UN Digital Library also has)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("import_unga_votes", PROJECT / "scripts" / "import_unga_votes.py")
    assert spec and spec.loader
    importer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(importer)
    kept = votes()
    undl_ids = {row["unres"]: f"undl-{row['undl_row_id']}" for row in importer.read(REFERENCE / "unga_rollcalls_undl_2019-2024.csv")}
    missing = []
    for row in importer.read(REFERENCE / "unga_votes_voeten_1958-2019.csv"):
        rcid = importer.whole(row["rcid"])
        if rcid in importer.NOT_ON_OUTER_SPACE or row["unres"] in undl_ids:
            continue
        if kept.get((f"voeten-{rcid}", importer.state_code(row))) != OPTIONS[row["vote"]]:
            missing.append(row)
    for row in importer.read(REFERENCE / "unga_votes_undl_2019-2024.csv"):
        code = row["iso3_via_owid_alpha2"] or row["country_code"]
        if kept.get((undl_ids[row["unres"]], code)) != OPTIONS["not-voting" if row["vote"] == "non-voting" else row["vote"]]:
            missing.append(row)
    assert missing == []
