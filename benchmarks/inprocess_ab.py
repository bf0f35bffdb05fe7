"""A/B of the request path without HTTP: CPU per cached /sparql answer and wall time per cold cheap lookup.

Run it once per code version on the same release, e.g. an older commit checked out in a worktree:
    PYTHONPATH=OLD/src python benchmarks/inprocess_ab.py --releases var/releases
    python benchmarks/inprocess_ab.py --releases var/releases
"""

import argparse
import logging
import resource
import time
from pathlib import Path

import spacekg
from spacekg.settings import load_settings
from spacekg.web import create_app

arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
arguments.add_argument("--releases", type=Path, default=Path("var/releases"), help="releases folder with a current release")
settings = load_settings({}, releases_dir=arguments.parse_args().releases)
logging.getLogger("spacekg.access").disabled = True  # one JSON line per query would dominate the output
app = create_app(settings)
client = app.test_client()
q = "SELECT ?s WHERE { ?s a skg:Treaty } LIMIT 5"
for _ in range(200):
    client.get("/sparql", query_string={"query": q}, headers={"Accept": "application/sparql-results+json"})


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


n = 3000
t = cpu()
for _ in range(n):
    client.get("/sparql", query_string={"query": q}, headers={"Accept": "application/sparql-results+json"})
cached = (cpu() - t) / n * 1e3
t = cpu()
w = time.monotonic()
for i in range(600):
    client.get("/sparql", query_string={"query": q + f" # {i}"}, headers={"Accept": "application/sparql-results+json"})
cold_wall = (time.monotonic() - w) / 600 * 1e3
print(f"{spacekg.__file__}: cached {cached:.3f} ms CPU/request; cold cheap {cold_wall:.3f} ms wall/request")
