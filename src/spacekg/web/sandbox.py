"""The query process's sandbox: no network sockets, a memory cap on what one query may allocate, and no life after its worker.

pyoxigraph evaluates SERVICE by making HTTP requests and offers no switch to turn that off, so a
seccomp filter that makes creating any IPv4/IPv6 socket fail is what guarantees that no query reaches
another host, whatever a lexer thinks the query says.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import resource
import signal
import socket
import stat

PR_SET_PDEATHSIG = 1  # linux/prctl.h


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


def drop_inherited_sockets(keep: int) -> None:
    """Point every socket this process inherited from its worker, except the descriptor `keep`, at /dev/null.

    A forked process holds a copy of each socket its worker had open: the listening socket and every client
    connection. While a copy lives, closing a connection in the worker (say, a client too slow to send its
    headers) sends the client nothing, and a listening socket outlives its server. The descriptors are
    overwritten rather than closed so that their numbers stay taken: an inherited Python object that still names
    one cannot close a file opened later under the same number (the store's files are not sockets and stay).
    """
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for name in os.listdir("/proc/self/fd"):
            descriptor = int(name)
            if descriptor in (keep, null):
                continue
            try:
                is_socket = stat.S_ISSOCK(os.fstat(descriptor).st_mode)
            except OSError:
                continue  # the descriptor of the listing itself, closed by now
            if is_socket:
                os.dup2(null, descriptor)
    except FileNotFoundError:
        pass  # no /proc (not Linux): the copies stay, as they would anywhere else
    finally:
        os.close(null)


def limit_memory(extra_mb: int) -> None:
    """Cap this process's address space at its size now plus `extra_mb` (0: no cap).

    The query process shares the store with its worker, so the cap is what one query may add on top of
    it. A query that needs more makes an allocation fail and the process die, which the worker reports.
    """
    if extra_mb > 0:
        with open("/proc/self/statm", encoding="ascii") as statm:
            size_now = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        cap = size_now + extra_mb * (1 << 20)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when the thread that forked it ends, and end now if that has already
    happened (`parent` is the worker's pid as the worker saw it before forking).

    A worker killed with SIGKILL (or by the OOM killer) closes no pipe in time and runs no clean-up: without this,
    a busy query process runs on past its time limit and an idle one waits for a job forever. Linux only (prctl);
    elsewhere the pipe's end-of-file is the only signal. The kernel watches the forking *thread*, so the worker
    forks from one thread that lives as long as it does (query_pool._forker).
    """
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    libc = ctypes.CDLL(libc_name, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return
    if os.getppid() != parent:  # the worker died between the fork and the prctl
        os._exit(0)
