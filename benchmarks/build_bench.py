"""Build benchmark: stage times and peak memory of `spacekg build` on the curated graph and synthetic ones.

Usage (from the repository root):
    python benchmarks/build_bench.py [--sizes 0,100000,1000000] [--write BENCHMARKS.md]

Size 0 is the curated data as it is; other sizes add about that many triples with `spacekg synth`.
Each build runs in its own process so its peak resident memory can be read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_once(project: Path, releases: Path, reasoner: str) -> tuple[dict, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "spacekg.cli", "--project", str(project), "--releases", str(releases), "--reasoner", reasoner,
                    "build"], check=True, capture_output=True)
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    manifest = json.loads((releases / "current" / "release.json").read_text())
    return manifest, wall, max(peak_kib, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="0,100000,1000000")
    parser.add_argument("--reasoner", default="rules")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="spacekg-build-bench-"))
    rows = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            project = ROOT
            if size:
                project = scratch / f"synth-{size}"
                subprocess.run([sys.executable, "-m", "spacekg.cli", "--project", str(ROOT), "synth", "--triples", str(size),
                                "--out", str(project), "--violations", "0"], check=True, capture_output=True)
            manifest, wall, peak_mib = build_once(project, scratch / f"releases-{size}", args.reasoner)
            rows.append((size, manifest, wall, peak_mib))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    stages = ["read", "map", "validate", "reason", "load", "dumps"]
    lines = [f"`spacekg build` (reasoner {args.reasoner}), one process per build; {platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}", "",
             "| data | asserted triples | inferred | " + " | ".join(f"{s} s" for s in stages) + " | wall s | peak MiB |",
             "|---|---|---|" + "---|" * len(stages) + "---|---|"]
    for size, manifest, wall, peak in rows:
        graphs = manifest["graphs"]
        asserted = graphs["https://w3id.org/spacekg/graph/asserted"]
        inferred = graphs["https://w3id.org/spacekg/graph/inferred"]
        timings = manifest.get("timings", {})
        cells = " | ".join(f"{timings[s]:.2f}" if s in timings else "-" for s in stages)
        label = "curated data" if size == 0 else f"curated + synthetic ~{size:,}"
        lines.append(f"| {label} | {asserted:,} | {inferred:,} | {cells} | {wall:.1f} | {peak:.0f} |")
    text = "\n".join(lines)
    print(text)
    if args.write:
        with open(args.write, "a", encoding="utf-8") as handle:
            handle.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
