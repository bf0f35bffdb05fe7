"""The SPARQL protocol of `spacekg serve`, in-process over the tiny release (tests/test_clients.py goes over a real socket)."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

OST = "https://w3id.org/spacekg/id/instrument/ost"
# tiny data/instruments.csv: the Outer Space Treaty entered into force on 1967-10-10
EIF_QUERY = f"SELECT ?d WHERE {{ <{OST}> <https://w3id.org/spacekg/ontology#entryIntoForce> ?d }}"


def test_select_over_get_answers_sparql_json(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": EIF_QUERY})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    bindings = response.get_json()["results"]["bindings"]
    assert bindings == [{"d": {"type": "literal", "value": "1967-10-10", "datatype": "http://www.w3.org/2001/XMLSchema#date"}}]


def test_select_over_post_form_answers_csv_by_accept(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": EIF_QUERY}, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(response.text))) == [["d"], ["1967-10-10"]]


def test_construct_defaults_to_turtle(client: FlaskClient) -> None:
    query = f"CONSTRUCT {{ <{OST}> ?p ?o }} WHERE {{ <{OST}> ?p ?o }}"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    assert "1967-10-10" in response.text


def test_a_malformed_query_is_a_400_with_a_message(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"})
    assert response.status_code == 400
    assert "SPARQL syntax error" in response.text and "Traceback" not in response.text


def test_an_update_is_refused_and_changes_nothing(client: FlaskClient) -> None:
    update = f'INSERT DATA {{ <{OST}> <http://example.org/p> "x" }}'
    refused = client.post("/sparql", data={"update": update})
    assert refused.status_code == 403 and "read-only" in refused.text
    as_query = client.get("/sparql", query_string={"query": update})
    assert as_query.status_code == 403
    check = client.get("/sparql", query_string={"query": f"ASK {{ <{OST}> <http://example.org/p> ?o }}"})
    assert check.status_code == 200 and check.get_json()["boolean"] is False


def test_two_query_parameters_are_a_400(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string=MultiDict([("query", "ASK {}"), ("query", "ASK {}")]))
    assert response.status_code == 400 and "exactly one query" in response.text
