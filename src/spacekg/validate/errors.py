"""Errors of the validate stage: data that does not conform, and shapes that cannot be evaluated."""

from __future__ import annotations

from spacekg.errors import SpaceKGError
from spacekg.validate.report import ValidationReport


class DataDoesNotConform(SpaceKGError):
    """At least one sh:Violation: the release is not published (CLI exit code 1)."""

    http_status = 422
    exit_code = 1

    def __init__(self, report: ValidationReport) -> None:
        violations = [result for result in report.results if result.severity == "Violation"]
        first = violations[0] if violations else None
        where = f"; first at {first.where}: {first.message}" if first else ""
        super().__init__(f"the curated data does not conform: {len(violations)} violation(s){where}",
                         "fix the records the validation report lists, then build again")
        self.report = report


def ensure_conforms(report: ValidationReport) -> ValidationReport:
    """Return the report if it has no Violation; raise DataDoesNotConform otherwise."""
    if not report.conforms:
        raise DataDoesNotConform(report)
    return report


class ShapesNotEvaluable(SpaceKGError):
    """The SHACL engine could not evaluate the shapes (e.g. a SPARQL constraint it does not accept)."""

    http_status = 500
    exit_code = 2

    def __init__(self, detail: str) -> None:
        super().__init__(f"the shapes cannot be evaluated: {detail}", "correct the shape the message names in shapes/")
