"""The charts over time, read through the app over the tiny release: the chronology's timeline, a state's voting
record and two states' agreement. Each SVG is well-formed XML, every mark links to a page that answers, the marks are
the rows the page's table lists, and the agreement the page shows is what the SPARQL query behind its picture answers.
Expectations are read from the tiny project's files (tests/resources/tiny/data) at test time."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

import pytest
from flask.testing import FlaskClient

from spacekg.web.pictures.timeline import TimelineEvent, timeline
from test_pages import Page, check_page, html, tiny_rows
from test_pages_votes import votes_of

SVG = "{http://www.w3.org/2000/svg}"
OPTION_CLASS = {"yes": "vote-yes", "no": "vote-no", "abstain": "vote-abstain", "not voting": "vote-not-voting"}


def picture(page: str, id_: str) -> ET.Element:
    """The inline <svg> with this id, parsed as XML (which fails on anything not well-formed)."""
    match = re.search(rf'<svg [^>]*\bid="{id_}".*?</svg>', page, re.S)
    assert match, f"no <svg id={id_}>"
    return ET.fromstring(match.group(0))


def marks(svg: ET.Element) -> list[tuple[str, str, str]]:
    """(href, tooltip, class of the shape) of each linked mark."""
    found = []
    for anchor in svg.iter(f"{SVG}a"):
        title = anchor.find(f"{SVG}title")
        shape = next(child for child in anchor if child.tag in (f"{SVG}rect", f"{SVG}circle"))
        found.append((anchor.attrib["href"], title.text or "" if title is not None else "", shape.attrib.get("class", "")))
    return found


def table_events(page: str) -> list[str]:
    """The event links of the chronology table's rows, in order."""
    table = page[page.index('id="events"'):]
    return re.findall(r'<th scope="row"><a href="(/doc/event/[^"]+)"', table)


# --- the timeline ---------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["", "type=ResolutionAdoption", "from=2000&to=2010", "type=ASATTest&from=2008",
                                   "type=PolicyAnnouncement&type=Meeting"])
def test_the_timeline_draws_one_mark_per_event_the_table_lists(client: FlaskClient, query: str) -> None:
    answer = html(client, f"/chronology?{query}")
    assert answer.status_code == 200 and check_page(answer.text) == []
    listed = table_events(answer.text)
    assert listed, "the filter leaves events in the tiny project"
    assert sorted(href for href, _, _ in marks(picture(answer.text, "timeline"))) == sorted(listed)


def test_every_mark_of_the_timeline_links_to_its_events_page_with_date_label_and_type(client: FlaskClient) -> None:
    svg = picture(html(client, "/chronology").text, "timeline")
    events = {f"/doc/event/{row['id']}": row for row in tiny_rows("events.csv")}
    for href, tooltip, class_ in marks(svg):
        assert html(client, href).status_code == 200, href
        assert tooltip.startswith(f"{events[href]['date']} · {events[href]['title']} ("), tooltip
        assert class_ == "timeline-event"
    assert svg.find(f"{SVG}title") is not None and "events" in (svg.findtext(f"{SVG}desc") or "")


def test_a_year_with_several_events_of_a_type_stacks_them() -> None:
    """Drawn from rows of our own (the tiny project has no two events of a type in one year)."""
    events = [TimelineEvent(2022, f"2022-0{month}", f"Resolution {month}", "resolution adoption", f"/doc/event/R{month}") for month in (1, 2, 3)]
    events.append(TimelineEvent(2021, "2021", "Test", "destructive ASAT test", "/doc/event/T"))
    svg = ET.fromstring(str(timeline(events, ["destructive ASAT test", "resolution adoption"], described_by="events")))
    placed = {anchor.attrib["href"]: anchor.find(f"{SVG}rect").attrib for anchor in svg.iter(f"{SVG}a")}  # type: ignore[union-attr]
    stacked = [placed[f"/doc/event/R{month}"] for month in (1, 2, 3)]
    assert len({shape["x"] for shape in stacked}) == 1 and len({shape["y"] for shape in stacked}) == 3, "one column, three heights"
    assert float(placed["/doc/event/T"]["x"]) < float(stacked[0]["x"])
    rows = [text.findtext(f"{SVG}title") for text in svg.iter(f"{SVG}text") if text.find(f"{SVG}title") is not None]
    assert rows == ["Destructive ASAT test", "Resolution adoption"], "one row per type, in the order given"


