"""Render a validation report for people (text, HTML) and machines (Turtle, JSON-LD, CSV, JSON)."""

from __future__ import annotations

import csv
import html
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable

from rdflib import Literal
from rdflib.term import Node

from spacekg.validate.diff import ReportDiff
from spacekg.validate.report import SEVERITIES, ValidationReport, ValidationResult, compact, report_graph

CSV_COLUMNS = ("severity", "file", "line", "focus_node", "focus_label", "path", "value", "message", "source_shape",
               "source_constraint_component")


def _value_text(value: Node | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Literal):
        return str(value)
    return compact(value)


def _grouped(results: Iterable[ValidationResult]) -> dict[str, dict[Node, list[ValidationResult]]]:
    """Results by source file, then by source shape, in report order."""
    groups: dict[str, dict[Node, list[ValidationResult]]] = defaultdict(lambda: defaultdict(list))
    for result in results:
        groups[result.position.path if result.position else "(no source file)"][result.source_shape].append(result)
    return groups


def _summary_line(report: ValidationReport) -> str:
    verdict = "conforms" if report.conforms else "does not conform"
    counts = ", ".join(f"{report.count(s)} {s.lower()}{'s' if report.count(s) != 1 else ''}" for s in SEVERITIES)
    took = f" in {report.seconds:.1f} s" if report.seconds else ""  # a report read back from a release has no time of its own
    return f"SpaceKG validation: {verdict} ({counts}; {len(report.results)} results{took})"


def _shape_rows(report: ValidationReport) -> list[tuple[Node, dict[str, int]]]:
    counts = report.counts_by_shape()
    shapes = sorted({shape for shape, _ in counts}, key=lambda s: (-sum(counts.get((s, v), 0) for v in SEVERITIES), str(s)))
    return [(shape, {severity: counts.get((shape, severity), 0) for severity in SEVERITIES}) for shape in shapes]


def render_text(report: ValidationReport) -> str:
    """Terminal text: results grouped by file and shape, then counts per shape and the shapes that matched nothing."""
    lines = [_summary_line(report), ""]
    for path, shapes in _grouped(report.results).items():
        lines.append(path)
        for shape, results in shapes.items():
            lines.append(f"  {compact(shape)} ({report.shape_label(shape)}): {len(results)} result{'s' if len(results) != 1 else ''}")
            for result in results:
                line = f"line {result.position.line}" if result.position else "no line"
                detail = "".join((f", path {result.path_text}" if result.path_text else "",
                                  f", value {_value_text(result.value)!r}" if result.value is not None and result.value != result.focus_node else ""))
                lines.append(f"    {result.severity} {line}: {result.focus_label} <{result.focus_node}>{detail}")
                lines.append(f"      {result.message}")
        lines.append("")
    rows = _shape_rows(report)
    if rows:
        lines.append("Results per shape")
        width = max(len(compact(shape)) for shape, _ in rows)
        lines.append(f"  {'shape'.ljust(width)}  " + "  ".join(f"{s:>9}" for s in SEVERITIES))
        for shape, counts in rows:
            lines.append(f"  {compact(shape).ljust(width)}  " + "  ".join(f"{counts[s]:>9}" for s in SEVERITIES))
        lines.append("")
    unmatched = report.unmatched_shapes
    lines.append("Shapes that matched no target: " + (", ".join(compact(s) for s in unmatched) if unmatched else "none"))
    return "\n".join(lines) + "\n"


SUMMARY_LIMIT = 20  # violations a build lists; the rest are in the report file


