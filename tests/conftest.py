"""Shared fixtures.

Code tests run on the tiny project (tests/resources/tiny: a verbatim subset of the curated rows, with
the repository's ontology, shapes and queries), so that a curator adding a correct row to data/ never
breaks them:

- `built_tiny`: one release of the tiny project, built once per session; `tiny_store` opens it.
- `app` / `client`: the whole Flask app (`create_app`) over that release, in this process, with its real
  query processes; most endpoint, linked-data, page and error tests go through `client`.
- `tiny_project`: a writable copy of the tiny project for a test that breaks or edits it;
  `published_project`: the same with one good release already built (built once per session).
- `tiny_server`: `spacekg serve` (granian) over the tiny release, for tests where the process and the
  socket are the point (third-party clients, timeouts, load, replicas, a browser). Marked `server`.
- `jena`: Apache Jena's SHACL engine (skips where Java or Jena is missing).
- `curated_release`: one build of the real data/, for the checks *about* the curated data only
  (tests/test_data_acceptance*.py), which read their expectations from the data itself.
"""

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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from spacekg.errors import UsageError
from spacekg.pipeline import build
from spacekg.queries import CannedQuery, load_catalogue
from spacekg.settings import Settings, load_settings
from spacekg.store.querying import run_canned, solutions_as_rows
from spacekg.store.releases import LAST_ATTEMPT, Release
from spacekg.validate.engine import ShaclEngine, choose_engine
from spacekg.web import create_app

pytest_plugins = ["browsing", "grouping", "tracing"]  # browser fixtures; how workers share the tests; where coverage does not trace


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--long-form", action="store_true",
                     help="run the load and runaway tests at their benchmark length (60 s of load, 3 rounds of 4 s) instead of "
                          "the few seconds that prove the point; BENCHMARKS.md quotes these runs")


@pytest.fixture(scope="session")
def long_form(request: pytest.FixtureRequest) -> bool:
    """Whether this run measures (pytest --long-form) rather than only checks."""
    return bool(request.config.getoption("--long-form"))


PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
TINY = Path(__file__).resolve().parent / "resources" / "tiny"
SHARED_FOLDERS = ("ontology", "shapes", "queries")  # the tiny project uses the repository's own


def tiny_settings(releases_dir: Path, **overrides: Any) -> Settings:
    """Settings of the tiny project as it lies in the repository (read-only: its data/ is tests/resources/tiny/data)."""
    folders = {f"{name}_dir": PROJECT / name for name in SHARED_FOLDERS}
    return load_settings({}, project_dir=TINY, releases_dir=releases_dir, **{**folders, **overrides})


def copy_tiny_project(target: Path) -> Settings:
    """A writable copy of the tiny project at `target`: its data/, and the repository's ontology/, shapes/ and queries/."""
    shutil.copytree(TINY / "data", target / "data")
    for name in SHARED_FOLDERS:
        shutil.copytree(PROJECT / name, target / name)
    return load_settings({}, project_dir=target)


