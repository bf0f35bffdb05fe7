"""Compare two validation report graphs: which results are new, and which were fixed, since the previous release."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from spacekg.validate.report import ValidationResult, results_from_graph, sorted_results


@dataclass(frozen=True)
class ReportDiff:
    """Results of the current report absent from the previous one (new), and the reverse (fixed)."""

    new: tuple[ValidationResult, ...]
    fixed: tuple[ValidationResult, ...]
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(self.new or self.fixed)


def diff(previous_report_graph: Graph, current_report_graph: Graph) -> ReportDiff:
    """Match results on focus node, path, source shape and value; messages and lines may change freely."""
    previous = {result.key: result for result in results_from_graph(previous_report_graph)}
    current = {result.key: result for result in results_from_graph(current_report_graph)}
    return ReportDiff(new=sorted_results(r for k, r in current.items() if k not in previous),
                      fixed=sorted_results(r for k, r in previous.items() if k not in current),
                      unchanged=len(previous.keys() & current.keys()))
