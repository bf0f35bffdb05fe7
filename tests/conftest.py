"""Shared fixtures: a real release built from the repository's curated data, in a temporary folder."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from spacekg.pipeline import build
from spacekg.settings import Settings, load_settings
from spacekg.store.releases import Release

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"


@pytest.fixture(scope="session")
def built_release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """One build of the real curated data, shared by the tests that only read it."""
    settings = load_settings({}, project_dir=PROJECT, releases_dir=tmp_path_factory.mktemp("releases"))
    return build(settings)


@pytest.fixture(scope="session")
def release_store(built_release: Release) -> Iterator[ox.Store]:
    yield built_release.open_store()


@pytest.fixture
def project_copy(tmp_path: Path) -> Settings:
    """A writable copy of the project's ontology, data and queries, for tests that break things."""
    for folder in ("ontology", "data", "queries", "shapes"):
        shutil.copytree(PROJECT / folder, tmp_path / folder)
    return load_settings({}, project_dir=tmp_path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RunningServer:
    """`spacekg serve` in a child process on 127.0.0.1, stopped by `stop()`."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Standard error goes to a file, not a pipe: a busy server's log lines would fill an unread pipe and block it.
        self.stderr_file = tempfile.TemporaryFile()
        self.stderr_text = ""
        self.process = subprocess.Popen([sys.executable, "-m", "spacekg.cli", *args, "--port", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=self.stderr_file, cwd=PROJECT,
                                        env={**os.environ, "PYTHONWARNINGS": "ignore"})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stderr_file.seek(0)
                message = self.stderr_file.read().decode(errors="replace")
                self.stderr_file.close()
                raise RuntimeError(f"server exited: {message}")
            try:
                if requests.get(self.url + "/health", timeout=5).ok:
                    return
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or workers still booting on a busy machine
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start within 60 s")

    def stop(self, keep_stderr: bool = False) -> None:
        """Stop the server; with `keep_stderr`, what it wrote to standard error is kept in `stderr_text`."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if keep_stderr:
            self.stderr_file.seek(0)
            self.stderr_text = self.stderr_file.read().decode(errors="replace")
        self.stderr_file.close()


@pytest.fixture(scope="session")
def server(built_release: Release) -> Iterator[str]:
    """The built release served by gunicorn with two workers and a 10 s query limit (legitimate long queries must not fail on a busy machine)."""
    running = RunningServer("--releases", str(built_release.path.parent), "serve", "--workers", "2", "--timeout", "10")
    yield running.url
    running.stop()


ARTIFACTS = PROJECT / "test-artifacts"
SPACEKG = Path(sys.executable).parent / "spacekg"  # the console script of this environment


class BuildRun:
    """A finished `spacekg build` child: exit code, standard error, wall time and peak resident memory."""

    def __init__(self, code: int, stderr: str, seconds: float, peak_rss_mib: float) -> None:
        self.code, self.stderr, self.seconds, self.peak_rss_mib = code, stderr, seconds, peak_rss_mib


def run_cli_build(project: Path, timeout: float = 300) -> BuildRun:
    """Run the `spacekg build` console script in `project` and wait for it, measuring its own peak RSS (wait4)."""
    with tempfile.TemporaryFile() as stderr:
        started = time.monotonic()
        process = subprocess.Popen([str(SPACEKG), "--project", str(project), "build"], stdout=subprocess.DEVNULL, stderr=stderr,
                                   cwd=project, env={**os.environ, "PYTHONWARNINGS": "ignore"}, start_new_session=True)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                os.wait4(process.pid, 0)
                raise AssertionError(f"spacekg build took longer than {timeout} s")
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        stderr.seek(0)
        # ru_maxrss is in KiB on Linux
        return BuildRun(process.returncode, stderr.read().decode(errors="replace"), time.monotonic() - started, usage.ru_maxrss / 1024)


def release_fingerprint(releases_dir: Path) -> dict[str, str]:
    """SHA-256 of every file under the releases folder, and where each link points."""
    prints = {}
    for path in sorted(releases_dir.rglob("*")):
        name = str(path.relative_to(releases_dir))
        if path.is_symlink():
            prints[name] = "-> " + os.readlink(path)
        elif path.is_file():
            prints[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return prints


def record_figures(section: str, figures: dict[str, object]) -> None:
    """Merge one test's figures into test-artifacts/faults.json (quoted by BENCHMARKS.md)."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "faults.json"
    recorded = json.loads(target.read_text(encoding="utf-8")) if target.exists() else {}
    recorded.setdefault(section, {}).update(figures)
    target.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n", encoding="utf-8")
