"""What the benchmark scripts share: the machine line, Markdown tables, appending to BENCHMARKS.md, summarising profiles."""

from __future__ import annotations

import collections
import datetime as dt
import os
import platform
from collections.abc import Iterable, Sequence
from pathlib import Path


def machine() -> str:
    """One line naming the machine a figure was taken on, and when."""
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.machine()}, {os.cpu_count()} cores, {memory_gib:.0f} GiB, Python {platform.python_version()}, "
            f"{dt.date.today().isoformat()}")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub Markdown table; cells are written with str()."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def publish(text: str, write_to: Path | None) -> None:
    """Print the text, and append it to a Markdown file if one is named."""
    print(text, flush=True)
    if write_to:
        with open(write_to, "a", encoding="utf-8") as handle:
            handle.write("\n" + text + "\n")


def collapsed_stacks(path: Path) -> dict[tuple[str, ...], int]:
    """Read py-spy's `--format raw` output (Brendan Gregg's collapsed stacks): stack -> samples."""
    stacks: dict[tuple[str, ...], int] = collections.Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[tuple(stack.split(";"))] += int(count)
    return stacks


def top_frames(stacks: dict[tuple[str, ...], int], limit: int = 15, keep: str = "") -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Shares of samples: (frames where time was spent itself, frames under which time was spent), largest first.

    Only stacks with a frame containing `keep` count, e.g. a request handler, so idle threads waiting on
    a socket do not drown the figures.
    """
    chosen = {stack: n for stack, n in stacks.items() if not keep or any(keep in frame for frame in stack)}
    total = sum(chosen.values()) or 1
    own: dict[str, int] = collections.Counter()
    under: dict[str, int] = collections.Counter()
    for stack, n in chosen.items():
        own[_short(stack[-1])] += n
        for frame in {_short(f) for f in stack}:
            under[frame] += n
    return ([(f, 100 * n / total) for f, n in own.most_common(limit)],
            [(f, 100 * n / total) for f, n in under.most_common(limit)])


def _short(frame: str) -> str:
    # "handle (gunicorn/workers/gthread.py:123)" -> "handle (gunicorn/workers/gthread.py)": lines split one function into many rows.
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "lib/python3.11/", "src/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where})" if where else name


def shares_by_rule(stacks: dict[tuple[str, ...], int], rules: Sequence[tuple[str, str]], keep: str = "") -> list[tuple[str, float]]:
    """Shares of samples by category: a stack goes to the rule (category, text in a frame) first met walking up from its leaf.

    Walking up from the leaf charges a sample to the most specific part of our code it is in, e.g. a
    JSON writer called by the endpoint counts as JSON writing, not as the endpoint.
    """
    chosen = {stack: n for stack, n in stacks.items() if not keep or any(keep in frame for frame in stack)}
    total = sum(chosen.values()) or 1
    shares: dict[str, int] = collections.Counter()
    for stack, n in chosen.items():
        category = next((name for frame in reversed(stack) for name, marker in rules if marker in frame), "other")
        shares[category] += n
    return [(name, 100 * n / total) for name, n in shares.most_common()]
