"""Treaty status on the curated release: what the canned queries and pages answer, checked against data/ itself.

Each expectation is computed from the rows of data/ at test time (never a number of today's data), so a
curator adding a correct row keeps these tests passing.
"""

from __future__ import annotations

import csv
import datetime as dt
import re

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from conftest import PROJECT
from spacekg.queries import parse_canned
from spacekg.store.querying import run_canned, solutions_as_rows

# One worker of a parallel run (pytest-xdist, --dist loadgroup) takes every check of the curated data: the curated
# release is then built once, not once per worker.
pytestmark = pytest.mark.xdist_group("curated")

ID = "https://w3id.org/spacekg/id/"
CONSENT = {"ratification", "accession", "succession", "deposit"}
UN_TREATIES = ("ost", "arra", "liab", "reg", "moon")


def rows(name: str) -> list[dict[str, str]]:
    with open(PROJECT / "data" / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def moon_parties_today() -> set[str]:
    """States with a Moon Agreement act of consent and no withdrawal in effect today, by data/participation_actions.csv."""
    acts = rows("participation_actions.csv")
    consented = {row["actor"] for row in acts if row["instrument"] == "moon" and row["action"] in CONSENT}
    withdrawn = {row["actor"] for row in acts if row["instrument"] == "moon" and row["action"] == "withdrawal"
                 and dt.date.fromisoformat(row["effective_date"] or row["date"]) <= dt.date.today()}
    return consented - withdrawn


def test_ost_parties_not_moon_answers_as_the_2026_document_by_default(curated_store: ox.Store) -> None:
    document = "a-ac-105-c-2-2026-crp-9-rev-1"
    listed = {row["actor"] for row in rows("participation_status.csv")
              if row["instrument"] == "ost" and row["status"] == "R" and row["sources"] == document}
    _, found = solutions_as_rows(run_canned(curated_store, parse_canned(PROJECT / "queries" / "ost-parties-not-moon.rq")))
    assert {row["state"].value.removeprefix(f"{ID}state/") for row in found} == listed - moon_parties_today()


def test_every_state_has_one_status_per_un_treaty_today_and_on_1_january_1980(curated_store: ox.Store) -> None:
    query = parse_canned(PROJECT / "queries" / "treaty-status-on-date.rq")
    states = {str(s.subject.value) for s in curated_store.quads_for_pattern(None, ox.NamedNode("https://w3id.org/spacekg/ontology#iso3166Alpha3"), None)}
    for day in ("current", "1980-01-01"):
        for treaty in UN_TREATIES:
            _, found = solutions_as_rows(run_canned(curated_store, query, {"instrument": f"{ID}instrument/{treaty}", "date": day}))
            actors = [row["actor"].value for row in found]
            assert len(actors) == len(set(actors)), (day, treaty)
            assert states <= set(actors), (day, treaty, sorted(states - set(actors))[:5])


@pytest.mark.parametrize("code", ["USA", "FRA", "IND", "KAZ", "ARM"])
def test_the_pages_of_the_states_researchers_ask_about_show_one_current_status_per_un_treaty(curated_client: FlaskClient, code: str) -> None:
    html = curated_client.get(f"/doc/state/{code}").get_data(as_text=True)
    section = html[html.index('id="treaty-status"'):]
    section = section[:section.index("</section>")]
    for treaty in ("Outer Space Treaty", "Rescue Agreement", "Liability Convention", "Registration Convention", "Moon Agreement"):
        row = re.search(rf"{treaty}</bdi></a>.*?</tr>", section, re.S)
        assert row, f"{code}: no row for {treaty}"
        assert row.group(0).count('class="mark status') == 1, f"{code}: one current status for {treaty}"


def test_the_rescue_agreement_is_shown_for_the_united_states_as_the_1969_list_has_it(curated_store: ox.Store) -> None:
    signed = [row for row in rows("participation_actions.csv") if row["actor"] == "USA" and row["instrument"] == "arra"]
    query = parse_canned(PROJECT / "queries" / "treaty-status-on-date.rq")
    _, found = solutions_as_rows(run_canned(curated_store, query, {"instrument": f"{ID}instrument/arra"}))
    usa = [row for row in found if row["actor"].value == f"{ID}state/USA"][0]
    expected = "party" if any(row["action"] in CONSENT for row in signed) else "signatory" if signed else "not covered by any source"
    assert usa["statusLabel"].value == expected


def test_the_treaty_table_on_a_day_counts_unknown_and_not_covered_apart(curated_client: FlaskClient) -> None:
    page = curated_client.get("/treaties?date=1980-01-01")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "unknown for want of a date" in text and "not covered by any source" in text and "on 1980-01-01" in text
