"""Evaluate one SPARQL protocol job against a store and write its answer in the format it asks for.

The query process (query_pool) calls `evaluate` for the embedded store; the remote runner calls it for
a remote store. Errors travel back as data: the name of a class of spacekg.errors and a message, so
that the class alone decides the HTTP status (`QueryOutcome.raise_for_error`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from spacekg import formats
from spacekg.errors import Forbidden, QueryError, SpaceKGError, by_name
from spacekg.formats.results import Term
from spacekg.namespaces import PREFIXES
from spacekg.store.querying import term_from_text
from spacekg.store.serving import ServedStore
from spacekg.store.syntax_errors import syntax_error

TRUNCATION_NOTE = "urn:spacekg:result-truncated"
COUNT_CHECK = 1024  # rows counted between looks at the clock


@dataclass(frozen=True)
class QueryJob:
    """Everything the query process needs to evaluate one query and write its answer."""

    query: str
    media_type: str  # for SELECT/ASK a results format; for graphs see graph_media_type
    graph_media_type: str
    row_cap: int
    union_default: bool = True
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None  # relative IRIs in the query resolve against the endpoint's URL
    byte_cap: int = 0  # the answer stops (truncated) before its terms pass this many bytes; 0: no cap
    # Past the cap, go on counting (not keeping) rows up to this many in all, for "the first N of M"; 0: stop at the cap.
    count_to: int = 0
    count_within_s: float = 0.0  # counting ends this long after the query started, however far it got
    bindings: tuple[tuple[str, str], ...] = ()  # (variable, value as spacekg query --param reads it) bound before evaluation


@dataclass(frozen=True)
class QueryOutcome:
    """The answer to a job, or the error it ended with (the class name of a SpaceKGError, its message and hint)."""

    body: bytes
    media_type: str
    form: str  # "select", "ask" or "graph"
    rows: int
    truncated: bool
    error_class: str = ""
    error: str = ""
    hint: str = ""
    counted: int = 0  # rows seen in all, the truncated ones included (at least rows + 1 when truncated)
    counted_all: bool = False  # counted is the answer's full size

    @classmethod
    def failed(cls, error: SpaceKGError) -> QueryOutcome:
        """The outcome that reports `error` (whose class must take (message, hint), as the query errors do)."""
        return cls(b"", "", "", 0, False, type(error).__name__, error.message, error.hint)

    def raise_for_error(self) -> QueryOutcome:
        """This outcome, or the error it reports, raised again as its own class."""
        if self.error_class:
            raise by_name(self.error_class)(self.error, self.hint)
        return self


def evaluate(store: ServedStore, job: QueryJob) -> QueryOutcome:
    """Evaluate a job in this process (the query process calls it; so does the remote runner)."""
    started = time.monotonic()
    kwargs: dict[str, object] = {"prefixes": PREFIXES, "base_iri": job.base_iri}
    try:
        if job.bindings:  # the CLI's substitution (run_canned), so a canned query answers the same on the web
            kwargs["substitutions"] = {ox.Variable(name): term_from_text(value) for name, value in job.bindings}
        # Graph IRIs are checked by the protocol; inside the try, one that slipped through is a 400, not a dead process.
        if job.default_graphs or job.named_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
            if job.named_graphs:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
        elif job.union_default:
            kwargs["use_default_graph_as_union"] = True
        result = store.query(job.query, **kwargs)  # type: ignore[arg-type]
        if isinstance(result, ox.QueryBoolean):
            writer = formats.by_media_type(job.media_type)
            assert writer.write_ask is not None
            return QueryOutcome(writer.write_ask(bool(result)), job.media_type, "ask", 1, False, counted=1, counted_all=True)
        if isinstance(result, ox.QueryTriples):
            triples: list[ox.Triple] = []
            size = 0
            for triple in result:
                size += _size(triple) + 4
                if len(triples) == job.row_cap or (job.byte_cap and size > job.byte_cap):
                    return _graph_outcome(triples, job, _count_rest(result, len(triples) + 1, job, started))
                triples.append(triple)
            return _graph_outcome(triples, job, None)
        return _select_outcome(result, job, started)
    except SpaceKGError as error:  # e.g. a result format that cannot carry the answer
        return QueryOutcome.failed(error)
    except SyntaxError as error:
        return QueryOutcome.failed(syntax_error(job.query, error))
    except PermissionError:  # the sandbox refused a socket: SERVICE reached evaluation
        return QueryOutcome.failed(Forbidden("SERVICE is not allowed: this endpoint does not query other endpoints", "remove the SERVICE clause"))
    except (OSError, ValueError, RuntimeError) as error:
        return QueryOutcome.failed(QueryError(f"the query could not be evaluated: {error}"))


def _size(term: Term) -> int:
    """About what a term costs in any results format: its text (an estimate that errs on the side of the cap)."""
    return 0 if term is None else len(str(term).encode())


def _count_rest(result: Iterator[object], seen: int, job: QueryJob, started: float) -> tuple[int, bool]:
    """Count the rows left past the cap without keeping them, within the job's row and time bounds.

    Returns (rows seen in all, whether that is all of them). Counting costs about a microsecond a row (measured over
    the curated release), so the time bound is what stops a runaway; it is checked every COUNT_CHECK rows.
    """
    if seen >= job.count_to:
        return seen, False
    deadline = started + job.count_within_s
    for _ in result:
        seen += 1
        if seen >= job.count_to or (seen % COUNT_CHECK == 0 and time.monotonic() > deadline):
            return seen, False
    return seen, True


def _select_outcome(result: ox.QuerySolutions, job: QueryJob, started: float) -> QueryOutcome:
    names = [v.value for v in result.variables]
    rows: list[list[Term]] = []
    counted: tuple[int, bool] | None = None  # set when the cap stopped the answer
    size = 0
    for solution in result:
        row = [solution[name] for name in names]
        size += sum(_size(term) for term in row) + 16
        if len(rows) == job.row_cap or (job.byte_cap and size > job.byte_cap):
            counted = _count_rest(result, len(rows) + 1, job, started)
            break
        rows.append(row)
    writer = formats.by_media_type(job.media_type).write_select
    assert writer is not None
    body = writer(names, rows, [TRUNCATION_NOTE] if counted else [])
    total, complete = counted or (len(rows), True)
    return QueryOutcome(body, job.media_type, "select", len(rows), counted is not None, counted=total, counted_all=complete)


def _graph_outcome(triples: list[ox.Triple], job: QueryJob, counted: tuple[int, bool] | None) -> QueryOutcome:
    body = formats.by_media_type(job.graph_media_type).write_graph(triples)
    total, complete = counted or (len(triples), True)
    return QueryOutcome(body, job.graph_media_type, "graph", len(triples), counted is not None, counted=total, counted_all=complete)
