"""The maps and charts of a treaty's status page (/treaties/<instrument>) and of a roll call's page, and the TopoJSON
decoding they are drawn from.

Expectations come from the pages' own functions (statuses(), the recorded votes) and the tiny project's rows, run at
test time; no test counts the curated data's rows.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from spacekg.web.pages.common import select
from spacekg.web.pages.figures import bound_query
from spacekg.web.pages.instrument_status import PARTY_PERIODS, STATUS_CLASSES, party_runs
from spacekg.web.pages.roll_call_pictures import NO_VOTE, vote_class
from spacekg.web.pages.status import CURRENT, statuses, tally
from spacekg.web.pages.views import UN_TREATIES
from spacekg.web.pictures.geography import LEFT_OUT, decode_arcs, equal_earth, project, ring, svg_path, world
from spacekg.web.state import site
from test_pages import check_page, html, tiny_rows

SVG = "{http://www.w3.org/2000/svg}"
SLUGS = [slug for slug, _ in UN_TREATIES]
DAYS = [CURRENT, "1970-01-01", "1985-06-30", "2000-01-01"]


def pictures(text: str) -> dict[str, ET.Element]:
    """Every picture of a page (an <svg> with an id) parsed as XML, by id; a picture that is not well-formed fails here."""
    return {element.get("id", ""): element for element in (ET.fromstring(match) for match in re.findall(r"<svg[^>]*\bid=.*?</svg>", text, re.S))}


def marks(svg: ET.Element) -> dict[str, str]:
    """href -> the class of the area each linked mark of a map draws."""
    return {a.get("href", ""): a.find(f"{SVG}path").get("class", "") for a in svg.iter(f"{SVG}a")}  # type: ignore[union-attr]


@pytest.fixture
def context(app: Flask) -> Iterator[None]:
    """A request context on the app, for calling the pages' own functions."""
    with app.test_request_context("/"):
        yield


def instrument(slug: str) -> str:
    return site().entity_iri(f"instrument/{slug}")


# --- the TopoJSON decoding ------------------------------------------------------------------------

SQUARE = {"type": "Topology", "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
          # two arcs from (0,0) to (2,2), one by the bottom right and one by the top left, delta-encoded
          "arcs": [[[0, 0], [2, 0], [0, 2]], [[0, 0], [0, 2], [2, 0]]],
          "objects": {"countries": {"type": "GeometryCollection", "geometries": [
              {"type": "Polygon", "id": "250", "arcs": [[0, ~1]], "properties": {"name": "France"}},
              {"type": "MultiPolygon", "arcs": [[[1, ~0]]], "properties": {"name": "Kosovo"}},
              {"type": "Polygon", "arcs": [[0, ~1]], "properties": {"name": "N. Cyprus"}}]}}}


def test_quantised_delta_encoded_arcs_are_summed_and_scaled() -> None:
    assert decode_arcs(SQUARE) == [[(10, 20), (11, 20), (11, 20.5)], [(10, 20), (10, 20.5), (11, 20.5)]]


def test_a_ring_follows_its_arcs_and_walks_a_reversed_arc_backwards_keeping_shared_points_once() -> None:
    arcs = decode_arcs(SQUARE)
    assert ring([0, ~1], arcs) == [(10, 20), (11, 20), (11, 20.5), (10, 20.5), (10, 20)]


def test_a_ring_becomes_a_closed_relative_path_in_tenths() -> None:
    assert svg_path([[(0, 0), (10, 0), (10, 10.04), (0, 10)]]) == "M0 0l10 0 0 10 -10 0z"
    assert svg_path([[(0, 0), (0.01, 0), (0.02, 0.01)]]) == "", "a ring that rounds to a point is not drawn"


def test_features_are_named_by_alpha_3_and_those_without_a_code_by_name() -> None:
    drawn = project(SQUARE, width=100)
    assert [(shape.code, shape.name) for shape in drawn.shapes] == [("FRA", "France"), ("XKX", "Kosovo"), (None, "N. Cyprus")]
    assert drawn.width == 100 and drawn.height > 0
    assert all(shape.path.startswith("M") and shape.path.endswith("z") for shape in drawn.shapes)


