"""The one error hierarchy: every error SpaceKG raises on purpose, each with its HTTP status and CLI exit code.

Code raises these; `spacekg.web.errors` turns them into HTTP answers and `spacekg.cli.exit_code` into
exit codes, reading the two class attributes and nothing else. A query process sends back the name
of the class it raised (`by_name` finds it again), so the class alone decides the status.

Exit codes (documented in the README):
  0 success; 1 data does not conform (SHACL violation or a contradiction found by reasoning);
  2 source data could not be read or mapped; 64 usage error; 69 no release to serve or query, or a
  remote store that cannot be reached; 70 internal error; 75 another build is publishing (try again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class SpaceKGError(Exception):
    """Base of all errors SpaceKG raises on purpose."""

    http_status = 500
    exit_code = 70
    retry_after_s: int | None = None  # an HTTP answer tells the client when to try again (Retry-After), if set

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.hint}" if self.hint else self.message


@dataclass(frozen=True)
class SourcePosition:
    """Where in the curated sources something was written (1-based line, 0 for the whole file; column name or number)."""

    path: str
    line: int
    column: str = ""

    def __str__(self) -> str:
        return (f"{self.path}:{self.line}" if self.line else self.path) + (f": column {self.column}" if self.column else "")


# --- curated sources (exit 2) ----------------------------------------------------------------------

class SourceDataError(SpaceKGError):
    """A curated file cannot be read or mapped: malformed, unknown column, bad date, dangling reference."""

    http_status = 400
    exit_code = 2

    def __init__(self, position: SourcePosition, message: str, hint: str = "") -> None:
        super().__init__(f"{position}: {message}", hint)
        self.position = position


class SourceDataErrors(SpaceKGError):
    """Several source data errors, reported together so a curator can fix them in one pass."""

    http_status = 400
    exit_code = 2

    def __init__(self, errors: list[SourceDataError]) -> None:
        super().__init__(f"{len(errors)} error(s) in the curated sources")
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors) + f"\n{len(self.errors)} error(s); nothing was published."


class ShapesNotEvaluable(SpaceKGError):
    """The SHACL engine could not evaluate the shapes (e.g. a SPARQL constraint it does not accept)."""

    http_status = 500
    exit_code = 2

    def __init__(self, detail: str) -> None:
        super().__init__(f"the shapes cannot be evaluated: {detail}", "correct the shape the message names in shapes/")


# --- the data does not conform (exit 1) ------------------------------------------------------------

class _Result(Protocol):
    @property
    def severity(self) -> str: ...

    @property
    def where(self) -> str: ...

    @property
    def message(self) -> str: ...


class _Report(Protocol):
    """What this module needs of a spacekg.validate.ValidationReport (a protocol, so that errors imports nothing of ours)."""

    @property
    def results(self) -> Sequence[_Result]: ...


class DataDoesNotConform(SpaceKGError):
    """At least one sh:Violation: the release is not published (CLI exit code 1)."""

    http_status = 422
    exit_code = 1

    def __init__(self, report: _Report) -> None:
        violations = [result for result in report.results if result.severity == "Violation"]
        first = violations[0] if violations else None
        where = f"; first at {first.where}: {first.message}" if first else ""
        super().__init__(f"the curated data does not conform: {len(violations)} violation(s){where}",
                         "fix the records the validation report lists, then build again")
        self.report = report


class Describable(Protocol):
    """What this module needs of a spacekg.reason.Clash."""

    def to_text(self) -> str: ...


class InconsistencyError(SpaceKGError):
    """Reasoning found a contradiction: the data does not conform to the ontology."""

    http_status = 500
    exit_code = 1
    MESSAGE_LIMIT = 20  # clashes spelled out in the message; all are on the error object

    def __init__(self, clashes: Sequence[Describable]) -> None:
        shown = "\n".join(clash.to_text() for clash in clashes[:self.MESSAGE_LIMIT])
        more = f"\n... and {len(clashes) - self.MESSAGE_LIMIT} more" if len(clashes) > self.MESSAGE_LIMIT else ""
        super().__init__(f"reasoning found {len(clashes)} contradiction(s) between the data and the ontology:\n{shown}{more}",
                         "correct the records at the lines shown (or the ontology axiom, if it is the axiom that is wrong)")
        self.clashes = list(clashes)


# --- usage: what a command or a request asked for (exit 64, 4xx) -----------------------------------

class UsageError(SpaceKGError):
    """A command or request was given arguments that make no sense."""

    http_status = 400
    exit_code = 64


class QueryError(UsageError):
    """A SPARQL query could not be parsed or evaluated."""


class NotInferredError(UsageError):
    """An explanation was asked for a triple that is not in the inferred graph."""

    http_status = 404

    def __init__(self, message: str, hint: str = "", position: SourcePosition | None = None) -> None:
        super().__init__(message, hint)
        self.position = position


class Forbidden(UsageError):
    """The request asks for something this read-only endpoint never does (update, LOAD, SERVICE)."""

    http_status = 403


class NotAcceptable(UsageError):
    """None of the media types the client accepts (or the format it named) is available for this answer."""

    http_status = 406


class PayloadTooLarge(UsageError):
    """The query or request body is over the size limit."""

    http_status = 413


class RequestTimeout(UsageError):
    """The request's body did not arrive within the server's time limit (a slow or stalled client)."""

    http_status = 408


class UnsupportedMediaType(UsageError):
    """The request body's Content-Type or charset is not one the endpoint reads."""

    http_status = 415


