"""HTTP benchmark: SpaceKG's endpoint beside `oxigraph serve-read-only` and `rdflib-endpoint` on the same data, as ratios.

Usage (from the repository root, after `spacekg build`, in a virtualenv with `pip install -e '.[bench]'`):
    python benchmarks/http_bench.py [--synth 100000] [--duration 5] [--connections 16,64] [--modes cold,repeated]
                                    [--baseline SRC] [--profile DIR] [--write BENCHMARKS.md]

All servers serve the N-Quads dump of one release (SpaceKG the release itself) with the union of
the named graphs as default graph, bind to 127.0.0.1, and are started once; every workload is then run
against each of them in turn. `--baseline SRC` adds SpaceKG run from another source tree (e.g. a git worktree
of an older commit, `SRC/src` put first on the path) beside the current one (same wrk settings, back to back), so noise from other work on the
machine touches all three alike. Between runs each server is given time to finish queued requests.
"Cold" makes every query text unique (a comment), so no result or parse cache helps; "repeated" sends
the same texts again and again. Needs `wrk` (Debian package wrk).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from report import collapsed_stacks, machine, markdown_table, publish, shares_by_rule, top_frames

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from spacekg.queries import load_catalogue  # noqa: E402
from spacekg.settings import load_settings  # noqa: E402
from spacekg.store.releases import Release, current_release  # noqa: E402

CHEAP = "SELECT ?d WHERE { <https://w3id.org/spacekg/id/instrument/ost> <https://w3id.org/spacekg/ontology#entryIntoForce> ?d }"
AGGREGATE = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)"
PEERS = ("SpaceKG", "Oxigraph", "rdflib-endpoint")
BASELINE = "SpaceKG baseline"

# wrk calls setup once per thread, then request for every request; each thread numbers its own requests.
LUA = """
local queries = {%s}
local cold = %s
local made = 0
function setup(thread)
  made = made + 1
  thread:set("tid", made)
end
local counter = 0
function request()
  counter = counter + 1
  local q = queries[(counter %% #queries) + 1]
  if cold then q = q .. "%%0A%%23%%20" .. tid .. "-" .. counter end
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded",
                                  ["Accept"] = "application/sparql-results+json"}, "query=" .. q)
end
"""


@dataclass
class Server:
    """A server under test: how to start it, and the URL queries are POSTed to."""

    name: str
    url: str
    command: list[str]
    process: subprocess.Popen | None = None
    environment: dict[str, str] | None = None

    def start(self, ready_within_s: float = 900) -> None:
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.environment)
        if not settle(self.url, ready_within_s):
            raise SystemExit(f"{self.name} did not answer at {self.url} within {ready_within_s:.0f} s: {' '.join(self.command)}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass(frozen=True)
class Measure:
    """One wrk run: answered (2xx) requests per second, latency percentiles, and what failed."""

    rps: float
    p50_ms: float
    p99_ms: float
    failed: int  # non-2xx answers and requests that timed out; -1 when wrk itself failed (e.g. the server was gone)


def ask(url: str, timeout_s: float) -> bool:
    """True if the endpoint answers ASK {} with 200 within the time."""
    body = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/sparql-results+json",
                                                              "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return response.status == 200
    except OSError:
        return False


def settle(url: str, within_s: float) -> bool:
    """Wait until the server answers a trivial query quickly again (requests queued by a run are done)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if ask(url, timeout_s=2):
            return True
        time.sleep(0.2)
    return False


