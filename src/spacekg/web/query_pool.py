"""Evaluate queries in a child process that the web worker kills when the time limit passes.

pyoxigraph cannot cancel a running query (evaluation holds no Python checkpoints and ignores
signals), so the only dependable limit is a process boundary: the worker forks a child that holds
the store, sends it jobs over a pipe, and on timeout kills it with SIGKILL and forks a fresh one.
The child shares the in-memory store copy-on-write, so a respawn costs milliseconds.

Long queries yield: a child whose query has run past a short grace period is demoted to a lower
CPU priority, so that short queries (in other children) are not slowed by runaways that will be
killed at the limit anyway.

The child is also sandboxed (sandbox.py): it cannot open network sockets, and its memory is capped.
If the sandbox cannot be installed, the child refuses to evaluate queries (fail closed).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import multiprocessing.util
import os
import queue
import signal
import threading
import traceback
import weakref
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.process import BaseProcess

import pyoxigraph as ox

from spacekg.errors import QueryError, QueryProcessFailed, QueryProcessKilled, QueryTimeout, SandboxUnavailable, ServerBusy
from spacekg.web.evaluation import QueryJob, QueryOutcome, evaluate
from spacekg.web.sandbox import die_with_parent, drop_inherited_sockets, forbid_network, limit_memory

# A query still running after this long is a long one. Its process then runs at a lower CPU priority
# (niceness 5: a third of a normal process's share), so that on a machine with few cores the short
# lookups that make up most traffic still get the CPU at once. Not lower: at niceness 19 (1.5% of a
# share) a legitimate 0.7 s query beside a busy page crawl was starved past a 10 s time limit.
LONG_QUERY_AFTER_S = 0.02
LONG_QUERY_NICENESS = 5
IDLE_EXIT_S = 2.0  # how long an idle child may take to exit by itself before it is killed


log = logging.getLogger(__name__)

# The worker's ends of every query process's pipe. A child is forked with copies of all of them; it closes
# them first, or its own pipe (and its siblings') would never reach end-of-file when the worker closes its
# end or dies, and idle children would outlive their worker.
# The lock is held while a child is forked and while a worker end is closed: a child forked while another
# thread closes an end would see a descriptor that is closed (or already reused by a new pipe) under its name.
_WORKER_ENDS: weakref.WeakSet[multiprocessing.connection.Connection] = weakref.WeakSet()
_FORK_LOCK = threading.Lock()
_CHILDREN: weakref.WeakSet[BaseProcess] = weakref.WeakSet()  # this process's query processes, for its exit
_EXIT_HOOK_PID: int | None = None


def _kill_children_at_exit() -> None:
    """Kill this worker's query processes as it exits, at once.

    multiprocessing would send each SIGTERM and wait for it; a process forked a moment before still has the worker's
    SIGTERM handler, ignores the signal, and the worker would wait until its master kills it (30 s on a busy stop).
    """
    for process in list(_CHILDREN):
        with contextlib.suppress(ProcessLookupError, AssertionError):
            if process.is_alive():
                process.kill()
                process.join(1.0)


def _at_exit_kill_children() -> None:
    """Register the exit hook once per process (a forked worker starts with none: multiprocessing clears them)."""
    global _EXIT_HOOK_PID
    if _EXIT_HOOK_PID != os.getpid():
        _EXIT_HOOK_PID = os.getpid()
        multiprocessing.util.Finalize(None, _kill_children_at_exit, exitpriority=100)  # before multiprocessing's own clean-up


def _child_loop(connection: multiprocessing.connection.Connection, store: ox.Store, memory_mb: int, worker: int) -> None:
    die_with_parent(worker)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for inherited in list(_WORKER_ENDS):
        with contextlib.suppress(OSError):  # closed by the worker as it forked this child: nothing left to close
            inherited.close()
    drop_inherited_sockets(keep=connection.fileno())
    sandbox_problem = forbid_network()
    limit_memory(memory_mb)
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return  # the worker closed the pipe: end like any process whose work is done
        if sandbox_problem:
            connection.send(QueryOutcome.failed(SandboxUnavailable(sandbox_problem + "; queries are refused",
                                                                   "run the server on Linux with seccomp available")))
            continue
        try:
            outcome = evaluate(store, job)
        except Exception:  # the child's top level, the one place its errors end
            # A bug must not pass for a dead child ("ended unexpectedly", a 400): it comes back as a 500,
            # with its traceback in the server's log, and the child lives on for the next query.
            traceback.print_exc()
            outcome = QueryOutcome.failed(QueryProcessFailed("the query process failed on this query; the error was logged"))
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
            self._process, self._connection = _forker().submit(self._fork).result()
        return self._connection

    def _fork(self) -> tuple[BaseProcess, multiprocessing.connection.Connection]:
        """Start a child (on the forker thread, which lives as long as the worker: see `_forker`)."""
        with _FORK_LOCK:
            parent_end, child_end = self._context.Pipe()
            _WORKER_ENDS.add(parent_end)
            process = self._context.Process(target=_child_loop, args=(child_end, self.store, self.memory_mb, os.getpid()), daemon=True)
            _at_exit_kill_children()
            process.start()
            _CHILDREN.add(process)
            child_end.close()
        return process, parent_end

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
            raise self._ended() from error
        return outcome.raise_for_error()

    def _ended(self) -> QueryError | QueryProcessKilled | QueryProcessFailed:
        """The error for a child that ended in the middle of a query, told apart by how it ended, and logged."""
        process = self._process
        if process is not None:
            process.join(1.0)  # its pipe closes as it dies: give the kernel a moment to report how
        code = process.exitcode if process is not None else None
        self.close()
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        log.warning("query process %s ended during a query: %s", process.pid if process else "?", how)
        if code == -signal.SIGKILL:
            return QueryProcessKilled("the query process was killed from outside (the machine ran out of memory, or an operator "
                                      "stopped it); the server goes on", "try again in a moment; if it happens again, narrow the query")
        if code == -signal.SIGABRT:  # Rust aborts when an allocation fails: the per-query memory cap was reached
            limit = f" of {self.memory_mb} MB per query" if self.memory_mb else ""
            return QueryError(f"the query needed more memory than allowed{limit}",
                              "add LIMIT, avoid ORDER BY or DISTINCT over very large results, or narrow the patterns")
        return QueryProcessFailed(f"the query process ended unexpectedly ({how}); "
                                  "the error was logged")

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
            ending = self.close(idle=True)
            if ending is not None:
                threading.Thread(target=_reap, args=(ending,), name="reap-query-process", daemon=True).start()

    def close(self, idle: bool = False) -> BaseProcess | None:
        """Stop the child: at once (a query may be running), or, when `idle`, by closing its pipe.

        An idle child reads the end of its pipe and ends by itself (writing, for one, the coverage data it
        holds); the caller reaps it with `_reap`, which kills it if it has not ended within IDLE_EXIT_S.
        A killed child is reaped here, in the background. Returns the idle child that is ending, if any.
        """
        self._demoted = False
        process, connection = self._process, self._connection
        self._process, self._connection = None, None
        if connection is not None:
            with _FORK_LOCK:
                connection.close()
        if process is None or not process.is_alive():
            return None
        if idle:
            return process
        process.kill()
        # A killed child frees its memory at the priority it had: demoted and large (a sort of a cross
        # product holds gigabytes), that can take seconds on a busy machine. It is reaped in the
        # background, so that the answer (a 503 at the limit) does not wait for it.
        threading.Thread(target=process.join, name="reap-query-process", daemon=True).start()
        return None


_FORKER: tuple[int, ThreadPoolExecutor] | None = None
_FORKER_LOCK = threading.Lock()


def _forker() -> ThreadPoolExecutor:
    """The one thread of this process that forks query processes.

    A query process asks the kernel to kill it when the thread that forked it ends (PR_SET_PDEATHSIG, see
    sandbox.die_with_parent): forked from a request thread, it would die with that thread; forked from this one,
    which lives as long as the worker, it dies exactly with the worker. Made anew in a forked process (threads do
    not survive a fork).
    """
    global _FORKER
    with _FORKER_LOCK:
        if _FORKER is None or _FORKER[0] != os.getpid():
            _FORKER = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="spacekg-query-forker"))
        return _FORKER[1]


def _reap(process: BaseProcess) -> None:
    """Wait for an idle child to end by itself; kill it if it has not within IDLE_EXIT_S."""
    process.join(IDLE_EXIT_S)
    if process.is_alive():
        process.kill()
        process.join()


class ExecutorPool:
    """A worker's query processes, handed out one at a time; a query waits at most `wait_s` for one (admission control).

    Requests that need no query process (health, metrics, cached answers, static files) never wait here, so a
    flood of slow queries delays them by nothing; the queries beyond what the processes can take get a 503
    with Retry-After instead of a queue that grows without bound.
    """

    def __init__(self, store: ox.Store, size: int, memory_mb: int = 0, wait_s: float = 5.0) -> None:
        self.wait_s = wait_s
        self._idle: queue.SimpleQueue[QueryExecutor] = queue.SimpleQueue()
        self._all = [QueryExecutor(store, memory_mb) for _ in range(max(1, size))]
        for executor in self._all:
            self._idle.put(executor)

    def run(self, job: QueryJob, timeout_s: float) -> QueryOutcome:
        try:
            executor = self._idle.get(timeout=self.wait_s)
        except queue.Empty:
            raise ServerBusy(f"all {len(self._all)} query processes of this worker stayed busy for {self.wait_s:g} s",
                             "try again in a few seconds (see Retry-After); cheaper queries free them sooner") from None
        try:
            return executor.run(job, timeout_s)
        finally:
            self._idle.put(executor)

    @property
    def timeouts(self) -> int:
        return sum(executor.timeouts for executor in self._all)

    def close(self) -> None:
        """Stop every child and wait for them: they are idle (a retired release's last request has ended), so each
        ends by itself as soon as its pipe is closed, all at once."""
        ending = [process for executor in self._all if (process := executor.close(idle=True)) is not None]
        for process in ending:
            _reap(process)
