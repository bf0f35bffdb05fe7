"""Shared fixtures: a real release built from the repository's curated data, in a temporary folder."""

from __future__ import annotations

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
                if requests.get(self.url + "/health", timeout=1).ok:
                    return
            except requests.ConnectionError:
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
    """The built release served by gunicorn with two workers and a 3 s query limit."""
    running = RunningServer("--releases", str(built_release.path.parent), "serve", "--workers", "2", "--timeout", "3")
    yield running.url
    running.stop()


class PatientServer(RunningServer):
    """A RunningServer that waits out a slow first answer instead of failing (and leaking the server).

    RunningServer's start gives /health one second to answer and only retries refused connections; on a
    busy machine the workers may still be booting after that second, and the ReadTimeout then escapes
    with the server left running. Here the wait goes on (up to 60 s more), and a server that never
    answers is stopped before the error is raised.
    """

    def __init__(self, *args: str) -> None:
        try:
            super().__init__(*args)
        except requests.Timeout:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if requests.get(self.url + "/health", timeout=10).ok:
                        return
                except (requests.ConnectionError, requests.Timeout):
                    time.sleep(0.5)
            self.stop()
            raise RuntimeError("server did not answer /health within 60 s") from None
