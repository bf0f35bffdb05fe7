"""SHACL engines side by side: pySHACL (as the build runs it) and pyrudof, on the same synthetic graphs and data shapes.

Usage (from the repository root; pyrudof is not a dependency of SpaceKG: `pip install pyrudof` first):
    python benchmarks/shacl_engines.py [--sizes 10000,100000] [--violations 0.01] [--timeout 3600] [--write BENCHMARKS.md]

For each size a synthetic project is made (with the given share of seeded violations), its asserted
graph and ontology are written as one N-Triples file, and each engine validates that file against
shapes/spacekg-shapes.ttl in its own process (so each peak memory is its own). The results are
compared as sets of (focus node, shape, severity): the same set means the engines agree.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import machine, markdown_table, publish

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
ENGINES = ("pyshacl", "pyrudof")


def write_data(size: int, violations: float, folder: Path) -> Path:
    """The synthetic project's asserted graph plus ontology, as N-Triples (what the build validates)."""
    from rdflib import Graph

    from spacekg.pipeline import assemble
    from spacekg.settings import load_settings
    from spacekg.synth import synthesize

    synthesize(ROOT, folder / "project", size, violations)
    ontology, asserted, _ = assemble(load_settings({}, project_dir=folder / "project"))
    data = Graph()
    data += asserted.graph
    data += ontology
    target = folder / "data.nt"
    data.serialize(target, format="nt", encoding="utf-8")
    return target


def run_pyshacl(data: Path, shapes: Path) -> tuple[float, list[tuple[str, str, str]]]:
    """SpaceKG's own validation call (pySHACL, SPARQL constraints parsed once); seconds exclude parsing the data."""
    from rdflib import Graph, URIRef

    from spacekg.validate import load_shapes, validate

    graph = Graph().parse(data, format="nt")
    empty_ontology = Graph()  # the ontology is already in the data file
    started = time.perf_counter()
    report = validate(graph, load_shapes(shapes), empty_ontology, {})
    seconds = time.perf_counter() - started
    results = [(str(r.focus_node), str(r.source_shape) if isinstance(r.source_shape, URIRef) else "_:blank", r.severity)
               for r in report.results]
    return seconds, results


def run_pyrudof(data: Path, shapes: Path) -> tuple[float, list[tuple[str, str, str]]]:
    """pyrudof's native engine; seconds include reading the data, which pyrudof does in Rust."""
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    started = time.perf_counter()
    rudof.read_data(str(data), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(str(shapes))
    report = rudof.validate_shacl()
    seconds = time.perf_counter() - started
    results = [(_bare(e.focus_node), _bare(e.source_shape) if not str(e.source_shape).startswith("_:") else "_:blank",
                str(e.severity).rsplit("#", 1)[-1].rsplit(".", 1)[-1].strip("<>"))
               for e in report.violations]
    return seconds, results


def _bare(term: object) -> str:
    return str(term).strip("<>")


def measure(engine: str, data: Path, shapes: Path, timeout_s: float) -> dict:
    """Run one engine in a child process: its seconds, peak memory and results (or why it stopped)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--engine", engine, "--data", str(data), "--shapes", str(shapes)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = child.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return {"error": f"stopped after {timeout_s:.0f} s", "wall": time.perf_counter() - started}
    if child.returncode != 0:
        return {"error": err.strip().splitlines()[-1] if err.strip() else f"exit {child.returncode}", "wall": time.perf_counter() - started}
    return json.loads(out)


def child_main(engine: str, data: Path, shapes: Path) -> None:
    """In the child: validate, then print seconds, peak memory and results as JSON."""
    import resource

    seconds, results = (run_pyshacl if engine == "pyshacl" else run_pyrudof)(data, shapes)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024,
                      "results": sorted(set(map(tuple, results)))}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--violations", type=float, default=0.01)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--skip-pyshacl-above", type=int, default=100000, help="leave pySHACL out for larger sizes (its time is linear)")
    parser.add_argument("--write", type=Path)
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--shapes", type=Path, default=ROOT / "shapes" / "spacekg-shapes.ttl", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        child_main(args.engine, args.data, args.shapes)
        return
    scratch = Path(tempfile.mkdtemp(prefix="spacekg-shacl-engines-"))
    rows = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            data = write_data(size, args.violations, scratch / str(size))
            triples = sum(1 for _ in open(data, encoding="utf-8"))
            outcome = {engine: measure(engine, data, args.shapes, args.timeout) if engine != "pyshacl" or size <= args.skip_pyshacl_above
                       else {"error": "not run"} for engine in ENGINES}
            print(f"~{size:,}: " + "; ".join(f"{e}: {o.get('error') or (round(o['seconds'], 1), round(o['peak_mib']))}"
                                             for e, o in outcome.items()), file=sys.stderr, flush=True)
            rows.append(_row(size, triples, outcome))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    header = ["data", "triples validated", "pySHACL s", "pySHACL process CPU s", "pySHACL peak MiB", "pyrudof s", "pyrudof process CPU s",
              "pyrudof peak MiB", "results (focus, shape, severity)"]
    intro = f"`python {shlex.join(sys.argv)}` — data shapes only (shapes/spacekg-shapes.ttl), each engine in its own process; {machine()}"
    publish(intro + "\n\n" + markdown_table(header, rows), args.write)


def _row(size: int, triples: int, outcome: dict[str, dict]) -> list[str]:
    cells = []
    for engine in ENGINES:
        o = outcome[engine]
        cells += [o["error"], "-", "-"] if "error" in o else [f"{o['seconds']:.1f}", f"{o['cpu_s']:.1f}", f"{o['peak_mib']:,.0f}"]
    if all("results" in o for o in outcome.values()):
        ours, theirs = ({tuple(r) for r in outcome[e]["results"]} for e in ENGINES)
        agreement = f"pySHACL {len(ours)}, pyrudof {len(theirs)}, both {len(ours & theirs)}"
    else:
        agreement = "-"
    return [f"synthetic ~{size:,}", f"{triples:,}", *cells, agreement]


if __name__ == "__main__":
    main()
