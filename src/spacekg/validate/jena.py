"""Apache Jena's SHACL engine, run as Debian's libapache-jena-java: found, given a classpath, started and read.

Jena validates a million triples in about 40 s where pySHACL needs an hour (BENCHMARKS.md), with the
same results (tests/test_shacl_engines.py). It runs as its own Java process, `shacl validate`, reading
the data as N-Triples and writing the sh:ValidationReport as Turtle; the build starts it and reasons
meanwhile on the other core.

The classpath is what ../shared/tools/jena-classpath.sh worked out for Debian's package: the jars of
libapache-jena-java and of the packages it depends on, without the extra SLF4J bindings and bridges
(two of them abort the JVM at start-up), and first a small jar of Xerces message bundles that Debian's
build left at their old package path (without it every command dies in XSDDatatype's initialiser).
It is computed once and kept until jena-core.jar changes, in the user's cache (~/.cache/spacekg, or
$XDG_CACHE_HOME/spacekg; the project's var/cache where that cannot be written): it depends on the machine, not
the project.

A JVM spends much of a small run loading and verifying Jena's classes: on the tiny project a run takes 1.8 s
without them shared. The first run dumps the classes it loaded into a class-data-sharing archive (AppCDS, JDK 13+);
every later run maps it and takes 1.3 s. The archive too is the same for every project and lives beside the classpath,
named by the java binary and the classpath's jars: a JDK or Jena upgrade names a new one, and the JVM itself
refuses an archive that does not match and runs without it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from spacekg import terms
from spacekg.errors import ShapesNotEvaluable
from spacekg.parsed_files import SealedGraph
from spacekg.validate.messages import as_pyshacl_writes
from spacekg.validate.report import Triple

PACKAGE = "libapache-jena-java"
JARS = Path("/usr/share/java")
CORE = JARS / "jena-core.jar"
SHORT_RUN = 300_000  # triples: below this, a validation is over before the optimising compiler pays for itself
MAIN = "shacl.shacl"  # in jena-cmds.jar: `shacl validate --shapes S --data D` prints a Turtle sh:ValidationReport
XERCES_BUNDLES = "org/apache/jena/ext/xerces/"
CONFLICTING = re.compile(r"slf4j-(log4j12|jcl|jdk14|nop|migrator|reload4j)|log4j-over-slf4j|jcl-over-slf4j")
VERSIONED = re.compile(r"-[0-9][0-9.]*(-[A-Za-z]+)?\.jar$")  # the same jar again under its versioned name
INSTALL = "apt-get install libapache-jena-java (bash scripts/install-system-packages.sh installs it)"
ARCHIVES_KEPT = 2  # class archives (~20 MB each) kept in the user's cache: this Jena's, and one other's
STALE_DUMP_S = 3600  # a half-written archive this old was left by a killed run
# The JVM's own log (CDS warnings included) goes to stderr, which is read only when a run fails: on stdout it would mix with the report.
QUIET_LOG = ["-Xlog:disable", "-Xlog:all=warning:stderr"]
SHARING_OPTIONAL = ["-XX:+IgnoreUnrecognizedVMOptions"]  # a JDK before 13 has no dynamic archives: it runs without one


@dataclass(frozen=True)
class Jena:
    """A runnable Jena: the java command, the classpath, and the package version (recorded in provenance)."""

    java: str
    classpath: str
    version: str

    @property
    def name(self) -> str:
        return f"jena {self.version}"


def find_jena(cache_dir: Path, classpath: str = "") -> tuple[Jena | None, str]:
    """Jena if it can run here, else None and why not (a sentence for the build's one-line notice).

    `classpath` overrides the discovery (setting SPACEKG_JENA_CLASSPATH, for a Jena not from Debian).
    """
    java = shutil.which("java")
    if java is None:
        return None, f"java is not installed ({INSTALL})"
    if classpath:
        return Jena(java, classpath, "(classpath given)"), ""
    if not CORE.is_file():
        return None, f"Apache Jena is not installed ({INSTALL})"
    version = _package_version(PACKAGE)
    try:
        try:
            return Jena(java, _cached_classpath(shared_cache(), version), version), ""
        except (OSError, RuntimeError):  # the user's cache cannot be written (or there is no home folder): the project's
            return Jena(java, _cached_classpath(cache_dir, version), version), ""
    except (OSError, subprocess.SubprocessError, zipfile.BadZipFile) as error:
        return None, f"Apache Jena's classpath could not be worked out: {error}"


def shared_cache() -> Path:
    """The user's cache folder for what every project on this machine shares: Jena's classpath and its class archive."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "spacekg"


def _package_version(package: str) -> str:
    found = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=False, timeout=30)
    return found.stdout.strip() or "unknown"


