"""Evaluate queries in a child process that the web worker kills when the time limit passes.

pyoxigraph cannot cancel a running query (evaluation holds no Python checkpoints and ignores
signals), so the only dependable limit is a process boundary: the worker forks a child that holds
the store, sends it jobs over a pipe, and on timeout kills it with SIGKILL and forks a fresh one.
The child shares the in-memory store copy-on-write, so a respawn costs milliseconds.

Long queries yield: a child whose query has run past a short grace period is demoted to a lower
CPU priority, so that short queries (in other children) are not slowed by runaways that will be
killed at the limit anyway.

The child is also sandboxed: a seccomp filter makes creating any IPv4/IPv6 socket fail. pyoxigraph
evaluates SERVICE by making HTTP requests and offers no switch to turn that off, so this is what
guarantees that no query reaches another host, whatever a lexer thinks the query says. If the
filter cannot be installed, the child refuses to evaluate queries (fail closed).
"""

from __future__ import annotations

import errno
import multiprocessing
import multiprocessing.connection
import os
import queue
import resource
import signal
import socket
import threading
import traceback
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess

import pyoxigraph as ox

from spacekg.errors import QueryError, QueryTimeout
from spacekg.namespaces import PREFIXES
from spacekg.store.serving import ServedStore
from spacekg.web import results
from spacekg.web.mediatypes import GRAPH_TYPES


@dataclass(frozen=True)
class QueryJob:
    """Everything the child needs to evaluate one query and write its answer."""

    query: str
    media_type: str  # for SELECT/ASK a result type; for graphs see graph_media_type
    graph_media_type: str
    row_cap: int
    union_default: bool = True
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None  # relative IRIs in the query resolve against the endpoint's URL


@dataclass(frozen=True)
class QueryOutcome:
    body: bytes
    media_type: str
    form: str  # "select", "ask" or "graph"
    rows: int
    truncated: bool
    error: str = ""
    error_status: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    def raise_for_error(self) -> QueryOutcome:
        """This outcome, or the QueryError (with the evaluator's HTTP status) that it reports."""
        if self.error:
            failure = QueryError(self.error)
            failure.http_status = self.error_status or 400
            raise failure
        return self


TRUNCATION_NOTE = "urn:spacekg:result-truncated"
# A query still running after this long is a long one. Its process then runs at a lower CPU priority
# (niceness 5: a third of a normal process's share), so that on a machine with few cores the short
# lookups that make up most traffic still get the CPU at once. Not lower: at niceness 19 (1.5% of a
# share) a legitimate 0.7 s query beside a busy page crawl was starved past a 10 s time limit.
LONG_QUERY_AFTER_S = 0.02
LONG_QUERY_NICENESS = 5


def evaluate(store: ServedStore, job: QueryJob) -> QueryOutcome:
    """Evaluate a job in this process (the child calls it; tests may too)."""
    kwargs: dict[str, object] = {"prefixes": PREFIXES, "base_iri": job.base_iri}
    try:
        # Graph IRIs are checked by the protocol; inside the try, one that slipped through is a 400, not a dead child.
        if job.default_graphs or job.named_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
            if job.named_graphs:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
        elif job.union_default:
            kwargs["use_default_graph_as_union"] = True
        result = store.query(job.query, **kwargs)  # type: ignore[arg-type]
        if isinstance(result, ox.QueryBoolean):
            value = bool(result)
            body = {"application/sparql-results+json": results.ask_json, "application/sparql-results+xml": results.ask_xml}.get(
                job.media_type, results.ask_text)(value)
            return QueryOutcome(body, job.media_type, "ask", 1, False)
        if isinstance(result, ox.QueryTriples):
            triples: list[ox.Triple] = []
            for triple in result:
                if len(triples) == job.row_cap:
                    return _graph_outcome(triples, job, truncated=True)
                triples.append(triple)
            return _graph_outcome(triples, job, truncated=False)
        names = [v.value for v in result.variables]
        rows: list[list[results.Term]] = []
        truncated = False
        for solution in result:
            if len(rows) == job.row_cap:
                truncated = True
                break
            rows.append([solution[name] for name in names])
        links = [TRUNCATION_NOTE] if truncated else []
        writer = {
            "application/sparql-results+json": lambda: results.select_json(names, rows, links),
            "application/sparql-results+xml": lambda: results.select_xml(names, rows, links),
            "text/csv": lambda: results.select_csv(names, rows),
            "text/tab-separated-values": lambda: results.select_tsv(names, rows),
        }[job.media_type]
        return QueryOutcome(writer(), job.media_type, "select", len(rows), truncated)
    except SyntaxError as error:
        return QueryOutcome(b"", "", "", 0, False, error=f"SPARQL syntax error: {error}", error_status=400)
    except PermissionError:
        return QueryOutcome(b"", "", "", 0, False, error="SERVICE is not allowed: this endpoint does not query other endpoints",
                            error_status=403)
    except (OSError, ValueError, RuntimeError) as error:
        return QueryOutcome(b"", "", "", 0, False, error=f"the query could not be evaluated: {error}", error_status=400)


