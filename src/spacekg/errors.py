"""The one error hierarchy: every error carries an HTTP status and a CLI exit code.

Exit codes (documented in the README):
  0 success; 1 data does not conform; 2 source data could not be read or mapped;
  64 usage error; 69 no release to serve or query; 70 internal error.
"""

from __future__ import annotations

from dataclasses import dataclass


class SpaceKGError(Exception):
    """Base of all errors SpaceKG raises on purpose."""

    http_status = 500
    exit_code = 70

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


class UsageError(SpaceKGError):
    """A command or request was given arguments that make no sense."""

    http_status = 400
    exit_code = 64


class NoReleaseError(SpaceKGError):
    """There is no built release to query or serve."""

    http_status = 503
    exit_code = 69


class BuildInProgress(SpaceKGError):
    """Another build is publishing into the same releases folder."""

    http_status = 503
    exit_code = 75  # EX_TEMPFAIL: try again later


class QueryTimeout(SpaceKGError):
    """The query ran past its time limit and was stopped (or, in a remote store, no longer waited for)."""

    http_status = 503
    exit_code = 70


class QueryError(SpaceKGError):
    """A SPARQL query could not be parsed or evaluated."""

    http_status = 400
    exit_code = 64
