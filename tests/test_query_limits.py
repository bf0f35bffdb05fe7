"""Limits made visible: a cut answer says so (on the page, in a download's name and headers) and how to get all of it;
a syntax error is one readable line with its line, column and a suggestion, on the page, the endpoint and the CLI.

The page and the endpoint run over the tiny release with a 5-row cap (`limited`); totals are counted from the
release itself, never written down.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from conftest import app_serving
from spacekg.errors import QueryError
from spacekg.namespaces import PREFIXES
from spacekg.store.querying import run_query
from spacekg.store.releases import Release
from spacekg.web.evaluation import QueryJob, evaluate

ROW_CAP = 5
EVERYTHING = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def limited_app(built_tiny: Release) -> Iterator[Flask]:
    """The tiny release with at most 5 rows per answer (the page shows no more than the endpoint gives)."""
    with app_serving(built_tiny, max_result_rows=ROW_CAP) as application:
        yield application


@pytest.fixture
def limited(limited_app: Flask) -> FlaskClient:
    return limited_app.test_client()


def _page(client: FlaskClient, query: str) -> str:
    response = client.get("/query", query_string={"query": query}, headers={"Accept": BROWSER})
    assert response.status_code in (200, 400), response.status_code
    return response.text


def _statements(store: ox.Store) -> int:
    """How many rows EVERYTHING has in the tiny release (the union of its graphs, as the page queries it)."""
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    count = next(iter(result))["n"]
    assert isinstance(count, ox.Literal)
    return int(count.value)


def _next_query(page: str) -> str:
    """The query of the page's rel=next link."""
    link = re.search(r'<a href="([^"]+)" rel="next">', page)
    assert link is not None, "no link to the next page"
    return parse_qs(urlsplit(html.unescape(link.group(1))).query)["query"][0]


# --- the page says when a cap cut the answer ---------------------------------------------------------------

def test_a_cut_answer_says_the_first_rows_of_how_many_and_the_ways_to_all_of_it(limited: FlaskClient, tiny_store: ox.Store) -> None:
    total = _statements(tiny_store)
    assert total > ROW_CAP
    page = _page(limited, EVERYTHING)
    assert page.count("<tr><td>") == ROW_CAP
    assert f"The first {ROW_CAP} rows of {total:,} are shown" in page
    assert _next_query(page).endswith(f"LIMIT {ROW_CAP} OFFSET {ROW_CAP}")
    assert f"they hold the first {ROW_CAP} rows at most" in page  # the downloads have the endpoint's cap, stated
    assert 'href="/dumps/spacekg.nq"' in page  # and the whole graph is a dump away


def test_the_next_page_link_pages_on(limited: FlaskClient) -> None:
    second = _page(limited, _next_query(_page(limited, EVERYTHING)))
    assert second.count("<tr><td>") == ROW_CAP
    assert _next_query(second).endswith(f"LIMIT {ROW_CAP} OFFSET {2 * ROW_CAP}")


def test_the_next_page_link_keeps_the_parameter_fields(limited: FlaskClient) -> None:
    query = "SELECT ?s ?p ?o ?exclude WHERE { ?s ?p ?o FILTER(?p != ?exclude) }"
    page = limited.get("/query", query_string={"query": query, "param.exclude": "rdf:type"}, headers={"Accept": BROWSER}).text
    link = re.search(r'<a href="([^"]+)" rel="next">', page)
    assert link is not None, "no link to the next page"
    assert parse_qs(urlsplit(html.unescape(link.group(1))).query)["param.exclude"] == ["rdf:type"], "page two binds what page one bound"


