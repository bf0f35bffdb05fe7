"""The status rule (spacekg.rdf.status_rule) as the tiny release serves it: status as of any day, the current
status, coverage, and the pages and query that show it.

The tiny data holds the cases the rule must tell apart, each a verbatim row of data/ (or, for Saudi
Arabia's withdrawal, a row of data/ with its source): Afghanistan signed the Outer Space Treaty on
1967-01-27 and ratified it on 1988-03-21 (US table; the Dutch table says 1988-03-17); Saudi Arabia
acceded to the Moon Agreement on 2012-07-18 and withdrew with effect from 2024-01-05; France's Rescue
Agreement ratification is undated (Ole Miss matrix, read 2026-11-21); the United States' Rescue Agreement
signature is undated in a list of 1969; the UN depositary's Moon table covers every state; nothing covers
Russia for the Rescue Agreement.
"""

from __future__ import annotations

import datetime as dt
import re

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from conftest import PROJECT
from spacekg.queries import parse_canned
from spacekg.rdf.status_rule import Evidence, assess, status_on
from spacekg.store.querying import run_canned, solutions_as_rows

ID = "https://w3id.org/spacekg/id/"
QUERY = parse_canned(PROJECT / "queries" / "treaty-status-on-date.rq")


def status(store: ox.Store, actor: str, instrument: str, day: str = "current") -> tuple[str, set[str]]:
    """The status label of one actor for one instrument on `day`, and the local names of the evidence that decides it."""
    _, rows = solutions_as_rows(run_canned(store, QUERY, {"instrument": f"{ID}instrument/{instrument}", "date": day}))
    found = [row for row in rows if row["actor"] is not None and row["actor"].value == f"{ID}state/{actor}"]
    assert len(found) == 1, f"one status per actor and day, got {found}"
    decided = found[0]["decidedBy"].value.split() if found[0]["decidedBy"] else []
    return found[0]["statusLabel"].value, {iri.rsplit("/", 1)[-1] for iri in decided}


@pytest.mark.parametrize(("day", "expected", "deciding"), [
    ("1967-01-27", "signatory", "AFG-ost-signature"),  # both tables give this day: both decide
    ("1988-03-16", "signatory", "AFG-ost-signature"),
    ("1988-03-17", "party", "AFG-ost-ratification-"),  # the Dutch table's day (the row with a source suffix)
    ("1988-03-21", "party", "AFG-ost-ratification"),  # the US table's day is the newest: it decides from then on
    ("current", "party", "AFG-ost-ratification"),
])
def test_signature_then_ratification_give_signatory_then_party_from_their_days(tiny_store: ox.Store, day: str, expected: str,
                                                                                deciding: str) -> None:
    label, decided = status(tiny_store, "AFG", "ost", day)
    assert label == expected
    assert any(name == deciding or (deciding.endswith("-") and name.startswith(deciding)) for name in decided), decided


@pytest.mark.parametrize(("day", "expected"), [
    ("2012-07-17", "not a party"), ("2012-07-18", "party"),
    ("2023-06-01", "party"),  # notice given, not yet in effect
    ("2024-01-05", "withdrawn"), ("current", "withdrawn"),
])
def test_a_withdrawal_ends_party_status_on_the_day_it_takes_effect(tiny_store: ox.Store, day: str, expected: str) -> None:
    assert status(tiny_store, "SAU", "moon", day)[0] == expected


def test_an_undated_act_makes_earlier_days_unknown_and_counts_once_its_source_is_known(tiny_store: ox.Store) -> None:
    assert status(tiny_store, "FRA", "arra", "1990-01-01") == ("unknown for want of a date", {"FRA-arra-ratification"})
    assert status(tiny_store, "FRA", "arra")[0] == "party"
    # the 1969 list dates the US signature to 1969 at the latest: unknown before, signatory after
    assert status(tiny_store, "USA", "arra", "1969-06-30")[0] == "unknown for want of a date"
    assert status(tiny_store, "USA", "arra", "1970-01-01") == ("signatory", {"USA-arra-signature"})