def _cached_classpath(cache_dir: Path, version: str) -> str:
    cache_dir.mkdir(parents=True, exist_ok=True)
    fix, kept = cache_dir / "jena-xerces-resources.jar", cache_dir / "jena-classpath.txt"
    stamp = f"{version} {CORE.stat().st_mtime_ns}"
    if kept.is_file() and fix.is_file():
        lines = kept.read_text(encoding="utf-8").splitlines()
        if len(lines) == 2 and lines[0] == stamp:
            return lines[1]
    _write_xerces_bundles(fix)
    classpath = ":".join([str(fix), *_package_jars(stamp)])
    kept.write_text(f"{stamp}\n{classpath}\n", encoding="utf-8")
    return classpath


def _write_xerces_bundles(target: Path) -> None:
    """Copy Xerces' message bundles from jena-core.jar to the package path Debian's build relocated the classes to."""
    with zipfile.ZipFile(CORE) as core, tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".jar") as handle:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as out:
            copied = 0
            for name in core.namelist():
                if name.startswith(XERCES_BUNDLES) and name.endswith(".properties"):
                    out.writestr("xerces/" + name[len(XERCES_BUNDLES):], core.read(name))
                    copied += 1
    if not copied:
        Path(handle.name).unlink()
        raise OSError(f"no Xerces message bundles in {CORE}")
    Path(handle.name).replace(target)


@functools.cache  # per installed package (the stamp): apt-cache costs about a second of CPU, and a process may build often
def _package_jars(stamp: str) -> tuple[str, ...]:
    depends = subprocess.run(["apt-cache", "depends", PACKAGE], capture_output=True, text=True, check=False, timeout=60).stdout
    packages = [PACKAGE, *re.findall(r"^\s*Depends:\s*(\S+)", depends, re.M)]
    jars: set[str] = set()
    for package in packages:
        listed = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True, check=False, timeout=60).stdout
        jars.update(line for line in listed.splitlines() if re.fullmatch(r"/usr/share/java/[^/]+\.jar", line))
    chosen = sorted(jar for jar in jars if not VERSIONED.search(jar) and not CONFLICTING.search(jar))
    if not chosen:
        raise OSError(f"dpkg lists no jars for {PACKAGE}")
    return tuple(chosen)


