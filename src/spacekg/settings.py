"""One typed settings object: defaults, then SPACEKG_* environment variables, then explicit overrides."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacekg.errors import UsageError

ENV_PREFIX = "SPACEKG_"


@dataclass(frozen=True)
class Settings:
    """Everything configurable; nothing else in SpaceKG reads the environment."""

    project_dir: Path = field(default_factory=Path.cwd)
    data_dir: Path | None = None
    ontology_dir: Path | None = None
    shapes_dir: Path | None = None
    queries_dir: Path | None = None
    releases_dir: Path | None = None
    cache_dir: Path | None = None  # what a build may keep between runs (Jena's classpath)
    reports_dir: Path | None = None  # the whole validation report of the last build that was refused
    base_iri: str = "https://w3id.org/spacekg/"
    reasoner: str = "rules"
    shacl_engine: str = "auto"  # auto (Jena if it can run, else pySHACL), jena or pyshacl
    jena_classpath: str = ""  # a classpath for Apache Jena other than Debian's libapache-jena-java
    host: str = "127.0.0.1"
    port: int = 5000
    public_url: str = ""  # the URL answers name (links, redirects, VoID); default: the bound address (spacekg.web.edge)
    trusted_proxies: str = ""  # comma-separated addresses or networks whose X-Forwarded-* headers are read; default none
    workers: int = 2
    threads: int = 8  # query processes per worker: queries evaluated at once
    request_threads: int = 32  # Python threads per worker answering requests (pages, cached answers, waiting queries)
    query_wait_s: float = 5.0  # how long a query waits for a free query process before a 503 with Retry-After
    body_timeout_s: float = 10.0  # a request body must arrive within this many seconds, else 408
    query_timeout_s: float = 30.0
    max_result_rows: int = 10000
    max_query_bytes: int = 100_000
    max_response_bytes: int = 64 << 20  # an answer of the endpoint stops (truncated, as at the row cap) before this size
    max_page_bytes: int = 2 << 20  # what the query page shows of an answer; the whole answer is a download away
    query_memory_mb: int = 2048  # what one query may allocate beyond the shared store (0: no cap)
    dataset_files: tuple[Path, ...] = ()
    keep_releases: int = 5  # older releases are removed after a build (0: keep all)
    max_source_bytes: int = 32 << 20  # a curated file larger than this is refused before it is read
    store_url: str = ""  # a remote SPARQL 1.1 query endpoint to answer from instead of the embedded store

    def __post_init__(self) -> None:
        # Folders default to the agreed layout under the project directory.
        root = Path(self.project_dir)
        object.__setattr__(self, "project_dir", root)
        for name, default in (("data_dir", "data"), ("ontology_dir", "ontology"), ("shapes_dir", "shapes"),
                              ("queries_dir", "queries"), ("releases_dir", "var/releases"), ("cache_dir", "var/cache"),
                              ("reports_dir", "var/reports")):
            value = getattr(self, name)
            object.__setattr__(self, name, Path(value) if value is not None else root / default)
        if not self.base_iri.endswith("/"):
            raise UsageError(f"base IRI {self.base_iri!r} must end with '/'", "set SPACEKG_BASE_IRI to e.g. https://w3id.org/spacekg/")

    @property
    def max_body_bytes(self) -> int:
        """A request body (a POSTed query or form) larger than this is refused with 413, chunked or not: a query of
        max_query_bytes, form-encoded (which inflates it up to ~3x)."""
        return self.max_query_bytes * 4

    @property
    def data(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir

    @property
    def ontology(self) -> Path:
        assert self.ontology_dir is not None
        return self.ontology_dir

    @property
    def shapes(self) -> Path:
        assert self.shapes_dir is not None
        return self.shapes_dir

    @property
    def queries(self) -> Path:
        assert self.queries_dir is not None
        return self.queries_dir

    @property
    def releases(self) -> Path:
        assert self.releases_dir is not None
        return self.releases_dir

    @property
    def reports(self) -> Path:
        assert self.reports_dir is not None
        return self.reports_dir

    @property
    def cache(self) -> Path:
        assert self.cache_dir is not None
        return self.cache_dir


def _coerce(name: str, raw: Any, kind: Any) -> Any:
    text = str(kind)
    try:
        if "int" in text and "Path" not in text:
            return int(raw)
        if "float" in text:
            return float(raw)
    except ValueError as error:
        raise UsageError(f"setting {name}={raw!r} is not a number", f"give {name} a numeric value") from error
    if "tuple" in text:
        return tuple(Path(part) for part in str(raw).split(os.pathsep) if part)
    if "Path" in text:
        return Path(raw)
    return raw


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from defaults, then `SPACEKG_*` variables in `environ`, then non-None overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(Settings):
        env_name = ENV_PREFIX + spec.name.upper()
        if env_name in environ:
            values[spec.name] = _coerce(env_name, environ[env_name], spec.type)
    for name, value in overrides.items():
        if value is not None:
            values[name] = value
    return Settings(**values)
