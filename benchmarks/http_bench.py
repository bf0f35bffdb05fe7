"""HTTP benchmark: SpaceKG's endpoint beside `oxigraph serve-read-only` on the same release, as ratios.

Usage (from the repository root, after `spacekg build`):
    python benchmarks/http_bench.py [--duration 10] [--connections 16] [--oxigraph PATH] [--write BENCHMARKS.md]

Needs `wrk` (Debian package wrk) and the `oxigraph` command (PyPI package oxigraph, e.g. in its own
virtualenv). Both servers bind to 127.0.0.1 only; every run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from spacekg.queries import load_catalogue  # noqa: E402
from spacekg.settings import load_settings  # noqa: E402
from spacekg.store.releases import current_release  # noqa: E402

CHEAP = "SELECT ?d WHERE { <https://w3id.org/spacekg/id/instrument/ost> <https://w3id.org/spacekg/ontology#entryIntoForce> ?d }"
AGGREGATE = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)"

LUA = """
queries = {%s}
cold = %s
counter = 0
request = function()
  counter = counter + 1
  local q = queries[(counter %% #queries) + 1]
  if cold then q = q .. "\\n# " .. counter .. "-" .. math.random(1, 1000000000) end
  return wrk.format("POST", "/sparql", {["Content-Type"] = "application/x-www-form-urlencoded",
                                        ["Accept"] = "application/sparql-results+json"}, "query=" .. q)
end
"""


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def wrk(url: str, queries: list[str], cold: bool, duration: int, connections: int) -> dict[str, float]:
    encoded = ", ".join('"' + urllib.parse.quote(q, safe="") + '"' for q in queries)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (encoded, "true" if cold else "false"))
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script.name, url],
                             capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    finally:
        os.unlink(script.name)

    def ms(label: str) -> float:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "non2xx": float(errors.group(1)) if errors else 0.0,
            "socket_errors": 1.0 if socket_errors else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--oxigraph", default=shutil.which("oxigraph") or "oxigraph")
    parser.add_argument("--write", type=Path, help="append the results to this Markdown file")
    args = parser.parse_args()
    settings = load_settings({}, project_dir=ROOT)
    release = current_release(settings.releases)
    mix = [q.text for q in load_catalogue(settings.queries).values() if not q.parameters]
    workloads = {"cheap lookup": [CHEAP], "aggregate": [AGGREGATE], "canned-query mix": mix}

    scratch = Path(tempfile.mkdtemp(prefix="spacekg-bench-"))
    servers = []
    try:
        subprocess.run([args.oxigraph, "load", "--location", str(scratch / "oxi"), "--file", str(release.path / "dumps" / "spacekg.nq")],
                       check=True, capture_output=True)
        servers.append(subprocess.Popen([args.oxigraph, "serve-read-only", "--location", str(scratch / "oxi"), "--bind", "127.0.0.1:7979",
                                         "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        servers.append(subprocess.Popen([sys.executable, "-m", "spacekg.cli", "--project", str(ROOT), "serve", "--port", "7980",
                                         "--workers", str(args.workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for("http://127.0.0.1:7979/query?query=ASK%7B%7D")
        wait_for("http://127.0.0.1:7980/health")
        rows = []
        for name, queries in workloads.items():
            for cold in (False, True):
                oxi = wrk("http://127.0.0.1:7979/query", queries, cold, args.duration, args.connections)
                ours = wrk("http://127.0.0.1:7980/sparql", queries, cold, args.duration, args.connections)
                rows.append((name + (" (cold: every query text unique)" if cold else " (repeated)"), ours, oxi))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)

    header = (f"HTTP, {args.connections} connections, {args.duration} s per run, wrk -t2; SpaceKG `serve --workers {args.workers}` vs "
              f"`oxigraph serve-read-only --union-default-graph` on release {release.release_id}; {platform.machine()}, {os.cpu_count()} cores")
    columns = "| workload | SpaceKG req/s | Oxigraph req/s | ratio | SpaceKG p50 / p99 ms | Oxigraph p50 / p99 ms | p99 ratio | non-2xx (ours/oxi) |"
    lines = [header, "", columns,
             "|---|---|---|---|---|---|---|---|"]
    for name, ours, oxi in rows:
        lines.append(f"| {name} | {ours['rps']:.0f} | {oxi['rps']:.0f} | {ours['rps'] / oxi['rps']:.2f}x | {ours['p50']:.2f} / {ours['p99']:.2f} | "
                     f"{oxi['p50']:.2f} / {oxi['p99']:.2f} | {ours['p99'] / oxi['p99']:.2f}x | {ours['non2xx']:.0f}/{oxi['non2xx']:.0f} |")
    text = "\n".join(lines)
    print(text)
    if args.write:
        with open(args.write, "a", encoding="utf-8") as handle:
            handle.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
