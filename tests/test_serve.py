"""`spacekg serve`: a real gunicorn server on 127.0.0.1 answering SPARQL over HTTP."""

from __future__ import annotations

import csv
import io

import requests

OST = "https://w3id.org/spacekg/id/instrument/ost"
EIF_QUERY = f"SELECT ?d WHERE {{ <{OST}> <https://w3id.org/spacekg/ontology#entryIntoForce> ?d }}"


def test_select_over_get_answers_sparql_json(server: str) -> None:
    response = requests.get(server + "/sparql", params={"query": EIF_QUERY}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    bindings = response.json()["results"]["bindings"]
    assert bindings == [{"d": {"type": "literal", "value": "1967-10-10", "datatype": "http://www.w3.org/2001/XMLSchema#date"}}]


def test_select_over_post_form_answers_csv_by_accept(server: str) -> None:
    response = requests.post(server + "/sparql", data={"query": EIF_QUERY}, headers={"Accept": "text/csv"}, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(response.text))) == [["d"], ["1967-10-10"]]


def test_construct_defaults_to_turtle(server: str) -> None:
    query = f"CONSTRUCT {{ <{OST}> ?p ?o }} WHERE {{ <{OST}> ?p ?o }}"
    response = requests.get(server + "/sparql", params={"query": query}, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    assert "1967-10-10" in response.text


def test_a_malformed_query_is_a_400_with_a_message(server: str) -> None:
    response = requests.get(server + "/sparql", params={"query": "SELECT ?x WHERE { ?x"}, timeout=10)
    assert response.status_code == 400
    assert "SPARQL syntax error" in response.text and "Traceback" not in response.text


def test_an_update_is_refused_and_changes_nothing(server: str) -> None:
    update = f'INSERT DATA {{ <{OST}> <http://example.org/p> "x" }}'
    refused = requests.post(server + "/sparql", data={"update": update}, timeout=10)
    assert refused.status_code == 403 and "read-only" in refused.text
    as_query = requests.get(server + "/sparql", params={"query": update}, timeout=10)
    assert as_query.status_code == 403
    check = requests.get(server + "/sparql", params={"query": f"ASK {{ <{OST}> <http://example.org/p> ?o }}"}, timeout=10)
    assert check.json()["boolean"] is False


def test_two_query_parameters_are_a_400(server: str) -> None:
    response = requests.get(server + "/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")], timeout=10)
    assert response.status_code == 400 and "exactly one query" in response.text