def render_summary(report: ValidationReport, full_report: str, limit: int = SUMMARY_LIMIT, every_result: bool = False) -> str:
    """What a curator reads first after a build: the counts, then each Violation at its file:line with what to fix.

    At most `limit` Violations are listed, then where the whole report is; Warnings and Infos are counted,
    and listed only with `every_result` (`spacekg build --verbose`).
    """
    listed = [r for r in report.results if r.severity == "Violation" or every_result]
    lines = [_summary_line(report)]
    for result in listed[:limit]:
        value = f" {_value_text(result.value)!r}" if result.value is not None and result.value != result.focus_node else ""
        path = f" {result.path_text}" if result.path_text else ""
        lines.append(f"  {result.where}: {result.severity}: {result.focus_label}{path}{value}")
        lines.append(f"      fix: {result.message}")
    if len(listed) > limit:
        lines.append(f"  and {len(listed) - limit} more in {full_report}")
    elif report.results and not every_result and report.count("Violation") < len(report.results):
        lines.append(f"  (Warnings and Infos: {full_report}, or spacekg build --verbose)")
    return "\n".join(lines) + "\n"


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}.Violation{color:#a40000;font-weight:bold}.Warning{color:#8a5a00;font-weight:bold}.Info{color:#1f4e8c}
code{font-size:.9em}.ok{color:#176d17}.bad{color:#a40000}
"""


def render_html(report: ValidationReport, title: str = "SpaceKG validation report") -> str:
    """A self-contained HTML page (no scripts, no external assets); every value is escaped."""
    e = html.escape
    verdict = '<span class="ok">conforms</span>' if report.conforms else '<span class="bad">does not conform</span>'
    out = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{e(title)}</title><style>{_STYLE}</style></head><body>",
           f"<h1>{e(title)}</h1>",
           f"<p>The data {verdict}: " + ", ".join(f"<span class=\"{s}\">{report.count(s)} {s}</span>" for s in SEVERITIES)
           + f" ({len(report.results)} results, {report.seconds:.1f} s).</p>"]
    rows = _shape_rows(report)
    if rows:
        out.append("<h2>Results per shape</h2><table><tr><th>shape</th>" + "".join(f"<th>{s}</th>" for s in SEVERITIES) + "</tr>")
        for shape, counts in rows:
            out.append(f"<tr><td><code>{e(compact(shape))}</code> {e(report.shape_label(shape))}</td>"
                       + "".join(f"<td>{counts[s]}</td>" for s in SEVERITIES) + "</tr>")
        out.append("</table>")
    unmatched = report.unmatched_shapes
    out.append("<h2>Shapes that matched no target</h2><p>"
               + (", ".join(f"<code>{e(compact(s))}</code>" for s in unmatched) if unmatched else "none") + "</p>")
    for path, shapes in _grouped(report.results).items():
        out.append(f"<h2><code>{e(path)}</code></h2>")
        for shape, results in shapes.items():
            out.append(f"<h3><code>{e(compact(shape))}</code> {e(report.shape_label(shape))}</h3>")
            out.append("<table><tr><th>severity</th><th>line</th><th>record</th><th>path</th><th>value</th><th>message</th></tr>")
            for result in results:
                line = str(result.position.line) if result.position else ""
                value = _value_text(result.value) if result.value is not None and result.value != result.focus_node else ""
                out.append(f"<tr><td class=\"{e(result.severity)}\">{e(result.severity)}</td><td>{e(line)}</td>"
                           f"<td>{e(result.focus_label)}<br><code>{e(str(result.focus_node))}</code></td>"
                           f"<td><code>{e(result.path_text)}</code></td><td>{e(value)}</td><td>{e(result.message)}</td></tr>")
            out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _row(result: ValidationResult) -> dict[str, str]:
    return {"severity": result.severity, "file": result.position.path if result.position else "",
            "line": str(result.position.line) if result.position else "", "focus_node": str(result.focus_node),
            "focus_label": result.focus_label, "path": result.path_text,
            "value": "" if result.value is None else str(result.value), "message": result.message,
            "source_shape": str(result.source_shape), "source_constraint_component": str(result.source_constraint_component)}


def render_csv(report: ValidationReport) -> str:
    """One row per result, with file and line first so a spreadsheet sorts by where to fix."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_row(result) for result in report.results)
    return buffer.getvalue()


def render_json(report: ValidationReport) -> str:
    """The report as JSON: verdict, counts, results and the shapes that matched no target."""
    document = {
        "conforms": report.conforms,
        "counts": {severity: report.count(severity) for severity in SEVERITIES},
        "seconds": round(report.seconds, 3),
        "results": [{**_row(result), "line": result.position.line if result.position else None} for result in report.results],
        "results_per_shape": [{"shape": str(shape), **counts} for shape, counts in _shape_rows(report)],
        "unmatched_shapes": [str(shape) for shape in report.unmatched_shapes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_turtle(report: ValidationReport) -> str:
    """The standard sh:ValidationReport graph in Turtle, results annotated with skg:sourceFile and skg:sourceLine."""
    return report_graph(report).serialize(format="turtle")


def render_jsonld(report: ValidationReport) -> str:
    """The standard sh:ValidationReport graph in JSON-LD."""
    graph = report_graph(report)
    context = {prefix: str(namespace) for prefix, namespace in graph.namespaces() if prefix}
    return graph.serialize(format="json-ld", context=context, indent=2)


# format name -> (media type, renderer): the table the CLI and the web pages choose from.
REPORT_FORMATS: dict[str, tuple[str, Callable[[ValidationReport], str]]] = {
    "text": ("text/plain; charset=utf-8", render_text),
    "html": ("text/html; charset=utf-8", render_html),
    "ttl": ("text/turtle; charset=utf-8", render_turtle),
    "jsonld": ("application/ld+json", render_jsonld),
    "csv": ("text/csv; charset=utf-8", render_csv),
    "json": ("application/json", render_json),
}


def render(report: ValidationReport, format_name: str) -> str:
    """Render the report in one of REPORT_FORMATS; raise KeyError naming the known formats otherwise."""
    if format_name not in REPORT_FORMATS:
        raise KeyError(f"unknown report format {format_name!r}; use one of: {', '.join(REPORT_FORMATS)}")
    return REPORT_FORMATS[format_name][1](report)


def render_diff_text(report_diff: ReportDiff) -> str:
    """What changed since the previous release: new results first, then fixed ones."""
    lines = [f"{len(report_diff.new)} new, {len(report_diff.fixed)} fixed, {report_diff.unchanged} unchanged since the previous release"]
    for heading, results in (("New", report_diff.new), ("Fixed", report_diff.fixed)):
        if results:
            lines.append(f"{heading}:")
            for result in results:
                lines.append(f"  {result.severity} {result.where} {compact(result.source_shape)}: {result.focus_label} <{result.focus_node}>"
                             + (f" {result.path_text}" if result.path_text else ""))
    return "\n".join(lines) + "\n"
