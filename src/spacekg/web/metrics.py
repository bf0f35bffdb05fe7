"""Prometheus metrics at /metrics and one structured access-log line per query.

Under gunicorn each worker is a process, so metrics use prometheus_client's multiprocess mode: the
server sets PROMETHEUS_MULTIPROC_DIR (a fresh temporary folder) before forking workers, every worker
writes its samples there, and /metrics aggregates them. Without it (tests, a single process) the
default in-process registry is used.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

from spacekg.errors import QueryTimeout, ServerBusy

REQUESTS = Counter("spacekg_http_requests_total", "HTTP requests answered", ["endpoint", "status"])
LATENCY = Histogram("spacekg_http_request_seconds", "Time to answer an HTTP request", ["endpoint"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
QUERIES = Counter("spacekg_sparql_queries_total", "SPARQL queries answered", ["outcome"])
TIMEOUTS = Counter("spacekg_sparql_timeouts_total", "SPARQL queries stopped at the time limit")
ROWS = Counter("spacekg_sparql_result_rows_total", "Result rows (or triples) sent")
TRUNCATED = Counter("spacekg_sparql_truncated_total", "Answers cut at the result-row cap")

access_log = logging.getLogger("spacekg.access")
# How a refused query is counted, by the error that refused it (anything else: "error").
OUTCOMES: dict[type, str] = {QueryTimeout: "timeout", ServerBusy: "busy"}


def record_query(query: str, rows: int, truncated: bool, cached: bool, outcome: str = "ok") -> None:
    """Remember what the current request's query did, for its metrics and access-log line."""
    g.spacekg_query = {"query_sha256": hashlib.sha256(query.encode()).hexdigest()[:16], "rows": rows,
                       "truncated": truncated, "cached": cached, "outcome": outcome}


def init_metrics(app: Flask) -> None:
    if not access_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False

    @app.before_request
    def start_clock() -> None:
        g.spacekg_started = time.perf_counter()

    @app.after_request
    def observe(response: Response) -> Response:
        endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
        seconds = time.perf_counter() - g.get("spacekg_started", time.perf_counter())
        REQUESTS.labels(endpoint, str(response.status_code)).inc()
        LATENCY.labels(endpoint).observe(seconds)
        query = g.get("spacekg_query")
        if query is None and request.path == "/sparql" and response.status_code >= 400:
            text = g.get("spacekg_query_text")  # what the protocol read; never the body here: it may be the oversized one refused
            query = {"query_sha256": hashlib.sha256(text.encode()).hexdigest()[:16] if text is not None else None, "rows": 0, "truncated": False,
                     "cached": False, "outcome": OUTCOMES.get(type(g.get("spacekg_error")), "error")}
        if query is not None:
            QUERIES.labels(query["outcome"]).inc()
            ROWS.inc(query["rows"])
            if query["truncated"]:
                TRUNCATED.inc()
            if query["outcome"] == "timeout":
                TIMEOUTS.inc()
            access_log.info(json.dumps({"event": "query", **query, "status": response.status_code, "ms": round(1000 * seconds, 2)}))
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)