# --- nothing to serve, or a store that cannot be reached (exit 69, 5xx) ------------------------------

class NoReleaseError(SpaceKGError):
    """There is no built release to query or serve."""

    http_status = 503
    exit_code = 69


class ExplanationsUnavailable(SpaceKGError):
    """The server serves RDF files rather than a release, so it has no derivations to show."""

    http_status = 404
    exit_code = 69


class RemoteStoreError(SpaceKGError):
    """The remote store could not be reached, or refused what SpaceKG sent it."""

    http_status = 502
    exit_code = 69


# --- the query process (5xx) --------------------------------------------------------------------------

class QueryTimeout(SpaceKGError):
    """The query ran past its time limit and was stopped (or, in a remote store, no longer waited for)."""

    http_status = 503
    exit_code = 70


class SandboxUnavailable(SpaceKGError):
    """The query process could not install its network sandbox, so it refuses to evaluate queries (fail closed)."""

    http_status = 503
    exit_code = 70


class ServerBusy(SpaceKGError):
    """Every query process of the worker stayed busy for longer than a query may wait for one: try again later."""

    http_status = 503
    exit_code = 75  # EX_TEMPFAIL
    retry_after_s = 5


class QueryProcessKilled(SpaceKGError):
    """The query process was killed from outside (the machine's out-of-memory killer, or an operator): logged, answered
    as a 503, since the same query may well succeed in a moment."""

    http_status = 503
    exit_code = 70


class QueryProcessFailed(SpaceKGError):
    """The query process failed on a query for a reason of its own (a bug): logged, answered as a 500."""

    http_status = 500
    exit_code = 70


# --- builds and the code itself (exit 70, 75) --------------------------------------------------------

class BuildInProgress(SpaceKGError):
    """Another build is publishing into the same releases folder."""

    http_status = 503
    exit_code = 75  # EX_TEMPFAIL: try again later


class ReleaseNotWritable(SpaceKGError):
    """The releases folder cannot be written (no space, no permission, a file in the way)."""

    http_status = 500
    exit_code = 70


class UnsupportedAxiomError(SpaceKGError):
    """The ontology uses an OWL construct whose rule the explanation engine does not implement."""

    http_status = 500
    exit_code = 70


def all_error_classes() -> list[type[SpaceKGError]]:
    """SpaceKGError and every subclass, depth first (what the error tests walk)."""
    found: list[type[SpaceKGError]] = []

    def visit(cls: type[SpaceKGError]) -> None:
        found.append(cls)
        for sub in cls.__subclasses__():
            visit(sub)

    visit(SpaceKGError)
    return found


def by_name(name: str) -> type[SpaceKGError]:
    """The error class called `name` (a query process names the class it raised); SpaceKGError if unknown."""
    return next((cls for cls in all_error_classes() if cls.__name__ == name), SpaceKGError)
