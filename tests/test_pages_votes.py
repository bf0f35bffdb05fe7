"""The pages of the UN General Assembly's roll calls: /votes, a roll call's page and a state's voting record.

Expectations are read from the tiny project's rows (tests/resources/tiny/data/un_roll_calls.csv, un_votes.csv) at test
time. The tiny project states no totals; a module fixture builds a copy whose curated totals equal the recorded votes
(and one roll call with a hostile title) to check how stated totals and markup are shown."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from conftest import app_settings, copy_tiny_project
from spacekg.pipeline import build
from spacekg.web import create_app
from test_pages import BROWSER, Page, check_page, html, tiny_rows

OPTION = {"yes": "yes", "no": "no", "abstain": "abstain", "not-voting": "not voting"}  # curators' code -> the option pages show
HOSTILE_TITLE = """<script>alert("vote")</script> No first placement & 'NFP' "quoted" عدم الوضع"""
SHOWN_TITLE = "&lt;script&gt;alert(&#34;vote&#34;)&lt;/script&gt; No first placement &amp; &#39;NFP&#39; &#34;quoted&#34; عدم الوضع"


def roll_calls() -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in tiny_rows("un_roll_calls.csv")}


def votes_in(roll_call: str) -> dict[str, str]:
    """state -> option of every vote the tiny project records in one roll call."""
    return {row["state"]: OPTION[row["vote"]] for row in tiny_rows("un_votes.csv") if row["roll_call"] == roll_call}


def votes_of(state: str) -> dict[str, str]:
    """roll call -> option of every vote the tiny project records for one state."""
    return {row["roll_call"]: OPTION[row["vote"]] for row in tiny_rows("un_votes.csv") if row["state"] == state}


def section(page: str, heading_id: str) -> str:
    """The HTML of the <section> a heading with this id opens (up to the next section at the same depth)."""
    start = page.index(f'id="{heading_id}"')
    depth, position = 1, start
    for match in re.finditer(r"<(/?)section\b", page[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            position = start + match.start()
            break
    return page[start:position]


def record_rows(page: str) -> list[tuple[str, str, str]]:
    """(date, symbol, vote) of each row of a state's voting record."""
    table = section(page, "voting-record")
    rows = re.findall(r'<tr><td class="date">([^<]+)</td>.*?<td class="symbol">(.*?)</td>.*?<td class="vote">(.*?)</td></tr>', table, re.S)
    return [(date, Page(symbol).text, Page(vote).text) for date, symbol, vote in rows]


# --- /votes ---------------------------------------------------------------------------------------

def test_the_votes_page_lists_every_roll_call_under_its_topic(client: FlaskClient) -> None:
    answer = html(client, "/votes")
    assert answer.status_code == 200 and check_page(answer.text) == []
    for roll_call, row in roll_calls().items():
        listed = section(answer.text, f"topic-{row['topic']}")
        assert f'href="/doc/rollcall/{roll_call}"' in listed, roll_call
        if row["symbol"]:
            assert f">{row['symbol']}</bdi></a>" in listed, roll_call
    da_asat = section(answer.text, "topic-da-asat-testing")
    assert 'href="/doc/instrument/a-res-77-41"' in da_asat and "A/RES/77/41" not in section(answer.text, "topic-paros")


def test_the_votes_page_says_totals_are_not_stated_and_where_its_roll_calls_come_from(client: FlaskClient) -> None:
    answer = html(client, "/votes")
    text = Page(answer.text).text
    assert text.count("not stated") == len(roll_calls()), "the tiny project states no totals: one 'not stated' per roll call"
    coverage = section(answer.text, "coverage")
    for source in {row["sources"] for row in roll_calls().values()}:
        assert f'href="/doc/citation/{source}"' in coverage
    assert "absences not recorded" in coverage, "the Voeten citation's own note"
    assert "no roll call found for PAROS 2021-2024" in coverage, "the UN Digital Library citation's own note"
    assert "not “absent”" in coverage
    recorded = Counter(row["roll_call"] for row in tiny_rows("un_votes.csv"))
    row = re.search(r'href="/doc/rollcall/undl-9562".*?</tr>', answer.text, re.S)
    assert row and f'<td class="number">{recorded["undl-9562"]}</td></tr>' in row.group(0)


def test_the_topic_parameter_keeps_one_topic_and_the_order_parameter_reverses_the_dates(client: FlaskClient) -> None:
    paros = {roll_call for roll_call, row in roll_calls().items() if row["topic"] == "paros"}
    answer = html(client, "/votes", topic="paros")
    assert answer.status_code == 200 and check_page(answer.text) == []
    listed = set(re.findall(r'href="/doc/rollcall/([^"]+)"', answer.text))
    assert listed == paros and len(paros) > 1
    oldest_first = re.findall(r'<td class="date">([^<]+)</td>', answer.text)
    newest_first = re.findall(r'<td class="date">([^<]+)</td>', html(client, "/votes", topic="paros", order="desc").text)
    assert oldest_first == sorted(oldest_first) and newest_first == oldest_first[::-1]
    assert "tcbm" not in {row["topic"] for row in roll_calls().values()}
    assert "No roll call on this topic is recorded in our sources" in html(client, "/votes", topic="tcbm").text