def test_an_answer_of_exactly_the_cap_is_not_called_cut(limited: FlaskClient) -> None:
    page = _page(limited, f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {ROW_CAP}")
    assert page.count("<tr><td>") == ROW_CAP
    assert f"{ROW_CAP} rows." in page and "The first" not in page and "at least" not in page


def test_a_query_with_its_own_limit_is_not_rewritten_but_told_how_to_page(limited: FlaskClient) -> None:
    page = _page(limited, f"{EVERYTHING} LIMIT 50")
    assert "The first 5 rows of" in page
    assert 'rel="next"' not in page
    assert f"end the query with <code>LIMIT {ROW_CAP} OFFSET {ROW_CAP}</code>" in page


def test_counting_past_the_cap_stops_at_its_bound_and_says_at_least(tiny_store: ox.Store) -> None:
    job = QueryJob(EVERYTHING, JSON, "application/n-triples", ROW_CAP, count_to=ROW_CAP + 2, count_within_s=5.0)
    outcome = evaluate(tiny_store, job)
    assert outcome.truncated and outcome.rows == ROW_CAP
    assert (outcome.counted, outcome.counted_all) == (ROW_CAP + 2, False)
    uncounted = evaluate(tiny_store, QueryJob(EVERYTHING, JSON, "application/n-triples", ROW_CAP))
    assert (uncounted.counted, uncounted.counted_all) == (ROW_CAP + 1, False)  # the row that showed the cut, no more


def test_the_page_offers_its_downloads_as_files(limited: FlaskClient) -> None:
    page = _page(limited, EVERYTHING)
    assert re.search(r'<a href="/sparql\?[^"]*format=csv[^"]*" download>CSV</a>', page)


# --- the endpoint's cut answers are named so -----------------------------------------------------------------

def _csv(client: FlaskClient, query: str) -> TestResponse:
    response = client.get("/sparql", query_string={"query": query, "format": "csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return response


def test_a_cut_csv_download_says_so_in_its_name_and_header_and_holds_only_rows(limited: FlaskClient) -> None:
    response = _csv(limited, EVERYTHING)
    assert response.headers["Content-Disposition"] == f'inline; filename="spacekg-query-first-{ROW_CAP}-rows.csv"'
    assert response.headers["SpaceKG-Result-Truncated"] == f"true; limit={ROW_CAP}"
    assert len(response.text.strip().splitlines()) == 1 + ROW_CAP  # the header line and the rows: no comment row


def test_a_complete_download_has_a_plain_name(limited: FlaskClient) -> None:
    response = _csv(limited, f"{EVERYTHING} LIMIT {ROW_CAP}")
    assert response.headers["Content-Disposition"] == 'inline; filename="spacekg-query.csv"'
    assert "SpaceKG-Result-Truncated" not in response.headers
    json_answer = limited.get("/sparql", query_string={"query": EVERYTHING, "format": "json"})
    assert json_answer.headers["Content-Disposition"] == f'inline; filename="spacekg-query-first-{ROW_CAP}-rows.json"'


# --- syntax errors: one line, the place, a suggestion ------------------------------------------------------------

SYNTAX_ERRORS = {
    "unknown prefix": ("SELECT * WHERE {\n  ?s skgg:name ?o }", "line 2, column 6", ["skgg:", "skg:name", f"PREFIX skgg: <{PREFIXES['skg']}>"]),
    "unclosed brace": ("SELECT * WHERE { ?s ?p ?o", "line 1, column", ["'{' not closed"]),
    "bad token": ("SELECT * WHERE { ?s ?p ?o } LIMIT ten", "line 1, column 35", ["near 'ten'", "a digit"]),
    "misspelt form": ("SELEC * WHERE { ?s ?p ?o }", "line 1, column 1", ["SELECT, CONSTRUCT, ASK or DESCRIBE"]),
}


def _one_readable_line(message: str) -> None:
    assert "\n" not in message, message
    assert "\\u{" not in message and "..=" not in message, message  # no character ranges spelled out


@pytest.mark.parametrize("case", list(SYNTAX_ERRORS))
def test_a_syntax_error_on_the_endpoint_is_one_line_with_its_place_and_a_suggestion(client: FlaskClient, case: str) -> None:
    query, place, suggestions = SYNTAX_ERRORS[case]
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400 and response.mimetype == "text/plain"
    message, fix = response.text.rstrip("\n").split("\n  fix: ")
    _one_readable_line(message)
    _one_readable_line(fix)
    assert message.startswith(f"SPARQL syntax error at {place}"), message
    for suggestion in suggestions:
        assert suggestion in response.text, (suggestion, response.text)


@pytest.mark.parametrize("case", list(SYNTAX_ERRORS))
def test_a_syntax_error_on_the_page_is_the_same_alert(client: FlaskClient, case: str) -> None:
    query, place, _ = SYNTAX_ERRORS[case]
    endpoint_message = client.get("/sparql", query_string={"query": query}).text.split("\n")[0]
    page = _page(client, query)
    alert = re.search(r'<p class="error" role="alert">.*?<span class="message">(.*?)</span>', page, re.S)
    assert alert is not None and html.unescape(alert.group(1)) == endpoint_message


def test_an_unknown_prefix_lists_the_predeclared_ones(client: FlaskClient) -> None:
    text = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s foo:bar ?o }"}).text
    assert "the prefix foo: is not declared" in text and "PREFIX foo:" in text
    assert all(prefix in text for prefix in ("skg", "rdfs", "dct"))


def test_a_prefix_declared_in_the_query_is_not_called_unknown(client: FlaskClient) -> None:
    text = client.get("/sparql", query_string={"query": "PREFIX foo: <http://example.org/>\nSELECT * WHERE { ?s foo:bar ?o"}).text
    assert "not declared" not in text and "'{' not closed" in text


def test_the_cli_reports_syntax_errors_the_same_way(client: FlaskClient, tiny_store: ox.Store) -> None:
    query, _, _ = SYNTAX_ERRORS["unknown prefix"]
    with pytest.raises(QueryError) as raised:
        run_query(tiny_store, query)
    assert raised.value.message == client.get("/sparql", query_string={"query": query}).text.split("\n")[0]