def wrk(url: str, queries: list[str], cold: bool, duration: int, connections: int) -> Measure:
    """Run wrk against one endpoint and read its summary."""
    encoded = ", ".join('"' + urllib.parse.quote(q, safe="") + '"' for q in queries)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (encoded, "true" if cold else "false"))
    try:
        done = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", script.name, url],
                              capture_output=True, text=True, timeout=duration + 120)
    finally:
        Path(script.name).unlink()
    out = done.stdout
    if done.returncode != 0 or "requests in" not in out:
        print(f"wrk against {url} failed (exit {done.returncode}): {(done.stderr or out).strip()[-300:]}", file=sys.stderr, flush=True)
        return Measure(0.0, math.nan, math.nan, -1)
    total = int(re.search(r"(\d+) requests in ([\d.]+)(\w+)", out).group(1))  # type: ignore[union-attr]
    non2xx = _count(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = _count(r"Socket errors:.*timeout (\d+)", out)
    answered = total - non2xx
    return Measure(answered / duration, _latency_ms("50", out) if answered else math.nan, _latency_ms("99", out) if answered else math.nan,
                   non2xx + timeouts)


def _count(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


def _latency_ms(percentile: str, text: str) -> float:
    match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    if not match:
        return math.nan
    return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[match.group(2)]


def prepare(args: argparse.Namespace, scratch: Path) -> tuple[Path, Path, Release]:
    """The project and releases folder to serve, building a synthetic project first if asked."""
    project, releases = args.project, args.releases
    if args.synth:
        project, releases = scratch / f"synth-{args.synth}", scratch / "releases"
        print(f"synthesising and building ~{args.synth:,} added triples", file=sys.stderr, flush=True)
        cli = [sys.executable, "-m", "spacekg.cli"]
        subprocess.run([*cli, "--project", str(ROOT), "synth", "--triples", str(args.synth), "--out", str(project), "--violations", "0"],
                       check=True, capture_output=True)
        subprocess.run([*cli, "--project", str(project), "--releases", str(releases), "build"], check=True, capture_output=True)
    settings = load_settings({}, project_dir=project)
    releases = releases or settings.releases
    return project, releases, current_release(releases)


def servers(project: Path, releases: Path, release: Release, scratch: Path, workers: int, baseline: Path | None) -> list[Server]:
    """The servers, on consecutive ports from 7980, serving the same release."""
    dump = release.path / "dumps" / "spacekg.nq"
    tool = Path(sys.executable).parent
    oxigraph = shutil.which("oxigraph", path=str(tool)) or "oxigraph"
    subprocess.run([oxigraph, "load", "--location", str(scratch / "oxigraph"), "--file", str(dump)], check=True, capture_output=True)
    spacekg = [sys.executable, "-m", "spacekg.cli", "--project", str(project), "--releases", str(releases), "serve", "--host", "127.0.0.1",
               "--workers", str(workers), "--port"]
    extra = [] if baseline is None else [
        Server(BASELINE, "http://127.0.0.1:7983/sparql", [*spacekg, "7983"], environment={**os.environ, "PYTHONPATH": str(baseline / "src")})]
    return [
        Server("SpaceKG", "http://127.0.0.1:7980/sparql", [*spacekg, "7980"]),
        *extra,
        Server("Oxigraph", "http://127.0.0.1:7981/query",
               [oxigraph, "serve-read-only", "--location", str(scratch / "oxigraph"), "--bind", "127.0.0.1:7981", "--union-default-graph"]),
        # rdflib-endpoint's own CLI: an rdflib Dataset with default_union=True, under one uvicorn process.
        Server("rdflib-endpoint", "http://127.0.0.1:7982/",
               [shutil.which("rdflib-endpoint", path=str(tool)) or "rdflib-endpoint", "serve", str(dump), "--host", "127.0.0.1",
                "--port", "7982"]),
    ]


def measure_all(running: list[Server], workloads: dict[str, list[str]], args: argparse.Namespace,
                profile: Callable[[Server, str, list[str], int], None] | None) -> list[tuple[str, int, dict[str, Measure]]]:
    """Every workload, mode and connection count against every server, back to back."""
    rows = []
    for name, queries in workloads.items():
        for mode in args.modes.split(","):
            for connections in (int(c) for c in args.connections.split(",")):
                label = f"{name} ({mode})"
                measures = {}
                for server in running:
                    measures[server.name] = wrk(server.url, queries, mode == "cold", args.duration, connections)
                    print(f"{label}, {connections} connections, {server.name}: {measures[server.name]}", file=sys.stderr, flush=True)
                    if server.process is not None and server.process.poll() is not None:
                        print(f"{server.name} exited (code {server.process.returncode}): restarting it", file=sys.stderr, flush=True)
                        server.start()
                    elif not settle(server.url, args.settle):
                        print(f"{server.name} still busy after {args.settle} s: restarting it", file=sys.stderr, flush=True)
                        server.stop()
                        server.start()
                if profile and name == "cheap lookup":
                    profile(running[0], mode, queries, connections)
                rows.append((label, connections, measures))
    return rows


# Where a request's CPU time goes: the first rule met walking up from the sampled frame wins (see report.shares_by_rule).
PROFILE_RULES = (
    ("query processes: pickling the job and the pipe round trip", "multiprocessing/"),
    ("query processes: pool and child bookkeeping", "spacekg/web/query_pool.py"),
    ("result cache and ETag", "ResultCache"),
    ("content negotiation (Accept, format=)", "spacekg/web/mediatypes.py"),
    ("content negotiation (Accept, format=)", "spacekg/web/answers.py"),
    ("protocol parsing and query text checks", "spacekg/web/protocol.py"),
    ("protocol parsing and query text checks", "spacekg/web/sparql_text.py"),
    ("metrics (prometheus_client)", "prometheus_client/"),
    ("metrics (prometheus_client)", "spacekg/web/metrics.py"),
    ("access log", "logging/"),
    ("the front: the request's environ, thread hand-over, collecting the answer", "spacekg/web/front.py"),
    ("our endpoint function itself", "spacekg/web/sparql.py"),
    ("Flask/werkzeug request, routing and response", "flask/"),
    ("Flask/werkzeug request, routing and response", "werkzeug/"),
    ("thread pool (concurrent.futures, threading)", "concurrent/futures/"),
    ("thread pool (concurrent.futures, threading)", "threading.py"),
)
REQUEST_THREAD = "call_app"  # the front's function each request thread runs (front.py): stacks below it are a request's


def py_spy(folder: Path, duration: int) -> Callable[[Server, str, list[str], int], None]:
    """A profiler for SpaceKG's cheap lookups: py-spy samples the threads holding the GIL during one extra, unmeasured run."""
    folder.mkdir(parents=True, exist_ok=True)

    def profile(server: Server, mode: str, queries: list[str], connections: int) -> None:
        assert server.process is not None
        out = folder / f"spacekg-cheap-{mode}-{connections}.txt"
        spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(server.process.pid), "--subprocesses",
                                "--gil", "--format", "raw", "--rate", "250", "--duration", str(duration + 2), "--nonblocking", "-o", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        wrk(server.url, queries, mode == "cold", duration, connections)
        spy.wait(timeout=duration + 60)
        settle(server.url, 60)
        stacks = collapsed_stacks(out)
        own, _ = top_frames(stacks, keep=REQUEST_THREAD)
        shares = shares_by_rule(stacks, PROFILE_RULES, keep=REQUEST_THREAD)
        child = sum(n for stack, n in stacks.items() if any("_child_loop" in frame for frame in stack))
        workers = sum(n for stack, n in stacks.items() if any(REQUEST_THREAD in frame for frame in stack))
        loop = sum(n for stack, n in stacks.items() if not any(REQUEST_THREAD in frame or "_child_loop" in frame for frame in stack))
        print(f"py-spy --gil, SpaceKG, cheap lookup ({mode}), {connections} connections, {out}: {workers} samples in request threads, "
              f"{child} in query processes, {loop} elsewhere (the event loop: bodies, sending, granian's Python side)", file=sys.stderr)
        print("  request threads by part: " + "; ".join(f"{share:.1f}% {name}" for name, share in shares), file=sys.stderr)
        print("  request threads, own time: " + "; ".join(f"{share:.1f}% {frame}" for frame, share in own), file=sys.stderr, flush=True)

    return profile


def _rate(value: float) -> str:
    return "0" if value == 0 else f"{value:,.0f}" if value >= 10 else f"{value:.2f}"


def _ratio(ours: float, theirs: float) -> str:
    if theirs == 0:
        return "∞ (none answered)" if ours else "-"
    return f"{ours / theirs:.2f}x"


def _latency(m: Measure) -> str:
    return "-" if math.isnan(m.p50_ms) else f"{m.p50_ms:,.1f} / {m.p99_ms:,.1f}"


def table(rows: list[tuple[str, int, dict[str, Measure]]], release: Release, args: argparse.Namespace) -> str:
    """The Markdown table: requests/s of each server, SpaceKG's ratios to the peers, latencies, failures."""
    peers = [p for p in (*PEERS, BASELINE) if p in rows[0][2]]
    compared = [p for p in peers if p != "SpaceKG"]
    header = ["workload", "conns", *(f"{p} req/s" for p in peers), *(f"SpaceKG / {p}" for p in compared),
              *(f"{p} p50 / p99 ms" for p in peers), "failed " + "/".join(p.split()[-1][:3] for p in peers)]
    lines = []
    for label, connections, m in rows:
        ours = m["SpaceKG"].rps
        lines.append([label, connections, *(_rate(m[p].rps) for p in peers), *(_ratio(ours, m[p].rps) for p in compared),
                      *(_latency(m[p]) for p in peers), "/".join(str(m[p].failed) for p in peers)])
    baseline = f", {BASELINE}: the same command from {args.baseline}" if args.baseline else ""
    intro = (f"`python {shlex.join(sys.argv)}` — release {release.release_id} ({_size(release)}); wrk -t2, {args.duration} s per run, "
             f"--timeout 10s; SpaceKG `serve --workers {args.workers}` (granian and the front), `oxigraph serve-read-only "
             f"--union-default-graph`, `rdflib-endpoint serve` (one uvicorn process){baseline}; {machine()}")
    return intro + "\n\n" + markdown_table(header, lines)


def _size(release: Release) -> str:
    graphs = release.manifest.get("graphs", {})
    return f"{sum(graphs.values()):,} quads, of which {graphs.get('https://w3id.org/spacekg/graph/asserted', 0):,} asserted"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synth", type=int, default=0, help="serve a synthetic project with about this many triples added (built first)")
    parser.add_argument("--project", type=Path, default=ROOT)
    parser.add_argument("--releases", type=Path, help="releases folder (default: the project's)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--modes", default="cold,repeated", help="cold: every query text unique; repeated: the same texts")
    parser.add_argument("--workloads", default="cheap lookup,aggregate,canned-query mix")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--settle", type=float, default=180, help="seconds a server may take to drain a run's queue before a restart")
    parser.add_argument("--baseline", type=Path, help="also serve SpaceKG from this source tree (its src/ first on the path), e.g. an older commit")
    parser.add_argument("--profile", type=Path, help="also profile SpaceKG on the cold cheap lookup with py-spy, raw stacks to this folder")
    parser.add_argument("--write", type=Path, help="append the table to this Markdown file")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="spacekg-http-bench-"))
    running: list[Server] = []
    try:
        project, releases, release = prepare(args, scratch)
        mix = [q.text for q in load_catalogue(load_settings({}, project_dir=project).queries).values() if not q.parameters]
        every = {"cheap lookup": [CHEAP], "aggregate": [AGGREGATE], "canned-query mix": mix}
        workloads = {name: every[name] for name in args.workloads.split(",")}
        for server in servers(project, releases, release, scratch, args.workers, args.baseline):
            server.start()
            running.append(server)
        rows = measure_all(running, workloads, args, py_spy(args.profile, args.duration) if args.profile else None)
    finally:
        for server in running:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    publish(table(rows, release, args), args.write)


if __name__ == "__main__":
    main()