@pytest.mark.parametrize(("path", "parameter"), [("/votes?topic=parrots", "topic"), ("/votes?order=sideways", "order"),
                                                 ("/doc/state/USA?votes_topic=parrots", "votes_topic"),
                                                 ("/doc/state/USA?votes_order=sideways", "votes_order")])
def test_a_bad_parameter_is_refused_with_a_message_naming_it(client: FlaskClient, path: str, parameter: str) -> None:
    page = html(client, path)
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert f"parameter {parameter}=" in page.text and "use one of" in page.text
    plain = client.get(path)
    assert plain.status_code == 400 and f"{parameter}=" in plain.text


def test_a_bad_parameter_holding_markup_is_shown_as_text(client: FlaskClient) -> None:
    for path in ("/votes", "/doc/state/USA"):
        name = "topic" if path == "/votes" else "votes_topic"
        page = html(client, path, **{name: '<script>alert("x")</script>'})
        assert page.status_code == 400
        assert "<script>" not in page.text and "&lt;script&gt;" in page.text


def test_the_votes_page_is_in_the_site_navigation_and_on_the_landing_page(client: FlaskClient) -> None:
    votes = html(client, "/votes").text
    assert '<a href="/votes" aria-current="page">Votes</a>' in votes
    assert 'href="/votes"' in section(html(client, "/").text, "start")


# --- a roll call's page ---------------------------------------------------------------------------

def test_a_roll_call_page_lists_every_state_under_its_vote_and_says_the_totals_are_not_stated(client: FlaskClient) -> None:
    assert client.get("/id/rollcall/undl-9562", headers={"Accept": BROWSER}).headers["Location"].endswith("/doc/rollcall/undl-9562")
    answer = html(client, "/doc/rollcall/undl-9562")
    assert answer.status_code == 200 and check_page(answer.text) == []
    part = section(answer.text, "roll-call")
    assert answer.text.index('id="roll-call"') < answer.text.index('id="statements"'), "above the table of statements"
    cast = votes_in("undl-9562")
    assert cast["RUS"] == "no" and cast["USA"] == "yes"
    for index, option in enumerate(("yes", "no", "abstain", "not voting"), start=1):
        group = section(part, f"voted-{index}")
        assert f'id="voted-{index}">{option} <span class="count">(' in group
        assert {link.removeprefix("/doc/state/") for link in Page(group).links} == {s for s, o in cast.items() if o == option}
    assert 'href="/doc/instrument/a-res-77-41"' in part and 'href="/votes?topic=da-asat-testing"' in part
    assert "The source states no totals for this roll call" in part
    assert "no vote recorded in the source" in part and "absent" in part
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in part and 'id="vote-map"' in part and 'id="vote-totals"' in part  # the pictures (test_pictures_maps.py)


def test_a_roll_call_without_a_un_symbol_would_show_the_source_identifier(client: FlaskClient) -> None:
    """The Voeten rows of the tiny project all have a symbol; the page still names the source's own identifier."""
    answer = html(client, "/doc/rollcall/voeten-3450")
    part = section(answer.text, "roll-call")
    assert roll_calls()["voeten-3450"]["source_id"] in part and 'href="/doc/citation/voeten-unga-voting-data"' in part


# --- a state's voting record ----------------------------------------------------------------------

def test_a_state_page_shows_its_votes_newest_first(client: FlaskClient) -> None:
    answer = html(client, "/doc/state/USA")
    assert answer.status_code == 200 and check_page(answer.text) == []
    rows = record_rows(answer.text)
    assert ("2022-12-07", "A/RES/77/42", "no") in rows
    assert len(rows) == len(votes_of("USA"))
    expected = {(roll_calls()[rc]["date"], roll_calls()[rc]["symbol"], option) for rc, option in votes_of("USA").items()}
    assert set(rows) == expected
    dates = [date for date, _, _ in rows]
    assert dates == sorted(dates, reverse=True)
    ascending = [date for date, _, _ in record_rows(html(client, "/doc/state/USA", votes_order="asc").text)]
    assert ascending == sorted(dates)