def test_equal_earth_keeps_the_centre_and_the_symmetry() -> None:
    assert equal_earth(0, 0) == (0, 0)
    east, north = equal_earth(180, 90)
    assert equal_earth(-180, -90) == pytest.approx((-east, -north))
    assert equal_earth(180, 0)[0] == pytest.approx(2.7066, abs=1e-3)


def test_the_vendored_boundaries_have_the_states_and_leave_antarctica_out() -> None:
    drawn = world()
    assert {"USA", "FRA", "RUS", "FJI", "XKX"} <= drawn.codes
    assert not LEFT_OUT & drawn.codes
    assert drawn.height > drawn.width / 3


# --- a treaty's status page -----------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_a_treaty_page_is_valid_html_with_two_well_formed_pictures(client: FlaskClient, slug: str) -> None:
    answer = html(client, f"/treaties/{slug}")
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert check_page(text) == []
    found = pictures(text)
    assert {"status-map", "parties-chart"} <= set(found)
    for svg in found.values():
        assert svg.find(f"{SVG}title") is not None and svg.find(f"{SVG}desc") is not None


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("slug", ["ost", "moon"])
def test_the_map_draws_each_state_in_the_class_of_its_status(client: FlaskClient, context: None, slug: str, day: str) -> None:
    answer = html(client, f"/treaties/{slug}", date=day)
    drawn = marks(pictures(answer.get_data(as_text=True))["status-map"])
    codes = world().codes
    expected = {status.actor.href: STATUS_CLASSES[status.label] for status in statuses(instrument(slug), day)
                if site().entity_path(status.actor.value).startswith("state/") and status.actor.value.rpartition("/")[2] in codes}
    assert drawn == expected


def test_a_date_changes_the_map(client: FlaskClient) -> None:
    now = marks(pictures(html(client, "/treaties/moon").get_data(as_text=True))["status-map"])
    before = marks(pictures(html(client, "/treaties/moon", date="1980-06-01").get_data(as_text=True))["status-map"])
    assert now != before


@pytest.mark.parametrize("slug", ["ost", "moon"])
def test_every_mark_of_the_map_links_to_a_page_that_answers(client: FlaskClient, slug: str) -> None:
    for href in marks(pictures(html(client, f"/treaties/{slug}").get_data(as_text=True))["status-map"]):
        assert urlsplit(href).path.startswith("/doc/state/")
        assert html(client, href).status_code == 200, href


def test_a_state_the_map_cannot_draw_is_listed_not_dropped(client: FlaskClient, context: None) -> None:
    text = html(client, "/treaties/ost").get_data(as_text=True)
    undrawn = [status.actor for status in statuses(instrument("ost")) if site().entity_path(status.actor.value).startswith("state/")
               and status.actor.value.rpartition("/")[2] not in world().codes]
    assert undrawn, "the tiny project has the Soviet Union, which no present-day map draws"
    listed = text[text.index('class="not-drawn"'):]
    for actor in undrawn:
        assert f'href="{actor.href}"' in listed


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("slug", SLUGS)
def test_the_chart_and_the_map_count_the_same_parties(context: None, slug: str, day: str) -> None:
    runs = party_runs(select(bound_query(PARTY_PERIODS, instrument=ox.NamedNode(instrument(slug)))))
    on_the_day = [run for run in runs if run.covers(day)]
    assert len(on_the_day) == tally(statuses(instrument(slug), day))["party"]


def test_parties_with_no_dated_act_are_shown_apart_from_the_line(client: FlaskClient, context: None) -> None:
    runs = party_runs(select(bound_query(PARTY_PERIODS, instrument=ox.NamedNode(instrument("ost")))))
    undated = sum(1 for run in runs if not run.dated and run.covers(CURRENT))
    assert undated, "the tiny project lists parties to the Outer Space Treaty from a status document only"
    text = html(client, "/treaties/ost").get_data(as_text=True)
    assert f"{undated} of the current parties have no dated act" in text
    chart = pictures(text)["parties-chart"]
    assert any(group.get("class") == "undated" for group in chart.iter(f"{SVG}g"))


