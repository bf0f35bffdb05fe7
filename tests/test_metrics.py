"""/metrics in Prometheus format, aggregated over the server's workers, and one access-log line per query."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
import requests
from flask.testing import FlaskClient

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _samples(text: str) -> dict[str, float]:
    return {line.split(" ")[0]: float(line.split(" ")[1]) for line in text.splitlines() if line and not line.startswith("#")}


def _grew(before: dict[str, float], after: dict[str, float], name: str) -> float:
    return after.get(name, 0.0) - before.get(name, 0.0)


@pytest.mark.server
def test_metrics_count_queries_timeouts_and_rows_across_workers(tiny_server: str) -> None:
    """Gunicorn's workers are separate processes: /metrics, answered by one of them, must add up what all of them counted."""
    before = _samples(requests.get(tiny_server + "/metrics", timeout=30).text)
    fresh = uuid.uuid4().hex  # queries no worker has answered (and cached) before in this session
    for n in range(6):  # a new connection each, so either worker may take them
        answer = requests.get(tiny_server + "/sparql", params={"query": f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT 3 # {fresh} {n}"}, timeout=30)
        assert answer.ok, answer.text
    runaway = requests.get(tiny_server + "/sparql", params={"query": f"{RUNAWAY} # {fresh}", "timeout": "1"}, timeout=30)
    assert runaway.status_code == 503
    after = _samples(requests.get(tiny_server + "/metrics", timeout=30).text)
    assert _grew(before, after, 'spacekg_sparql_queries_total{outcome="ok"}') == 6
    assert _grew(before, after, 'spacekg_sparql_queries_total{outcome="timeout"}') == 1
    assert _grew(before, after, "spacekg_sparql_timeouts_total") == 1
    assert _grew(before, after, "spacekg_sparql_result_rows_total") == 18
    assert _grew(before, after, 'spacekg_http_requests_total{endpoint="/sparql",status="200"}') == 6
    assert _grew(before, after, 'spacekg_http_requests_total{endpoint="/sparql",status="503"}') == 1


def test_metrics_count_queries_errors_and_rows_in_one_process(client: FlaskClient) -> None:
    before = _samples(client.get("/metrics").text)
    fresh = uuid.uuid4().hex
    for n in range(4):
        assert client.get("/sparql", query_string={"query": f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT 2 # {fresh} {n}"}).status_code == 200
    assert client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"}).status_code == 400
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.mimetype == "text/plain"
    after = _samples(answer.text)
    assert _grew(before, after, 'spacekg_sparql_queries_total{outcome="ok"}') == 4
    assert _grew(before, after, 'spacekg_sparql_queries_total{outcome="error"}') == 1
    assert _grew(before, after, "spacekg_sparql_result_rows_total") == 8
    assert _grew(before, after, 'spacekg_http_requests_total{endpoint="/sparql",status="200"}') == 4
    assert _grew(before, after, 'spacekg_http_requests_total{endpoint="/sparql",status="400"}') == 1
    assert _grew(before, after, "spacekg_sparql_timeouts_total") == 0


def test_each_query_writes_one_structured_access_log_line(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    fresh = uuid.uuid4().hex
    assert client.get("/sparql", query_string={"query": f"ASK {{ ?s ?p ?o }} # {fresh}"}).status_code == 200
    assert client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"}).status_code == 400
    assert client.get("/doc/state/USA.ttl").status_code == 200  # not a query: no line
    records = [record for record in caplog.records if record.name == "spacekg.access"]
    # The line as the access log's own handler (on standard error, not propagated to the root logger) writes it.
    access = logging.getLogger("spacekg.access")
    (own,) = [handler for handler in access.handlers if type(handler) is logging.StreamHandler]
    assert not access.propagate
    written = [own.format(record) for record in records]
    assert all("\n" not in line for line in written)
    lines = [json.loads(line) for line in written]
    assert [line["event"] for line in lines] == ["query", "query"]
    assert [line["status"] for line in lines] == [200, 400]
    assert lines[0]["rows"] == 1 and lines[0]["outcome"] == "ok" and len(lines[0]["query_sha256"]) == 16
    assert lines[1]["outcome"] == "error" and "ms" in lines[1]
