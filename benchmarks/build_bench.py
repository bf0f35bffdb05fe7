"""Build benchmark: stage times and peak memory of `spacekg build` on the curated graph and synthetic ones.

Usage (from the repository root):
    python benchmarks/build_bench.py [--sizes 0,10000,100000,1000000] [--timeout 3600] [--write BENCHMARKS.md]

Size 0 is the curated data as it is; other sizes add about that many triples with `spacekg synth`.
Each build runs in its own process, so its peak resident memory is its own (read with wait4). The
build's progress lines are timestamped as they arrive, so a build stopped by --timeout still says
how far it got and how long each stage it reached took.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from report import machine, markdown_table, publish

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("read", "map", "validate", "reason", "load", "dumps")
# The build's progress line that opens each stage (see spacekg.pipeline.build).
STAGE_OPENERS = {"reading": "read", "mapping": "map", "validating": "validate", "reasoning": "reason", "loading the store": "load",
                 "writing dumps": "dumps", "cpu:": "", "done": ""}
ASSERTED, INFERRED = "https://w3id.org/spacekg/graph/asserted", "https://w3id.org/spacekg/graph/inferred"


@dataclass
class BuildRun:
    """One timed build: stage seconds, wall time, peak memory, and what the release holds (if it was published)."""

    label: str
    wall_s: float = 0.0
    cpu_s: float = 0.0  # user + system time of the build process: what the build cost, whatever else ran
    peak_mib: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    asserted: int | None = None
    inferred: int | None = None
    stopped_in: str = ""  # the stage a timed-out build was in
    stage_cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by stage (builds without validation only)


def synthesize(size: int, folder: Path) -> Path:
    """A synthetic project with about `size` triples added to the curated data, without seeded violations."""
    subprocess.run([sys.executable, "-m", "spacekg.cli", "--project", str(ROOT), "synth", "--triples", str(size), "--out", str(folder),
                    "--violations", "0"], check=True, capture_output=True)
    return folder


def stages_from_progress(lines: list[tuple[float, str]], end: float) -> tuple[dict[str, float], str]:
    """Seconds per stage from timestamped progress lines; a stage lasts until the next line. Also the last stage opened."""
    seconds: dict[str, float] = {}
    current = ""
    for index, (at, text) in enumerate(lines):
        stage = next((name for opener, name in STAGE_OPENERS.items() if text.startswith(opener)), None)
        if not stage:
            continue
        until = lines[index + 1][0] if index + 1 < len(lines) else end
        seconds[stage] = seconds.get(stage, 0.0) + until - at
        current = stage
    return seconds, current


def build_once(label: str, project: Path, releases: Path, reasoner: str, timeout_s: float, validate: bool = True) -> BuildRun:
    """Run `spacekg build` in a child process (or, without validation, the pipeline's other stages); stop it after `timeout_s` s."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "spacekg.cli", "--project", str(project), "--releases", str(releases), "--reasoner", reasoner, "build"]
    if not validate:
        command = [sys.executable, __file__, "--unvalidated-build", str(project), "--releases", str(releases), "--reasoner", reasoner]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    progress: list[tuple[float, str]] = []

    def follow() -> None:
        assert child.stderr is not None
        for line in child.stderr:
            progress.append((time.perf_counter() - started, line.removeprefix("· ").strip()))
            print(f"  [{progress[-1][0]:7.1f} s] {line.rstrip()}", file=sys.stderr, flush=True)

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    run = BuildRun(label)
    status, usage = _wait(child.pid, started + timeout_s)
    run.wall_s, run.peak_mib = time.perf_counter() - started, usage.ru_maxrss / 1024
    run.cpu_s = usage.ru_utime + usage.ru_stime
    reader.join(timeout=5)
    child.returncode = os.waitstatus_to_exitcode(status) if status is not None else -9
    run.stages, current = stages_from_progress(progress, run.wall_s)
    if status is None:
        run.stopped_in = current
        return run
    if not validate:
        done = [text for _, text in progress if text.startswith("done: ")]
        for _, text in progress:
            if text.startswith("cpu: "):
                run.stage_cpu = {stage: float(seconds) for stage, seconds in (item.split("=") for item in text[5:].split())}
        if done:
            asserted, inferred = (int(word) for word in done[-1].split() if word.isdigit())
            run.asserted, run.inferred = asserted, inferred
        elif child.returncode != 0:
            raise SystemExit(f"{label} failed (exit {child.returncode}): " + "; ".join(text for _, text in progress[-5:]))
        return run
    if child.returncode != 0:
        raise SystemExit(f"build of {label} failed (exit {child.returncode}): " + "; ".join(text for _, text in progress[-5:]))
    manifest = json.loads((releases / "current" / "release.json").read_text())
    run.stages = {stage: manifest["timings"][stage] for stage in STAGES if stage in manifest.get("timings", {})}
    run.asserted, run.inferred = manifest["graphs"][ASSERTED], manifest["graphs"][INFERRED]
    return run


def unvalidated_build(project: Path, releases: Path, reasoner: str) -> None:
    """The build's stages without validation, with the pipeline's own functions and progress lines (no release is published).

    At 1M triples pySHACL alone runs far past the time budget; this measures what the rest of the build costs.
    """
    from spacekg.cli import _progress
    from spacekg.pipeline import assemble, infer
    from spacekg.settings import load_settings
    from spacekg.store.loading import disk_store, memory_store
    from spacekg.store.releases import write_dumps

    settings = load_settings({}, project_dir=project, reasoner=reasoner)
    cpu: dict[str, float] = {}

    def spent(stage: str, since: float) -> None:
        cpu[stage] = cpu.get(stage, 0.0) + time.process_time() - since

    started = time.process_time()
    ontology, asserted, _ = assemble(settings, _progress)
    spent("read+map", started)
    _progress("reasoning")
    started = time.process_time()
    inferred = infer(settings, ontology, asserted).triples
    spent("reason", started)
    _progress(f"inferred graph: {len(inferred)} new facts")
    _progress("loading the store")
    started = time.process_time()
    store = memory_store({"urn:g:ontology": set(ontology), ASSERTED: asserted.triples, INFERRED: inferred})
    spent("load", started)
    _progress("writing dumps")
    started = time.process_time()
    write_dumps(store, releases / "dumps")
    spent("dumps", started)
    _progress("loading the store (on disk)")
    started = time.process_time()
    disk_store(releases / "store", releases / "dumps" / "spacekg.nq")
    spent("load", started)
    _progress("cpu: " + " ".join(f"{stage}={seconds:.2f}" for stage, seconds in cpu.items()))
    _progress(f"done: {len(asserted.triples)} asserted, {len(inferred)} inferred")


def _wait(pid: int, deadline: float) -> tuple[int | None, os.struct_rusage]:
    """Wait for a child with its own resource usage; kill it at the deadline. Status None means it was killed."""
    while time.perf_counter() < deadline:
        waited, status, usage = os.wait4(pid, os.WNOHANG)
        if waited:
            return status, usage
        time.sleep(0.2)
    os.kill(pid, 9)
    _, _, usage = os.wait4(pid, 0)
    return None, usage


def table(runs: list[BuildRun], reasoner: str, timeout_s: float) -> str:
    """The Markdown table of the runs, with the command line and the machine."""
    rows = []
    for run in runs:
        cells = [f"{run.stages[s]:.2f}" if s in run.stages else "-" for s in STAGES]
        core = sum(run.stages.get(s, 0.0) for s in ("validate", "reason", "load"))
        wall = f"{run.wall_s:.1f}" + (f" (stopped at {timeout_s:.0f} s timeout in {run.stopped_in})" if run.stopped_in else "")
        counts = [f"{run.asserted:,}" if run.asserted is not None else "?", f"{run.inferred:,}" if run.inferred is not None else "?"]
        cpu = f"{run.cpu_s:.1f}" + (" (" + ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in run.stage_cpu.items()) + ")"
                                       if run.stage_cpu else "")
        rows.append([run.label, *counts, *cells, f"{core:.1f}" + ("+" if run.stopped_in else ""), wall, cpu, f"{run.peak_mib:,.0f}"])
    header = ["data", "asserted triples", "inferred", *(f"{s} s" for s in STAGES), "validate+reason+load s", "wall s", "CPU s (by stage)", "peak MiB"]
    intro = (f"`python {shlex.join(sys.argv)}` — `spacekg build` (reasoner {reasoner}), one process per build, peak = its max RSS; "
             f"{machine()}")
    return intro + "\n\n" + markdown_table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0,10000,100000", help="synthetic triples to add; 0 is the curated data alone")
    parser.add_argument("--reasoner", default="rules")
    parser.add_argument("--timeout", type=float, default=3600, help="stop a build after this many seconds")
    parser.add_argument("--without-validation", action="store_true", help="run the build's other stages only (nothing published)")
    parser.add_argument("--unvalidated-build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--releases", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help="keep the synthetic projects and releases in this folder")
    parser.add_argument("--write", type=Path, help="append the table to this Markdown file")
    args = parser.parse_args()
    if args.unvalidated_build:
        unvalidated_build(args.unvalidated_build, args.releases, args.reasoner)
        return
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="spacekg-build-bench-"))
    runs = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            project = ROOT
            if size:
                project = scratch / f"synth-{size}"
                if not (project / "data").is_dir():  # a kept project (--keep) is reused
                    synthesize(size, project)
            label = ("curated data" if size == 0 else f"curated + synthetic ~{size:,}") + (" (no validation)" if args.without_validation else "")
            print(f"building {label}", file=sys.stderr, flush=True)
            releases = scratch / (f"releases-{size}" + ("-unvalidated" if args.without_validation else ""))
            shutil.rmtree(releases, ignore_errors=True)  # a kept folder from an earlier run would make the dumps step fail
            releases.mkdir(parents=True)
            runs.append(build_once(label, project, releases, args.reasoner, args.timeout, validate=not args.without_validation))
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    publish(table(runs, args.reasoner, args.timeout), args.write)


if __name__ == "__main__":
    main()
