"""Entity search (/search): names in any language we hold, ISO codes, UN symbols and DOIs, ranked exact code first;
HTML with a search box on every page, JSON for programs, refusals that say what to do."""

from __future__ import annotations

import csv

import pytest
from flask.testing import FlaskClient

from conftest import PROJECT, TINY

USA = "https://w3id.org/spacekg/id/state/USA"


def _found(client: FlaskClient, query: str) -> list[dict[str, str]]:
    answer = client.get("/search", query_string={"q": query}, headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    body = answer.get_json()
    assert body["query"] == query
    return body["results"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("query", ["USA", "usa", "United States", "united", "Estados Unidos", "Etats-Unis"])
def test_a_state_is_found_by_code_name_translation_and_source_spelling(client: FlaskClient, query: str) -> None:
    results = _found(client, query)
    assert results[0]["iri"] == USA, [r["label"] for r in results[:3]]
    assert results[0]["href"] == "/doc/state/USA"
    assert client.get(results[0]["href"]).status_code == 200


def test_an_exact_code_or_symbol_ranks_before_names_that_merely_contain_it(client: FlaskClient) -> None:
    results = _found(client, "A/RES/62/43")
    assert results[0]["iri"] == "https://w3id.org/spacekg/id/instrument/a-res-62-43" and results[0]["matched"] == "A/RES/62/43"
    doi = _found(client, "10.1080/09636419109347459")
    assert doi and doi[0]["kind"] == "citation"


def test_the_page_lists_the_results_escaped_and_every_page_has_the_search_box(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "united"}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'href="/doc/state/USA"' in page.text
    hostile = client.get("/search", query_string={"q": '<script>alert("x")</script>'}, headers={"Accept": "text/html"})
    assert hostile.status_code == 200 and "<script>" not in hostile.text and "&lt;script&gt;" in hostile.text
    for path in ("/", "/treaties", "/doc/state/USA", "/search"):
        assert 'role="search"' in client.get(path, headers={"Accept": "text/html"}).text, path


def test_nothing_found_says_where_else_to_look_and_a_long_query_is_refused(client: FlaskClient) -> None:
    assert _found(client, "zzzz-nothing-has-this-name") == []
    page = client.get("/search", query_string={"q": "zzzz-nothing-has-this-name"}, headers={"Accept": "text/html"})
    assert "Nothing found" in page.text and "/query" in page.text
    refused = client.get("/search", query_string={"q": "x" * 201})
    assert refused.status_code == 400 and "at most 200" in refused.text
    assert client.get("/search", headers={"Accept": "text/html"}).status_code == 200  # the empty form


def test_every_state_of_the_tiny_data_is_found_first_by_its_code(client: FlaskClient) -> None:
    with open(TINY / "data" / "wikidata_links.csv", encoding="utf-8", newline="") as handle:
        codes = [row["entity"] for row in csv.DictReader(handle) if len(row["entity"]) == 3 and row["entity"].isupper()]
    assert codes
    for code in codes:
        assert _found(client, code)[0]["href"] == f"/doc/state/{code}", code


@pytest.mark.xdist_group("curated")
@pytest.mark.parametrize("query", ["kaz", "Kazakhstan", "KAZ", "KZ"])
def test_kazakhstan_is_found_in_the_curated_release(curated_client: FlaskClient, query: str) -> None:
    """The issue's example: to find Kazakhstan's page one had to know /doc/state/KAZ."""
    results = _found(curated_client, query)
    assert results[0]["href"] == "/doc/state/KAZ", [r["label"] for r in results[:3]]


@pytest.mark.xdist_group("curated")
def test_every_curated_state_is_found_first_by_its_iso_code(curated_client: FlaskClient) -> None:
    with open(PROJECT / "data" / "wikidata_links.csv", encoding="utf-8", newline="") as handle:
        codes = [row["entity"] for row in csv.DictReader(handle) if len(row["entity"]) == 3 and row["entity"].isupper()]
    wrong = [code for code in codes if _found(curated_client, code)[0]["href"] != f"/doc/state/{code}"]
    assert wrong == []