def heap_megabytes(triples: int) -> int:
    """The JVM heap for a data graph of this size: about 1.2 KB per triple (1 GB held 1M), at least 256 MB."""
    return max(256, min(8192, 256 + triples * 12 // 10_000))


def jvm_options(triples: int) -> list[str]:
    """Heap and compilers for a data graph of this size.

    Below ~300k triples the run is short: the optimising compiler (C2) would spend as much CPU compiling as it
    saves, on the core reasoning needs, so only C1 compiles (+100k: same wall time, 12 s of CPU instead of 22).
    Past that C2 pays for itself (1M: 49 s with it, 90 s without). Measured in BENCHMARKS.md.
    """
    quick = ["-XX:TieredStopAtLevel=1"] if triples < SHORT_RUN else []
    return [f"-Xmx{heap_megabytes(triples)}m", "-XX:+UseParallelGC", *quick]


def class_archive(jena: Jena) -> tuple[list[str], tuple[Path, Path] | None]:
    """The JVM options that share Jena's classes between runs, and, on its first run, where this run dumps the archive
    and where the archive goes once the run has succeeded.

    It is kept in the user's cache; one that cannot be written costs only the sharing: the run goes on without it.
    """
    try:
        identity = hashlib.sha256()
        java = Path(jena.java).resolve()
        for path in [java, *map(Path, jena.classpath.split(":"))]:
            stat = path.stat()
            identity.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
        folder = shared_cache()
        archive = folder / f"jena-{identity.hexdigest()[:16]}.jsa"
        if archive.is_file():
            return [*SHARING_OPTIONAL, f"-XX:SharedArchiveFile={archive}", "-Xshare:auto"], None
        folder.mkdir(parents=True, exist_ok=True)
        scratch = folder / f".{archive.name}.{os.getpid()}-{time.monotonic_ns()}.tmp"  # renamed into place when the run succeeds
        return [*SHARING_OPTIONAL, f"-XX:ArchiveClassesAtExit={scratch}"], (scratch, archive)
    except (OSError, RuntimeError):  # RuntimeError: no home folder to find the user's cache in
        return [], None


def keep_dumped_archive(scratch: Path, archive: Path) -> None:
    """Move a dumped archive into place, and keep the cache bounded: the newest archives, no stale half-written ones."""
    folder = archive.parent
    try:
        os.replace(scratch, archive)
        archives = sorted(folder.glob("jena-*.jsa"), key=lambda path: path.stat().st_mtime, reverse=True)
        for old in archives[ARCHIVES_KEPT:]:
            old.unlink(missing_ok=True)
        for dump in folder.glob(".jena-*.tmp"):
            if time.time() - dump.stat().st_mtime > STALE_DUMP_S:
                dump.unlink(missing_ok=True)
    except OSError:
        pass  # another run moved or removed it; the next run dumps again if none is left


class JenaRun:
    """One `shacl validate` process, started on a data graph and read when its report is wanted."""

    def __init__(self, jena: Jena, data: Iterable[Triple], shapes: Graph, converted: Sequence[ox.Triple] | None = None) -> None:
        """Start Jena on `data`; `converted`, if given, is the same data as Oxigraph triples (converted once by the build)."""
        self.folder, self.shapes = Path(tempfile.mkdtemp(prefix="spacekg-jena-")), shapes
        try:
            statements = converted if converted is not None else terms.statements(data)
            data_file, shapes_file = self.folder / "data.nt", self.folder / "shapes.ttl"
            # Straight to N-Triples, not through a store: a store would canonicalise literals (xsd:nonNegativeInteger
            # as xsd:integer) and Jena would then validate other values than the ones the build publishes.
            data_file.write_bytes(ox.serialize(statements, format=ox.RdfFormat.N_TRIPLES) or b"")
            shapes_file.write_bytes(shapes.turtle() if isinstance(shapes, SealedGraph) else shapes.serialize(format="turtle", encoding="utf-8"))
            self.stdout, self.stderr = open(self.folder / "report.ttl", "wb"), open(self.folder / "stderr.txt", "wb")  # noqa: SIM115
            sharing, self.dumping = class_archive(jena)
            self.process = subprocess.Popen(
                [jena.java, *jvm_options(len(statements)), *sharing, *QUIET_LOG, "-cp", jena.classpath, MAIN, "validate",
                 "--shapes", str(shapes_file), "--data", str(data_file)], stdout=self.stdout, stderr=self.stderr)
        except BaseException:
            self.close()
            raise

    def report(self) -> Graph:
        """Wait for Jena and read its report; ShapesNotEvaluable with Jena's own words if it failed."""
        try:
            code = self.process.wait()
            self.stdout.close()
            self.stderr.close()
            if code != 0:
                message = (self.folder / "stderr.txt").read_text(encoding="utf-8", errors="replace").strip().splitlines()
                raise ShapesNotEvaluable(f"Apache Jena's SHACL validator ended with exit code {code}: {' '.join(message[-5:])[:1000]}")
            if self.dumping is not None and self.dumping[0].is_file():
                keep_dumped_archive(*self.dumping)
            return as_pyshacl_writes(Graph().parse(self.folder / "report.ttl", format="turtle"), self.shapes)
        finally:
            self.close()

    def close(self) -> None:
        """Stop Jena if it still runs, and remove its files."""
        process = getattr(self, "process", None)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        for handle in (getattr(self, "stdout", None), getattr(self, "stderr", None)):
            if handle is not None:
                handle.close()
        dumping = getattr(self, "dumping", None)
        if dumping is not None:
            dumping[0].unlink(missing_ok=True)  # a run that failed or was stopped keeps no archive
        shutil.rmtree(self.folder, ignore_errors=True)