@pytest.fixture(scope="session")
def built_tiny(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """One build of the tiny project, shared by every test that only reads it."""
    return build(tiny_settings(tmp_path_factory.mktemp("tiny-releases")))


@pytest.fixture(scope="session")
def tiny_store(built_tiny: Release) -> ox.Store:
    return built_tiny.open_store()


@pytest.fixture(scope="session")
def jena(tmp_path_factory: pytest.TempPathFactory) -> ShaclEngine:
    """Apache Jena's SHACL engine, or the test is skipped where it cannot run."""
    try:
        engine, _ = choose_engine("jena", tmp_path_factory.mktemp("cache"))
    except UsageError as error:
        pytest.skip(f"Apache Jena cannot run here: {error.message}")
    return engine


@pytest.fixture
def tiny_project(tmp_path: Path) -> Settings:
    """A writable copy of the tiny project, for tests that break or edit it."""
    return copy_tiny_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_tiny_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the tiny project with one good release in its own var/releases, built once per session."""
    settings = copy_tiny_project(tmp_path_factory.mktemp("built-tiny") / "project")
    build(settings)
    return settings.project_dir


@pytest.fixture
def published_project(built_tiny_project: Path, tmp_path: Path) -> Settings:
    """A writable copy of `built_tiny_project`, its good release included, for one test to edit, break or rebuild."""
    copy = tmp_path / "project"
    shutil.copytree(built_tiny_project, copy, symlinks=True)
    return load_settings({}, project_dir=copy)


def line_of(path: Path, needle: str) -> int:
    """The 1-based number of the first line of `path` that contains `needle` (tests find lines; they never hard-code them)."""
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line)


def app_settings(release: Release, **overrides: Any) -> Settings:
    """Settings that serve `release` (a 10 s query limit: legitimate queries must not fail on a busy machine), under
    http://localhost, the address Flask's test client asks."""
    return tiny_settings(release.path.parent, **{"query_timeout_s": 10.0, "threads": 4, "public_url": "http://localhost", **overrides})


@contextmanager
def app_serving(release: Release, **overrides: Any) -> Iterator[Flask]:
    """The whole app over `release` (settings `overrides` on app_settings'), in this process; its query processes (real
    forked children) are closed on leaving. Fixtures yield from inside it."""
    application = create_app(app_settings(release, **overrides))
    application.config["TESTING"] = True
    try:
        yield application
    finally:
        application.config["SPACEKG_FOLLOWER"].served.runner.close()


@pytest.fixture(scope="session")
def app(built_tiny: Release) -> Iterator[Flask]:
    """The whole app over the tiny release, in this process (its query processes are real forked children)."""
    with app_serving(built_tiny) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def curated_release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """One build of the real curated data, for the checks about that data (test_data_acceptance*.py)."""
    settings = load_settings({}, project_dir=PROJECT, releases_dir=tmp_path_factory.mktemp("curated-releases"))
    return build(settings)


@pytest.fixture(scope="module")
def curated_client(curated_release: Release) -> Iterator[FlaskClient]:
    """The whole app over the curated release, in this process."""
    with app_serving(curated_release) as application:
        yield application.test_client()


@pytest.fixture(scope="session")
def curated_store(curated_release: Release) -> ox.Store:
    """The curated release's on-disk store, read-only (opened once per session)."""
    return curated_release.open_store()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RunningServer:
    """`spacekg serve` in a child process on 127.0.0.1, in a session of its own (its processes are those of the
    session, orphans included), stopped by `stop()`."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Standard error goes to a file, not a pipe: a busy server's log lines would fill an unread pipe and block it.
        self.stderr_file = tempfile.TemporaryFile()
        self.stderr_text = ""
        self.process = subprocess.Popen([sys.executable, "-m", "spacekg.cli", *args, "--port", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=self.stderr_file, cwd=PROJECT,
                                        env=cli_environment(), start_new_session=True)
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
def tiny_server(built_tiny: Release) -> Iterator[str]:
    """The tiny release served by `spacekg serve` with two workers and a 10 s query limit, for tests that need a real socket."""
    running = RunningServer("--releases", str(built_tiny.path.parent), "serve", "--workers", "2", "--timeout", "10")
    yield running.url
    running.stop()


ARTIFACTS = PROJECT / "test-artifacts"
SPACEKG = Path(sys.executable).parent / "spacekg"  # the console script of this environment


class BuildRun:
    """A finished `spacekg build` child: exit code, standard error, wall time and peak resident memory."""

    def __init__(self, code: int, stderr: str, seconds: float, peak_rss_mib: float) -> None:
        self.code, self.stderr, self.seconds, self.peak_rss_mib = code, stderr, seconds, peak_rss_mib


# Forks the command and reports its peak RSS (wait4's ru_maxrss, KiB) in a file. A child forked straight from the test
# process starts with the test process's RSS as its ru_maxrss (Linux counts the memory it shares until exec), and a test
# worker that has held a large store would make every build it starts look large: forked from this small launcher, the
# build's figure is its own.
RSS_LAUNCHER = ("import os, sys\npid = os.fork()\nif pid == 0:\n    os.execv(sys.argv[2], sys.argv[2:])\n"
                "_, status, usage = os.wait4(pid, 0)\nopen(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n"
                "sys.exit(os.waitstatus_to_exitcode(status))\n")


def cli_environment(measured: bool = True) -> dict[str, str]:
    """The environment of a `spacekg` process a test starts. Unmeasured: without coverage.py's subprocess hook, for builds
    a test kills (a killed process never writes its coverage data, so tracing it would only slow it down)."""
    environment = {**os.environ, "PYTHONWARNINGS": "ignore"}
    if not measured:
        environment.pop("COVERAGE_PROCESS_CONFIG", None)
    return environment


def run_cli_build(project: Path, timeout: float = 300, measured: bool = True) -> BuildRun:
    """Run the `spacekg build` console script in `project` and wait for it, measuring its own peak RSS."""
    with tempfile.TemporaryFile() as stderr, tempfile.NamedTemporaryFile(suffix=".maxrss") as maxrss:
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, "-c", RSS_LAUNCHER, maxrss.name, str(SPACEKG), "--project", str(project), "build"],
                                   stdout=subprocess.DEVNULL, stderr=stderr, cwd=project, env=cli_environment(measured),
                                   start_new_session=True)
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
        peak_kib = int(Path(maxrss.name).read_text() or 0)  # ru_maxrss is in KiB on Linux
        return BuildRun(process.returncode, stderr.read().decode(errors="replace"), time.monotonic() - started, peak_kib / 1024)


def release_fingerprint(releases_dir: Path) -> dict[str, str]:
    """SHA-256 of every file under the releases folder, and where each link points: what is published.

    The record of the last refused build (releases/last-attempt.json, for the validation page) is not a release."""
    prints = {}
    for path in sorted(releases_dir.rglob("*")):
        name = str(path.relative_to(releases_dir))
        if name == LAST_ATTEMPT:
            continue
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


# Canned queries on the tiny release (tests/test_queries*.py)

Row = dict[str, str | None]


class Ask(Protocol):
    def __call__(self, name: str, params: Mapping[str, str] | None = None) -> list[Row]: ...


def table(store: ox.Store, canned: CannedQuery, params: Mapping[str, str] | None = None) -> list[Row]:
    """Run a canned query; each row maps variable names to lexical values (None where unbound)."""
    result = run_canned(store, canned, params)
    assert isinstance(result, ox.QuerySolutions)
    names, rows = solutions_as_rows(result)
    return [{n: (None if row[n] is None else row[n].value) for n in names} for row in rows]


@pytest.fixture(scope="module")
def catalogue() -> dict[str, CannedQuery]:
    return load_catalogue(PROJECT / "queries")


@pytest.fixture(scope="module")
def ask(tiny_store: ox.Store, catalogue: dict[str, CannedQuery]) -> Ask:
    """Run a canned query of the catalogue, by name, on the tiny release (each answer computed once per module)."""
    answers: dict[tuple[str, tuple[tuple[str, str], ...]], list[Row]] = {}

    def run(name: str, params: Mapping[str, str] | None = None) -> list[Row]:
        key = (name, tuple(sorted((params or {}).items())))
        if key not in answers:
            answers[key] = table(tiny_store, catalogue[name], params)
        return answers[key]

    return run




@pytest.fixture(scope="session")
def rapper() -> Iterator[str]:
    """Raptor's rapper (Debian raptor2-utils), the C parser harvesters use."""
    path = shutil.which("rapper")
    if path is None:
        pytest.skip("Raptor's rapper is not installed: apt-get install raptor2-utils")
    yield path


def release_graph_sizes(store: ox.Store) -> dict[str, int]:
    """Triples per named graph of a release's store: what a remote store must hold once the release is published."""
    counted = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(counted, ox.QuerySolutions)
    return {row["g"].value: int(row["n"].value) for row in counted}


def stop_by_pid(process: subprocess.Popen[bytes], grace_s: float = 30) -> None:
    """SIGTERM, then SIGKILL if the process has not exited within `grace_s`."""
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def publish_to(release: Release, graph_store: str) -> Release:
    """Publish the release into a remote store with `spacekg publish --to`, as an operator would."""
    from spacekg.cli import main  # the CLI imports the web app; only the remote-store tests need it
    assert main(["--releases", str(release.path.parent), "publish", "--to", graph_store]) == 0
    return release


def serving_from_store(release: Release, query_url: str) -> Iterator[str]:
    """A real `spacekg serve --store` over the release published at `query_url` (10 s query limit); yields its URL."""
    running = RunningServer("--releases", str(release.path.parent), "serve", "--store", query_url, "--timeout", "10")
    yield running.url
    running.stop()


def check_pages_render(server: str) -> None:
    """The main pages of a real server over the tiny release answer 200 with what the tiny data puts on them."""
    # tiny data: USA, the Outer Space Treaty, and event E044 (an ASAT test)
    for path, expected in (("/", "SpaceKG"), ("/doc/state/USA", "United States"), ("/treaties", "Outer Space Treaty"),
                           ("/doc/instrument/ost", "Outer Space Treaty"), ("/chronology", "ASAT")):
        page = requests.get(server + path, headers={"Accept": "text/html"}, timeout=60)
        assert page.status_code == 200, (path, page.text[:300])
        assert expected in page.text, path
