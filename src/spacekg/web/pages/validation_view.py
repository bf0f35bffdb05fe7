"""What /validation shows of one report: a summary (counts by severity and by file, what is new or fixed against another
report), the results that pass the page's filters grouped by file, and repeated results folded per shape with their count.

The page module (validation.py) reads the reports from the release and the releases folder; this one only arranges them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import url_for
from rdflib import URIRef

from spacekg.errors import UsageError
from spacekg.validate import ValidationReport, ValidationResult
from spacekg.validate.report import SEVERITIES, compact
from spacekg.web.state import site

NO_FILE = "(no source file)"
FOLD_AFTER = 3  # a shape with more results than this in one file is folded under its count: the 197 alike become one line
SHOWN_WHEN_FOLDED = 10  # a fold lists the first few and links to all of them (the page filtered by that shape and file)
FIXED_LISTED = 100  # fixed results listed in the summary; the rest are counted
Key = tuple[str, str, str, str]


def source_file(result: ValidationResult) -> str:
    """The curated file a result points at (data/…), or NO_FILE when its focus node came from no curated record."""
    return result.position.path if result.position else NO_FILE


@dataclass(frozen=True)
class Filters:
    """The page's GET filters; an empty one keeps every result."""

    severity: str = ""
    shape: str = ""  # the compact name, e.g. skgsh:DatedAct-date
    file: str = ""

    @property
    def active(self) -> bool:
        return bool(self.severity or self.shape or self.file)

    def keeps(self, result: ValidationResult) -> bool:
        return ((not self.severity or result.severity == self.severity) and (not self.shape or compact(result.source_shape) == self.shape)
                and (not self.file or source_file(result) == self.file))

    def parameters(self) -> dict[str, str]:
        """The filters that are set, as query parameters (for links that keep them)."""
        return {name: chosen for name, chosen in (("severity", self.severity), ("shape", self.shape), ("file", self.file)) if chosen}


def _shown(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:80] + "…")


def parse_filters(args: Mapping[str, str], reports: Iterable[ValidationReport]) -> Filters:
    """severity=, shape= and file= of the query string (empty: any); a value no report on the page has is a UsageError (400)."""
    results = [result for report in reports for result in report.results]
    severity = args.get("severity", "").strip()
    if severity:
        matching = [known for known in SEVERITIES if known.casefold() == severity.casefold()]
        if not matching:
            raise UsageError(f"severity={_shown(severity)} is not a SHACL severity", f"use one of: {', '.join(SEVERITIES)}, or leave it empty")
        severity = matching[0]
    shape = args.get("shape", "").strip()
    if shape:
        shapes = {compact(result.source_shape): compact(result.source_shape) for result in results}
        shapes.update({str(result.source_shape): compact(result.source_shape) for result in results})  # the full IRI works too
        if shape not in shapes:
            raise UsageError(f"shape={_shown(shape)} names no shape with results in this report",
                             f"use one of: {', '.join(sorted(set(shapes.values()))) or 'none (no result at all)'}, or leave it empty")
        shape = shapes[shape]
    file = args.get("file", "").strip()
    if file and file not in {source_file(result) for result in results}:
        raise UsageError(f"file={_shown(file)} names no file with results in this report",
                         "use a file named in the report's summary (e.g. data/events.csv), or leave it empty")
    return Filters(severity, shape, file)


def compare(report: ValidationReport, baseline: ValidationReport) -> tuple[frozenset[Key], tuple[ValidationResult, ...]]:
    """The keys of the results that are new in `report`, and the results of `baseline` that it no longer has (fixed).

    A result is the same one when its focus node, path, shape and value are (ValidationResult.key, as the build's own
    count of new and fixed in release.json): a moved line or a reworded message is not a new problem.
    """
    before = {result.key for result in baseline.results}
    now = {result.key for result in report.results}
    return frozenset(now - before), tuple(result for result in baseline.results if result.key not in now)


def result_row(result: ValidationResult, new: bool = False) -> dict[str, Any]:
    """One result as a table row shows it, linked to its record."""
    focus = None
    if isinstance(result.focus_node, URIRef):  # a label read back from a report graph without labels is only the compact IRI
        label = result.focus_label if result.focus_label != compact(result.focus_node) else None
        focus = site().iri_term(str(result.focus_node), label)
    return {"severity": result.severity, "line": result.position.line if result.position and result.position.line else "",
            "file": source_file(result), "where": result.where, "focus": focus, "focus_label": result.focus_label, "path": result.path_text,
            "value": "" if result.value is None or result.value == result.focus_node else compact(result.value),
            "message": result.message, "shape": compact(result.source_shape), "new": new}