def test_the_pictures_data_answers_as_sparql_json_and_csv_with_a_row_per_actor(client: FlaskClient, context: None) -> None:
    text = html(client, "/treaties/moon", date="1990-01-01").get_data(as_text=True)
    figure = text[text.index('id="status-map-figure"'):text.index('id="parties-chart-figure"')]
    links = [link.replace("&amp;", "&") for link in re.findall(r'<p class="as-data">.*?href="([^"]+)".*?href="([^"]+)"', figure, re.S)[0]]
    answer = client.get(links[0])
    assert answer.status_code == 200 and answer.mimetype == "application/sparql-results+json"
    assert len(json.loads(answer.data)["results"]["bindings"]) == len(statuses(instrument("moon"), "1990-01-01"))
    csv_answer = client.get(links[1])
    assert csv_answer.status_code == 200 and csv_answer.mimetype == "text/csv"


def test_an_unknown_treaty_is_not_found(client: FlaskClient) -> None:
    answer = html(client, "/treaties/artemis")
    assert answer.status_code == 404
    assert "ost" in answer.get_data(as_text=True)


@pytest.mark.parametrize("bad", ["1980-13-01", "yesterday", "1980"])
def test_a_bad_date_is_a_usage_error_naming_the_parameter(client: FlaskClient, bad: str) -> None:
    answer = html(client, "/treaties/ost", date=bad)
    assert answer.status_code == 400
    assert "date=" in answer.get_data(as_text=True) and "YYYY-MM-DD" in answer.get_data(as_text=True)


def test_the_treaties_page_and_the_treaty_link_to_the_maps(client: FlaskClient) -> None:
    treaties = html(client, "/treaties").get_data(as_text=True)
    for slug in SLUGS:
        assert f'href="/treaties/{slug}"' in treaties
    assert 'href="/treaties/ost"' in html(client, "/doc/instrument/ost").get_data(as_text=True)


# --- a roll call's page ---------------------------------------------------------------------------

ROLL_CALLS = sorted({row["id"] for row in tiny_rows("un_roll_calls.csv")})
OPTION = {"yes": "yes", "no": "no", "abstain": "abstain", "not-voting": "not voting"}  # curators' code -> Popolo's option


@pytest.mark.parametrize("roll_call", ROLL_CALLS)
def test_the_vote_map_draws_each_state_by_its_recorded_vote_and_the_rest_as_no_vote_recorded(client: FlaskClient, context: None,
                                                                                              roll_call: str) -> None:
    text = html(client, f"/doc/rollcall/{roll_call}").get_data(as_text=True)
    assert check_page(text) == []
    found = pictures(text)
    drawn = marks(found["vote-map"])
    voted = {row["state"]: OPTION[row["vote"]] for row in tiny_rows("un_votes.csv") if row["roll_call"] == roll_call}
    for href, css in drawn.items():
        code = href.rpartition("/")[2]
        assert css == (vote_class(voted[code]) if code in voted else "vote-none"), code
    assert {code for code in voted if code in world().codes} <= {href.rpartition("/")[2] for href in drawn}
    assert any(css == "vote-none" for css in drawn.values()), f"some state of the tiny graph has no vote: drawn as {NO_VOTE}"


@pytest.mark.parametrize("roll_call", ROLL_CALLS)
def test_the_totals_bars_show_the_votes_recorded_per_option_and_no_stated_total_as_not_stated(client: FlaskClient, roll_call: str) -> None:
    bars = pictures(html(client, f"/doc/rollcall/{roll_call}").get_data(as_text=True))["vote-totals"]
    texts = [text.text or "" for text in bars.iter(f"{SVG}text")]
    recorded = {OPTION[row["vote"]] for row in tiny_rows("un_votes.csv") if row["roll_call"] == roll_call}
    for option in recorded:
        count = sum(1 for row in tiny_rows("un_votes.csv") if row["roll_call"] == roll_call and OPTION[row["vote"]] == option)
        assert f"{count} recorded" in texts, option
    assert "no total stated" in texts, "the tiny project states no totals"


def test_every_mark_of_a_vote_map_links_to_a_page_that_answers(client: FlaskClient) -> None:
    for href in marks(pictures(html(client, f"/doc/rollcall/{ROLL_CALLS[0]}").get_data(as_text=True))["vote-map"]):
        assert html(client, href).status_code == 200, href