def test_not_covered_is_kept_apart_from_not_a_party(tiny_store: ox.Store) -> None:
    assert status(tiny_store, "RUS", "arra") == ("not covered by any source", set())
    # the depositary's complete Moon table does not list Russia: not a party, decided by that table's coverage
    label, decided = status(tiny_store, "RUS", "moon")
    assert label == "not a party" and decided and all(name.startswith("moon-") for name in decided)
    assert status(tiny_store, "TKM", "ost")[0] == "not a party"  # listed without status


def test_no_status_is_given_for_a_day_before_the_treaty_opened_for_signature(tiny_store: ox.Store) -> None:
    _, rows = solutions_as_rows(run_canned(tiny_store, QUERY, {"instrument": f"{ID}instrument/ost", "date": "1966-01-01"}))
    assert rows == []


def test_every_actor_has_exactly_one_status_on_every_day_it_has_one(tiny_store: ox.Store) -> None:
    for day in ("current", "1980-01-01", "2024-01-05"):  # every treaty is open for signature on these days
        for instrument in ("ost", "arra", "liab", "reg", "moon"):
            _, rows = solutions_as_rows(run_canned(tiny_store, QUERY, {"instrument": f"{ID}instrument/{instrument}", "date": day}))
            actors = [row["actor"].value for row in rows]
            assert actors and len(actors) == len(set(actors)), (day, instrument)


def test_the_rule_flags_a_newer_lower_status_that_no_withdrawal_explains_as_contested() -> None:
    day = dt.date
    ratified = Evidence("ratification", "party", day(1990, 1, 1), day(1990, 1, 1), day(1990, 1, 1))
    listed_signatory = Evidence("listing", "signatory", day(2026, 1, 1), day(2026, 1, 1), day(2026, 1, 1), listing=True)
    result = assess([ratified, listed_signatory], day(1967, 1, 27))
    assert (result.status, result.decided_by, result.contested, result.conflicting) == ("signatory", ("listing",), True, ("ratification",))
    withdrawal = Evidence("withdrawal", "withdrawn", day(2000, 1, 1), day(2000, 1, 1), day(2000, 1, 1))
    assert assess([ratified, withdrawal], None).contested is False
    # a partial date (1990-05) leaves the days of that month unknown
    partial = Evidence("partial", "party", day(1990, 5, 1), day(1990, 5, 31), day(1990, 5, 31))
    assert status_on(day(1990, 5, 10), [partial]).status == "unknown"
    assert status_on(day(1990, 6, 1), [partial]).status == "party"


def test_the_treaties_page_shows_the_status_on_a_day_with_unknown_and_not_covered_counts(client: FlaskClient, tiny_store: ox.Store) -> None:
    page = client.get("/treaties?date=1980-01-01")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "on 1980-01-01" in html
    _, rows = solutions_as_rows(run_canned(tiny_store, QUERY, {"instrument": f"{ID}instrument/ost", "date": "1980-01-01"}))
    unknown = sum(1 for row in rows if row["statusLabel"].value == "unknown for want of a date")
    row = re.search(r'<tr><th scope="row"><a href="[^"]*instrument/ost">.*?</tr>', html, re.S)
    assert row, "the totals table has a row for the Outer Space Treaty"
    cells = re.findall(r'<td class="number">([^<]*)</td>', row.group(0))
    assert cells[5] == str(unknown) and unknown > 0
    assert "not covered by any source" in html


def test_a_bad_date_is_refused_with_a_message_naming_the_parameter(client: FlaskClient) -> None:
    page = client.get("/treaties?date=1980-13-01")
    assert page.status_code == 400
    assert "date" in page.get_data(as_text=True) and "YYYY-MM-DD" in page.get_data(as_text=True)


def test_a_state_page_shows_one_current_status_per_instrument_with_its_deciding_evidence_and_history(client: FlaskClient) -> None:
    html = client.get("/doc/state/SAU").get_data(as_text=True)
    section = html[html.index('id="treaty-status"'):]
    section = section[:section.index("</section>")]
    assert section.count('<tr><th scope="row">') == 5  # one row per UN treaty
    moon = re.search(r'Moon Agreement.*?</tr>', section, re.S)
    assert moon and "withdrawn" in moon.group(0) and "SAU-moon-withdrawal" in moon.group(0) and "2012-07-18" in moon.group(0)
    assert 'per <a href="/doc/citation/anzsil-saudi-withdrawal-moon">' in moon.group(0), "the deciding source is named"
