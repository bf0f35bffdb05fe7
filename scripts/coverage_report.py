"""Print line coverage of src/spacekg per package (after `coverage combine`) and fail below the agreed floor.

Every module under src/spacekg counts, also those no test imported (they count as not covered at all).
Code run by the server subprocesses and the query processes is included: coverage's `patch` setting in
pyproject.toml starts measurement in them, and `coverage combine` merges their data files.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import coverage

SRC = Path(__file__).resolve().parent.parent / "src"
FLOOR = 90.0  # percent of statements of src/ that the tests run (issue 11)


def package_of(path: Path) -> str:
    parts = path.relative_to(SRC).parts
    return ".".join(parts[:2]) if len(parts) > 2 else parts[0]


def main() -> int:
    cov = coverage.Coverage()
    cov.load()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in sorted((SRC / "spacekg").rglob("*.py")):
        _, statements, _, missing, _ = cov.analysis2(str(path))
        totals[package_of(path)][0] += len(statements)
        totals[package_of(path)][1] += len(statements) - len(missing)
    print(f"{'package':<24} {'statements':>10} {'covered':>8} {'percent':>8}")
    for package, (statements, covered) in sorted(totals.items()):
        print(f"{package:<24} {statements:>10} {covered:>8} {100 * covered / max(statements, 1):>7.1f}%")
    statements = sum(s for s, _ in totals.values())
    covered = sum(c for _, c in totals.values())
    percent = 100 * covered / max(statements, 1)
    print(f"{'total':<24} {statements:>10} {covered:>8} {percent:>7.1f}%")
    if percent < FLOOR:
        print(f"line coverage {percent:.1f}% is below the floor of {FLOOR:g}%: test the uncovered lines or delete them "
              "(coverage report -m lists them)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