@dataclass
class ShapeGroup:
    """The results of one shape in one file: listed when few, folded under their count when many."""

    shape: str
    rows: list[dict[str, Any]]
    total: int
    counts: Counter[str]
    new: int
    folded: bool
    all_href: str = ""  # where every one of them is listed, when the fold lists only the first few


@dataclass
class FileGroup:
    path: str
    anchor: str
    counts: Counter[str]
    groups: list[ShapeGroup]


@dataclass
class Comparison:
    """What changed against another report: `against` names it ('release X', 'the served release X')."""

    against: str
    new: int
    fixed: list[dict[str, Any]]
    fixed_total: int


@dataclass
class ReportView:
    """Everything the page shows of one report."""

    anchor: str  # its section's id: "release", or "attempt" for a build that was not published
    prefix: str  # of the ids inside: "" for the served release's report (the page's ids before attempts were shown), "attempt-"
    title: str
    report: ValidationReport
    filters: Filters
    counts: dict[str, int]  # by severity, the whole report
    shown_counts: dict[str, int]  # by severity, the results that pass the filters
    by_file: list[tuple[str, Counter[str], int]]  # file, counts by severity, new results: the whole report
    shapes: list[tuple[str, Counter[str]]]  # the whole report, the shape with most results first
    files: list[FileGroup]  # the results that pass the filters
    comparison: Comparison | None
    no_comparison: str = ""  # why nothing is compared, when comparison is None
    notice: str = ""  # e.g. that this report's build was not published

    @property
    def total(self) -> int:
        return len(self.report.results)

    @property
    def shown(self) -> int:
        return sum(self.shown_counts.values())


def _groups(results: list[ValidationResult], new_keys: frozenset[Key], filters: Filters, file: str, anchor: str) -> list[ShapeGroup]:
    by_shape: dict[str, list[ValidationResult]] = defaultdict(list)
    for result in results:
        by_shape[compact(result.source_shape)].append(result)
    rank = {severity: index for index, severity in enumerate(SEVERITIES)}
    groups = []
    keep: dict[str, Any] = filters.parameters()
    for shape, members in by_shape.items():
        folded = len(members) > FOLD_AFTER
        listed = members if not folded or filters.shape else members[:SHOWN_WHEN_FOLDED]  # filtered by shape: list them all
        groups.append(ShapeGroup(shape, [result_row(r, r.key in new_keys) for r in listed], len(members), Counter(r.severity for r in members),
                                 sum(1 for r in members if r.key in new_keys), folded,
                                 url_for("pages.validation", _anchor=anchor, **{**keep, "shape": shape, "file": file})
                                 if len(listed) < len(members) else ""))
    # Violations first (they block a release), then the most repeated
    return sorted(groups, key=lambda g: (min(rank.get(s, 9) for s in g.counts), -g.total, g.shape))


def report_view(report: ValidationReport, filters: Filters, anchor: str, title: str, prefix: str = "", notice: str = "",
                baseline: ValidationReport | None = None, against: str = "", no_comparison: str = "") -> ReportView:
    """The summary and the filtered, folded results of `report`; new and fixed against `baseline` when there is one."""
    new_keys: frozenset[Key] = frozenset()
    comparison = None
    if baseline is not None:
        new_keys, fixed = compare(report, baseline)
        comparison = Comparison(against, len(new_keys), [result_row(r) for r in fixed[:FIXED_LISTED]], len(fixed))
    by_file: dict[str, list[ValidationResult]] = defaultdict(list)
    shapes: dict[str, Counter[str]] = defaultdict(Counter)
    for result in report.results:
        by_file[source_file(result)].append(result)
        shapes[compact(result.source_shape)][result.severity] += 1
    shown = [result for result in report.results if filters.keeps(result)]
    shown_by_file: dict[str, list[ValidationResult]] = defaultdict(list)
    for result in shown:
        shown_by_file[source_file(result)].append(result)
    anchors = {path: f"{prefix}file-{index}" for index, path in enumerate(sorted(by_file), start=1)}
    return ReportView(
        anchor=anchor, prefix=prefix, title=title, report=report, filters=filters,
        counts={s: report.count(s) for s in SEVERITIES}, shown_counts={s: sum(1 for r in shown if r.severity == s) for s in SEVERITIES},
        by_file=[(path, Counter(r.severity for r in results), sum(1 for r in results if r.key in new_keys))
                 for path, results in sorted(by_file.items())],
        shapes=sorted(shapes.items(), key=lambda item: (-sum(item[1].values()), item[0])),
        files=[FileGroup(path, anchors[path], Counter(r.severity for r in results), _groups(results, new_keys, filters, path, anchors[path]))
               for path, results in sorted(shown_by_file.items())],
        comparison=comparison, no_comparison=no_comparison, notice=notice)