def test_no_timeline_is_drawn_when_no_event_matches(client: FlaskClient) -> None:
    answer = html(client, "/chronology?from=2090")
    assert answer.status_code == 200 and 'id="timeline"' not in answer.text and "No event matches" in answer.text


def test_the_timeline_offers_its_query_as_data_and_points_to_the_table(client: FlaskClient) -> None:
    answer = html(client, "/chronology?type=ASATTest")
    figure = answer.text[answer.text.index('<figure class="chart"'):answer.text.index("</figure>")]
    assert 'aria-describedby="events"' in figure and 'href="#events"' in figure
    data = re.findall(r'<a href="([^"]+)" type="(application/sparql-results\+json|text/csv)"', figure)
    assert len(data) == 2
    bindings = client.get(data[0][0].replace("&amp;", "&")).get_json()["results"]["bindings"]
    assert {f"/doc/event/{row['event']['value'].rpartition('/')[2]}" for row in bindings} == set(table_events(answer.text))


# --- a state's voting record ----------------------------------------------------------------------

def test_a_states_voting_record_draws_each_vote_coloured_by_its_option(client: FlaskClient) -> None:
    answer = html(client, "/doc/state/USA")
    assert check_page(answer.text) == []
    drawn = {href.rpartition("/")[2]: (tooltip, class_) for href, tooltip, class_ in marks(picture(answer.text, "voting-record-picture"))}
    expected = votes_of("USA")
    assert {roll_call: class_ for roll_call, (_, class_) in drawn.items()} == {roll_call: OPTION_CLASS[option] for roll_call, option in expected.items()}
    for roll_call, (tooltip, _) in drawn.items():
        assert tooltip.endswith(f": {expected[roll_call]}") and html(client, f"/doc/rollcall/{roll_call}").status_code == 200


def test_the_voting_record_legend_counts_the_votes_shown(client: FlaskClient) -> None:
    answer = html(client, "/doc/state/USA?votes_topic=paros")
    topics = {row["id"]: row["topic"] for row in tiny_rows("un_roll_calls.csv")}
    shown = {roll_call: option for roll_call, option in votes_of("USA").items() if topics[roll_call] == "paros"}
    drawn = [href.rpartition("/")[2] for href, _, _ in marks(picture(answer.text, "voting-record-picture"))]
    assert sorted(drawn) == sorted(shown), "the topic filter applies to the picture"
    legend = Page(re.search(r'<ul class="legend".*?</ul>', answer.text, re.S).group(0)).text  # type: ignore[union-attr]
    for option in OPTION_CLASS:
        assert f"{option} ({list(shown.values()).count(option)})" in legend


def test_the_voting_record_as_data_is_the_states_votes(client: FlaskClient) -> None:
    answer = html(client, "/doc/state/USA")
    figure = re.search(r'<figure class="chart" aria-describedby="voting-record-table">.*?</figure>', answer.text, re.S).group(0)  # type: ignore[union-attr]
    data = {media: href.replace("&amp;", "&") for href, media in re.findall(r'<a href="([^"]+)" type="([^"]+)"', figure)}
    assert set(data) == {"application/sparql-results+json", "text/csv"}
    bindings = client.get(data["application/sparql-results+json"]).get_json()["results"]["bindings"]
    assert {row["rollCall"]["value"].rpartition("/")[2]: row["option"]["value"] for row in bindings} == votes_of("USA")


def test_a_states_voting_record_links_to_the_agreement_page(client: FlaskClient) -> None:
    answer = html(client, "/doc/state/IND")
    assert 'href="/votes/agreement?a=IND"' in answer.text
    assert html(client, "/votes/agreement?a=IND").status_code == 200
    assert 'href="/votes/agreement"' in html(client, "/votes").text


# --- the agreement of two states ------------------------------------------------------------------

def expected_agreement(first: str, second: str) -> dict[int, tuple[int, int]]:
    """year -> (roll calls with a vote of both, those with the same vote), from the tiny project's rows."""
    dates = {row["id"]: row["date"] for row in tiny_rows("un_roll_calls.csv")}
    a, b = votes_of(first), votes_of(second)
    years: dict[int, list[bool]] = defaultdict(list)
    for roll_call in set(a) & set(b):
        years[int(dates[roll_call][:4])].append(a[roll_call] == b[roll_call])
    return {year: (len(same), sum(same)) for year, same in years.items()}


