"""Stage 3: SHACL validation of the asserted graph, reported against the curated files."""

from spacekg.validate.diff import ReportDiff, diff
from spacekg.validate.engine import load_shapes, validate
from spacekg.validate.positions import turtle_positions
from spacekg.validate.render import REPORT_FORMATS, render, render_diff_text
from spacekg.validate.report import ValidationReport, ValidationResult, ensure_conforms, report_graph, results_from_graph

__all__ = ["REPORT_FORMATS", "ReportDiff", "ValidationReport", "ValidationResult", "diff", "ensure_conforms",
           "load_shapes", "render", "render_diff_text", "report_graph", "results_from_graph", "turtle_positions", "validate"]
