"""/metrics in Prometheus format, aggregated over gunicorn workers, and one access-log line per query."""

from __future__ import annotations

import json

import requests

from conftest import RunningServer
from spacekg.store.releases import Release


def test_metrics_count_queries_timeouts_and_rows_across_workers(built_release: Release) -> None:
    running = RunningServer("--releases", str(built_release.path.parent), "serve", "--workers", "2", "--timeout", "1")
    try:
        for n in range(6):
            assert requests.get(running.url + "/sparql", params={"query": f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT 3 # {n}"}, timeout=30).ok
        runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        assert requests.get(running.url + "/sparql", params={"query": runaway}, timeout=30).status_code == 503
        text = requests.get(running.url + "/metrics", timeout=30).text
    finally:
        running.stop()
    samples = {line.split(" ")[0]: float(line.split(" ")[1]) for line in text.splitlines() if line and not line.startswith("#")}
    assert samples['spacekg_sparql_queries_total{outcome="ok"}'] == 6
    assert samples['spacekg_sparql_queries_total{outcome="timeout"}'] == 1
    assert samples["spacekg_sparql_timeouts_total"] == 1
    assert samples["spacekg_sparql_result_rows_total"] == 18
    assert samples['spacekg_http_requests_total{endpoint="/sparql",status="200"}'] == 6


def test_each_query_writes_one_structured_access_log_line(built_release: Release) -> None:
    running = RunningServer("--releases", str(built_release.path.parent), "serve", "--workers", "1")
    try:
        assert requests.get(running.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30).ok
        assert requests.get(running.url + "/sparql", params={"query": "SELECT ?x WHERE { ?x"}, timeout=30).status_code == 400
    finally:
        running.stop(keep_stderr=True)
    lines = [json.loads(line) for line in running.stderr_text.splitlines() if line.startswith('{"event": "query"')]
    assert [line["status"] for line in lines] == [200, 400]
    assert lines[0]["rows"] == 1 and lines[0]["outcome"] == "ok" and len(lines[0]["query_sha256"]) == 16
    assert lines[1]["outcome"] == "error" and "ms" in lines[1]