def shown_years(page: str) -> dict[int, tuple[int, int, int]]:
    """year -> (shared, same, percent) of the page's table per year."""
    table = page[page.index('id="agreement-years"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<th scope="row"><a href="#year-(\d+)">\d+</a></th><td class="number">(\d+)</td><td class="number">(\d+)</td>'
                      r'<td class="number">(\d+)%</td>', table)
    return {int(year): (int(shared), int(same), int(share)) for year, shared, same, share in rows}


@pytest.mark.parametrize(("first", "second"), [("GBR", "USA"), ("IND", "USA"), ("RUS", "TKM"), ("SUN", "AUS")])
def test_the_agreement_the_page_shows_is_what_the_query_behind_its_picture_answers(client: FlaskClient, first: str, second: str) -> None:
    answer = html(client, "/votes/agreement", a=first, b=second)
    assert answer.status_code == 200 and check_page(answer.text) == []
    shown = shown_years(answer.text)
    assert {year: (shared, same) for year, (shared, same, _) in shown.items()} == expected_agreement(first, second)
    json_href = re.search(r'<link rel="alternate" type="application/sparql-results\+json" href="([^"]+)"', answer.text).group(1)  # type: ignore[union-attr]
    bindings = client.get(json_href.replace("&amp;", "&")).get_json()["results"]["bindings"]
    queried = {int(row["year"]["value"]): (int(row["rollCalls"]["value"]), int(row["agreed"]["value"]), round(float(row["agreementPercent"]["value"])))
               for row in bindings}
    assert queried == shown
    assert all(row["first"]["value"].endswith(f"/state/{first}") and row["second"]["value"].endswith(f"/state/{second}") for row in bindings)


def test_each_point_of_the_agreement_rests_on_its_roll_calls_and_links_to_them(client: FlaskClient) -> None:
    answer = html(client, "/votes/agreement?a=IND&b=USA")
    svg = picture(answer.text, "agreement-picture")
    shown = shown_years(answer.text)
    points = marks(svg)
    assert sorted(int(href.removeprefix("#year-")) for href, _, _ in points) == sorted(shown)
    labels = [anchor.findtext(f"{SVG}text") for anchor in svg.iter(f"{SVG}a")]
    assert labels == [str(shown[year][0]) for year in sorted(shown)], "the number of shared roll calls is written at each point"
    for href, tooltip, _ in points:
        year = int(href.removeprefix("#year-"))
        assert f'<tbody id="year-{year}">' in answer.text and f"in {shown[year][1]} of {shown[year][0]} shared" in tooltip
    path = svg.find(f".//{SVG}path[@class='agreement-line']")
    assert path is not None
    runs = sum(1 for before, after in zip(sorted(shown), sorted(shown)[1:], strict=False) if after - before > 1) + 1
    assert path.attrib["d"].count("M") == runs, "a year without a shared roll call breaks the line"


def test_the_agreement_page_has_defaults_among_the_states_with_votes(client: FlaskClient) -> None:
    answer = html(client, "/votes/agreement")
    assert answer.status_code == 200 and check_page(answer.text) == []
    chosen = re.findall(r'<option value="([A-Z]+)" selected>', answer.text)
    voters = {row["state"] for row in tiny_rows("un_votes.csv")}
    assert len(chosen) == 2 and chosen[0] != chosen[1] and set(chosen) <= voters
    assert 'id="agreement-picture"' in answer.text
    assert shown_years(html(client, "/votes/agreement?a=gbr&b=usa").text) == shown_years(html(client, "/votes/agreement?a=GBR&b=USA").text)


@pytest.mark.parametrize(("query", "named"), [("a=XX", "a="), ("a=USA&b=nope", "b="), ("b=%3Cscript%3E", "b="),
                                              ("a=CHN&b=USA", "a="), ("a=USA&b=USA", "a and b"), ("a=" + "Z" * 300, "a=")])
def test_a_bad_state_is_a_400_that_names_the_parameter(client: FlaskClient, query: str, named: str) -> None:
    answer = html(client, f"/votes/agreement?{query}")
    assert answer.status_code == 400, query
    assert named in Page(answer.text).text and "<script>" not in answer.text