def _graph_outcome(triples: list[ox.Triple], job: QueryJob, truncated: bool) -> QueryOutcome:
    rdf_format = GRAPH_TYPES[job.graph_media_type][1]
    body = ox.serialize(triples, format=rdf_format) or b""
    return QueryOutcome(body, job.graph_media_type, "graph", len(triples), truncated)


def forbid_network() -> str:
    """Make socket(AF_INET/AF_INET6) fail with EACCES in this process; return why it could not, or ''."""
    try:
        import pyseccomp as seccomp

        syscall_filter = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        for family in (socket.AF_INET, socket.AF_INET6):
            syscall_filter.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, family))
        syscall_filter.load()
    except (ImportError, OSError, RuntimeError, ValueError) as error:
        return f"the query sandbox (seccomp) could not be installed: {error}"
    return ""


def limit_memory(extra_mb: int) -> None:
    """Cap this process's address space at its size now plus `extra_mb` (0: no cap).

    The child shares the store with its worker, so the cap is what one query may add on top of it.
    A query that needs more makes an allocation fail and the child die, which the worker reports.
    """
    if extra_mb > 0:
        with open("/proc/self/statm", encoding="ascii") as statm:
            size_now = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        cap = size_now + extra_mb * (1 << 20)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _child_loop(connection: multiprocessing.connection.Connection, store: ox.Store, memory_mb: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sandbox_problem = forbid_network()
    limit_memory(memory_mb)
    while True:
        try:
            job = connection.recv()
        except EOFError:
            os._exit(0)
        if sandbox_problem:
            connection.send(QueryOutcome(b"", "", "", 0, False, error=sandbox_problem + "; queries are refused", error_status=503))
            continue
        try:
            outcome = evaluate(store, job)
        except Exception:  # the child's top level, the one place its errors end
            # A bug must not pass for a dead child ("ended unexpectedly", a 400): it comes back as a 500,
            # with its traceback in the server's log, and the child lives on for the next query.
            traceback.print_exc()
            outcome = QueryOutcome(b"", "", "", 0, False, error="the query process failed on this query; the error was logged",
                                   error_status=500)
        connection.send(outcome)


class QueryExecutor:
    """One child process per web worker; kill-and-respawn enforces the time limit."""

    def __init__(self, store: ox.Store, memory_mb: int = 0) -> None:
        self.store = store
        self.memory_mb = memory_mb
        self._context = multiprocessing.get_context("fork")
        self._process: BaseProcess | None = None
        self._connection: multiprocessing.connection.Connection | None = None
        self._demoted = False
        self.timeouts = 0

    def _ensure_child(self) -> multiprocessing.connection.Connection:
        if self._process is None or not self._process.is_alive() or self._connection is None:
            self.close()
            parent_end, child_end = self._context.Pipe()
            process = self._context.Process(target=_child_loop, args=(child_end, self.store, self.memory_mb), daemon=True)
            process.start()
            child_end.close()
            self._process, self._connection = process, parent_end
        return self._connection

    def run(self, job: QueryJob, timeout_s: float) -> QueryOutcome:
        """Evaluate `job`; raise QueryTimeout after `timeout_s` seconds, leaving a fresh child behind.

        A query still running after LONG_QUERY_AFTER_S has its process demoted to a lower CPU priority
        until it ends, so that short queries arriving meanwhile are not slowed by it.
        """
        connection = self._ensure_child()
        try:
            connection.send(job)
            answered = connection.poll(min(timeout_s, LONG_QUERY_AFTER_S))
            if not answered and timeout_s > LONG_QUERY_AFTER_S:
                self._demote()
                answered = connection.poll(timeout_s - LONG_QUERY_AFTER_S)
            if answered:
                outcome: QueryOutcome = connection.recv()
                self._restore()
            else:
                self.timeouts += 1
                self.close()
                self._respawn()
                raise QueryTimeout(f"the query ran longer than the time limit of {timeout_s:g} s and was stopped",
                                   "add LIMIT, narrow the patterns, or pass a lower timeout to fail sooner")
        except (EOFError, BrokenPipeError, ConnectionResetError) as error:
            self.close()
            limit = f" of {self.memory_mb} MB per query" if self.memory_mb else ""
            raise QueryError(f"the query process ended unexpectedly: the query probably needed more memory than allowed{limit}",
                             "add LIMIT, avoid ORDER BY or DISTINCT over very large results, or narrow the patterns") from error
        return outcome.raise_for_error()

    def _respawn(self) -> None:
        """Fork the next child now, so that it has started (and loaded its sandbox) before the next job comes."""
        try:
            self._ensure_child()
        except OSError:
            pass  # no process could be forked now; the next job tries again and reports what fails

    def _demote(self) -> None:
        if self._process is None or self._process.pid is None:
            return
        try:
            os.setpriority(os.PRIO_PROCESS, self._process.pid, LONG_QUERY_NICENESS)
            self._demoted = True
        except ProcessLookupError:
            pass  # the child has just ended; the poll that follows reads its answer or its end

    def _restore(self) -> None:
        """Give the child back the worker's priority for its next job, or replace it if that is not allowed."""
        if not self._demoted:
            return
        self._demoted = False
        try:
            assert self._process is not None and self._process.pid is not None
            os.setpriority(os.PRIO_PROCESS, self._process.pid, os.getpriority(os.PRIO_PROCESS, 0))
        except (PermissionError, ProcessLookupError):
            # Without CAP_SYS_NICE a process may lower priorities but not raise them again: a fresh
            # child (forked from the worker, at the worker's priority) costs a few milliseconds.
            self.close()

    def close(self) -> None:
        self._demoted = False
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            # A killed child frees its memory at the priority it had: demoted and large (a sort of a cross
            # product holds gigabytes), that can take seconds on a busy machine. It is reaped in the
            # background, so that the answer (a 503 at the limit) does not wait for it.
            threading.Thread(target=self._process.join, name="reap-query-process", daemon=True).start()
        if self._connection is not None:
            self._connection.close()
        self._process, self._connection = None, None


class ExecutorPool:
    """One executor (and child process) per request thread of a worker, handed out one at a time."""

    def __init__(self, store: ox.Store, size: int, memory_mb: int = 0) -> None:
        self._idle: queue.SimpleQueue[QueryExecutor] = queue.SimpleQueue()
        self._all = [QueryExecutor(store, memory_mb) for _ in range(max(1, size))]
        for executor in self._all:
            self._idle.put(executor)

    def run(self, job: QueryJob, timeout_s: float) -> QueryOutcome:
        executor = self._idle.get()
        try:
            return executor.run(job, timeout_s)
        finally:
            self._idle.put(executor)

    @property
    def timeouts(self) -> int:
        return sum(executor.timeouts for executor in self._all)

    def close(self) -> None:
        for executor in self._all:
            executor.close()