def test_the_topic_filter_of_a_voting_record_removes_the_other_topics(client: FlaskClient) -> None:
    paros = {roll_calls()[rc]["symbol"] for rc in votes_of("USA") if roll_calls()[rc]["topic"] == "paros"}
    assert paros
    filtered = html(client, "/doc/state/USA", votes_topic="da-asat-testing")
    assert filtered.status_code == 200 and check_page(filtered.text) == []
    symbols = {symbol for _, symbol, _ in record_rows(filtered.text)}
    assert symbols == {"A/RES/77/41"} and not symbols & paros
    kept = html(client, "/doc/state/USA", votes_topic="paros", votes_order="asc")
    assert {symbol for _, symbol, _ in record_rows(kept.text)} == paros
    assert 'href="/doc/state/USA?votes_order=desc&amp;votes_topic=paros#voting-record"' in kept.text, "sorting keeps the topic"
    none = html(client, "/doc/state/USA", votes_topic="tcbm")
    assert "No vote of this state on" in none.text and record_rows(none.text) == []


def test_a_state_without_a_recorded_vote_says_so_rather_than_absent(client: FlaskClient) -> None:
    states = {link.removeprefix("/doc/state/") for link in Page(html(client, "/browse/state").text).links if link.startswith("/doc/state/")}
    voters = {row["state"] for row in tiny_rows("un_votes.csv")}
    silent = sorted(states - voters)
    assert silent, "the tiny project has states without a vote"
    part = section(html(client, f"/doc/state/{silent[0]}").text, "voting-record")
    assert "No roll-call vote of this state is recorded in our sources" in part and "<table" not in part


def test_the_ussr_votes_under_its_own_code(client: FlaskClient) -> None:
    rows = record_rows(html(client, "/doc/state/SUN").text)
    assert {(roll_calls()[rc]["symbol"], option) for rc, option in votes_of("SUN").items()} == {(s, v) for _, s, v in rows} != set()


# --- stated totals and hostile text (one build of a copy of the tiny project) ----------------------

def _write_cells(path: Path, cells: dict[str, dict[str, str]]) -> None:
    """Set cells of rows of a curated CSV file by id, keeping every row on its line."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for row in rows[1:]:
        for column, text in cells.get(row[0], {}).items():
            row[header.index(column)] = text
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _totals(roll_call: str) -> dict[str, str]:
    counted = Counter(votes_in(roll_call).values())
    return {"yes": str(counted["yes"]), "no": str(counted["no"]), "abstain": str(counted["abstain"]), "non_voting": str(counted["not voting"])}


@pytest.fixture(scope="module")
def stated_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """The app over a copy of the tiny project whose undl-9562 states all four totals (equal to the recorded votes),
    voeten-3450 only yes and no (as the Voeten data state no absences), and undl-9564 has a title holding markup."""
    settings = copy_tiny_project(tmp_path_factory.mktemp("stated-totals") / "project")
    partial = {key: text for key, text in _totals("voeten-3450").items() if key in ("yes", "no")}
    _write_cells(settings.data / "un_roll_calls.csv", {"undl-9562": _totals("undl-9562"), "voeten-3450": partial,
                                                       "undl-9564": {"title": HOSTILE_TITLE}})
    application: Flask = create_app(app_settings(build(settings)))
    application.config["TESTING"] = True
    yield application.test_client()
    application.config["SPACEKG_FOLLOWER"].served.runner.close()


def test_stated_totals_are_shown_beside_the_recorded_votes(stated_client: FlaskClient) -> None:
    totals = _totals("undl-9562")
    part = section(html(stated_client, "/doc/rollcall/undl-9562").text, "roll-call-totals")
    assert "The totals the source states, beside the votes recorded here" in part and "differs" not in part
    for option, column in (("yes", "yes"), ("no", "no"), ("abstain", "abstain"), ("not voting", "non_voting")):
        assert f'<tr><th scope="row">{option}</th>\n<td class="number">{totals[column]}</td>\n<td class="number">{totals[column]}</td></tr>' in part
    listing = html(stated_client, "/votes").text
    row = re.search(r'href="/doc/rollcall/undl-9562".*?</tr>', listing, re.S)
    assert row and re.findall(r'<td class="number">(\d+)</td>', row.group(0))[:4] == [totals[c] for c in ("yes", "no", "abstain", "non_voting")]
    partial = re.search(r'href="/doc/rollcall/voeten-3450".*?</tr>', listing, re.S)
    assert partial and partial.group(0).count("not stated") == 2, "abstain and not voting: the source states only yes and no"


def test_a_roll_call_title_holding_markup_is_shown_as_text(stated_client: FlaskClient) -> None:
    for path in ("/votes", "/doc/rollcall/undl-9564", "/doc/state/USA"):
        page = html(stated_client, path)
        assert page.status_code == 200 and check_page(page.text) == [], path
        assert "<script>" not in page.text and 'alert("vote")' not in page.text, path
        assert SHOWN_TITLE in page.text, path
