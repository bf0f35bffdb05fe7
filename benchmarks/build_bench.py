"""Build benchmark: `spacekg build` per size and SHACL engine side by side, and one-row edits rebuilt incrementally.

Usage (from the repository root):
    python benchmarks/build_bench.py [--sizes 0,100000,1000000] [--engines jena,pyshacl] [--timeout 900]
                                     [--edits 10] [--edit-sizes 0,100000] [--keep DIR] [--write BENCHMARKS.md]

Size 0 is the curated data as it is; other sizes add about that many triples with `spacekg synth` (no
seeded violations: the build must publish). Each build runs as `spacekg build` in its own process with
SPACEKG_SHACL_ENGINE set; its CPU time and peak memory are those of its whole process tree (Jena's JVM
included), the peak sampled from /proc every 0.2 s. Stage seconds come from the release's manifest; a
build stopped by --timeout says which stage it was in (from its progress lines).

The edit benchmark copies a project, builds it once, then `--edits` times changes one cell (an event's
date, one day later) and builds again: the build validates incrementally. It reports the build time (the
manifest's stage seconds, which is what the build itself spends) and the command's wall time (with
Python's start and imports), median and max.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import shlex
import shutil
import statistics
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
# The build's progress line that opens each stage (see spacekg.pipeline.build), for builds stopped by the timeout.
STAGE_OPENERS = {"reading": "read", "mapping": "map", "validating": "validate", "validation ": "", "reasoning": "reason",
                 "loading the store": "load", "writing dumps": "dumps", "published": ""}
ASSERTED, INFERRED = "https://w3id.org/spacekg/graph/asserted", "https://w3id.org/spacekg/graph/inferred"
REFERENCE_ENGINE = "pyshacl"
PROJECT_FOLDERS = ("data", "ontology", "shapes", "queries")


@dataclass
class BuildRun:
    """One timed build: stage seconds, wall and CPU time, peak memory, and what the release says."""

    label: str
    engine: str
    wall_s: float = 0.0
    cpu_s: float = 0.0  # user + system time of the build's process tree
    peak_mib: float = 0.0  # the largest sum of resident memory over the process tree
    stages: dict[str, float] = field(default_factory=dict)
    validation_s: float | None = None  # the engine's own seconds (it runs beside reasoning, so `validate` is only its wait)
    asserted: int | None = None
    inferred: int | None = None
    engine_ran: str = ""
    how: str = ""
    revalidated: int = 0
    stopped_in: str = ""  # the stage a timed-out build was in

    @property
    def build_s(self) -> float:
        return sum(self.stages.values())


def synthesize(size: int, folder: Path) -> Path:
    """A synthetic project with about `size` triples added to the curated data, without seeded violations."""
    subprocess.run([sys.executable, "-m", "spacekg.cli", "--project", str(ROOT), "synth", "--triples", str(size), "--out", str(folder),
                    "--violations", "0"], check=True, capture_output=True)
    return folder


def project_for(size: int, scratch: Path) -> Path:
    if size == 0:
        return ROOT
    project = scratch / f"synth-{size}"
    if not (project / "data").is_dir():  # a kept project (--keep) is reused
        print(f"synthesizing +{size:,} triples", file=sys.stderr, flush=True)
        synthesize(size, project)
    return project


def tree_rss_mib(root: int) -> float:
    """Resident memory of a process and all its descendants, in MiB (read from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            resident = int(Path(entry.path, "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we read it
        pid, parent = int(entry.name), int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(pid)
        rss[pid] = resident
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_build(label: str, project: Path, releases: Path, engine: str, timeout_s: float) -> BuildRun:
    """`spacekg build` in a child process with `engine`; stopped after `timeout_s` s."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "spacekg.cli", "--project", str(project), "--releases", str(releases), "build", "--verbose"]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "SPACEKG_SHACL_ENGINE": engine}, start_new_session=True)
    progress: list[tuple[float, str]] = []
    run = BuildRun(label, engine)
    done = threading.Event()

    def follow() -> None:
        assert child.stderr is not None
        for line in child.stderr:
            progress.append((time.perf_counter() - started, line.removeprefix("· ").strip()))
            print(f"  [{progress[-1][0]:7.1f} s] {line.rstrip()}", file=sys.stderr, flush=True)

    def sample() -> None:
        while not done.wait(0.2):
            run.peak_mib = max(run.peak_mib, tree_rss_mib(child.pid))

    threads = [threading.Thread(target=follow, daemon=True), threading.Thread(target=sample, daemon=True)]
    for thread in threads:
        thread.start()
    status, usage = _wait(child.pid, started + timeout_s)
    done.set()
    run.wall_s, run.cpu_s = time.perf_counter() - started, usage.ru_utime + usage.ru_stime
    for thread in threads:
        thread.join(timeout=5)
    if status is None:
        run.stages, run.stopped_in = stages_from_progress(progress, run.wall_s)
        return run
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build of {label} with {engine} failed: " + "; ".join(text for _, text in progress[-5:]))
    manifest = json.loads((releases / "current" / "release.json").read_text())
    run.stages = {stage: manifest["timings"][stage] for stage in STAGES if stage in manifest["timings"]}
    run.asserted, run.inferred = manifest["graphs"][ASSERTED], manifest["graphs"][INFERRED]
    validation = manifest["validation"]
    run.validation_s, run.engine_ran, run.how, run.revalidated = validation["seconds"], validation["engine"], validation["how"], validation["revalidated"]
    return run


def stages_from_progress(lines: list[tuple[float, str]], end: float) -> tuple[dict[str, float], str]:
    """Seconds per stage from timestamped progress lines (a stage lasts until the next line), and the last stage opened."""
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


def _wait(pid: int, deadline: float) -> tuple[int | None, os.struct_rusage]:
    """Wait for a child with its resource usage (its waited-for children included); kill it at the deadline (status None)."""
    while time.perf_counter() < deadline:
        waited, status, usage = os.wait4(pid, os.WNOHANG)
        if waited:
            return status, usage
        time.sleep(0.1)
    os.killpg(pid, 9)  # the build and its Jena process: the child leads its own process group
    _, _, usage = os.wait4(pid, 0)
    return None, usage


def copy_project(source: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    for name in PROJECT_FOLDERS:
        shutil.copytree(source / name, target / name)
    return target


def edit_one_date(project: Path, edit: int) -> str:
    """Move the date of the `edit`-th dated event of data/events.csv one day later; returns the event's id."""
    path = project / "data" / "events.csv"
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    rows = list(reader)
    dated = [row for row in rows if len(row["date"]) == 10]
    row = dated[edit % len(dated)]
    row["date"] = (dt.date.fromisoformat(row["date"]) + dt.timedelta(days=1)).isoformat()
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(reader.fieldnames or ()), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8")
    return row["id"]


@dataclass
class EditRuns:
    label: str
    first: BuildRun
    edits: list[BuildRun]


def edit_benchmark(label: str, source: Path, folder: Path, edits: int, timeout_s: float) -> EditRuns:
    """Build a copy of `source` in `folder` once, then edit one row and build again, `edits` times."""
    project = copy_project(source, folder)
    releases = project / "var" / "releases"
    print(f"edits of {label}: first build", file=sys.stderr, flush=True)
    first = run_build(label, project, releases, "auto", timeout_s)
    runs = []
    for edit in range(edits):
        event = edit_one_date(project, edit)
        print(f"edits of {label}: {edit + 1}/{edits}, event {event} one day later", file=sys.stderr, flush=True)
        runs.append(run_build(label, project, releases, "auto", timeout_s))
    return EditRuns(label, first, runs)


def engines_table(runs: list[BuildRun], timeout_s: float) -> str:
    reference = {run.label: run for run in runs if run.engine == REFERENCE_ENGINE and not run.stopped_in}
    rows = []
    for run in runs:
        base = reference.get(run.label)
        own = f"{run.validation_s:.1f}" if run.validation_s is not None else "-"
        ratio_validation = (f"{run.validation_s / base.validation_s:.2f}" if base and run.validation_s and base.validation_s else "-")
        ratio_build = f"{run.build_s / base.build_s:.2f}" if base and not run.stopped_in else "-"
        wall = f"{run.wall_s:.1f}" + (f" (stopped at the {timeout_s:.0f} s timeout, in {run.stopped_in})" if run.stopped_in else "")
        counts = [f"{run.asserted:,}" if run.asserted is not None else "?", f"{run.inferred:,}" if run.inferred is not None else "?"]
        rows.append([run.label, run.engine_ran or run.engine, *counts, *(f"{run.stages[s]:.1f}" if s in run.stages else "-" for s in STAGES),
                     own, f"{run.build_s:.1f}" + ("+" if run.stopped_in else ""), wall, f"{run.cpu_s:.1f}", f"{run.peak_mib:,.0f}",
                     ratio_validation, ratio_build])
    header = ["data", "engine", "asserted", "inferred", *(f"{s} s" for s in STAGES), "validation (engine's own) s", "build s",
              "wall s", "CPU s", "peak MiB", f"validation / {REFERENCE_ENGINE}", f"build / {REFERENCE_ENGINE}"]
    return markdown_table(header, rows)


def edits_table(all_runs: list[EditRuns]) -> str:
    rows = []
    for runs in all_runs:
        build = [run.build_s for run in runs.edits]
        wall = [run.wall_s for run in runs.edits]
        validation = [run.validation_s or 0.0 for run in runs.edits]
        hows = sorted({run.how for run in runs.edits})
        rows.append([runs.label, f"{runs.first.build_s:.1f}", len(runs.edits), ", ".join(hows),
                     f"{statistics.median(run.revalidated for run in runs.edits):.0f}",
                     f"{statistics.median(build):.2f}", f"{max(build):.2f}", f"{statistics.median(validation):.2f}",
                     f"{statistics.median(wall):.2f}", f"{max(wall):.2f}",
                     ", ".join(f"{s} {statistics.median(run.stages.get(s, 0.0) for run in runs.edits):.2f}" for s in STAGES)])
    header = ["data", "first (full) build s", "edits", "validated", "focus nodes validated again (median)", "build s median",
              "build s max", "validation s median", "wall s median", "wall s max", "stage medians s"]
    return markdown_table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0,100000,1000000", help="synthetic triples to add; 0 is the curated data alone")
    parser.add_argument("--engines", default="jena,pyshacl", help="SHACL engines to build with, side by side")
    parser.add_argument("--timeout", type=float, default=900, help="stop a build after this many seconds")
    parser.add_argument("--edits", type=int, default=10, help="one-row edits rebuilt per project in the edit benchmark (0: none)")
    parser.add_argument("--edit-sizes", default="0,100000", help="the projects of the edit benchmark")
    parser.add_argument("--keep", type=Path, help="keep the synthetic projects and releases in this folder")
    parser.add_argument("--write", type=Path, help="append the tables to this Markdown file")
    args = parser.parse_args()
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="spacekg-build-bench-"))
    label = {0: "curated"}
    try:
        runs = []
        for size in (int(s) for s in args.sizes.split(",") if s):
            project = project_for(size, scratch)
            for engine in args.engines.split(","):
                name = label.get(size, f"curated + ~{size:,}")
                print(f"building {name} with {engine}", file=sys.stderr, flush=True)
                releases = scratch / f"releases-{size}-{engine}"
                shutil.rmtree(releases, ignore_errors=True)  # each build is a first build: no report to reuse
                runs.append(run_build(name, project, releases, engine, args.timeout))
        edits = [edit_benchmark(label.get(size, f"curated + ~{size:,}"), project_for(size, scratch), scratch / f"edited-{size}", args.edits,
                                args.timeout)
                 for size in (int(s) for s in args.edit_sizes.split(",") if s)] if args.edits else []
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    text = f"`python {shlex.join(sys.argv)}` — {machine()}\n\n"
    if runs:
        text += engines_table(runs, args.timeout) + "\n"
    if edits:
        text += "\nOne-row edits, each rebuilt (engine auto):\n\n" + edits_table(edits) + "\n"
    publish(text, args.write)


if __name__ == "__main__":
    main()
