"""What the web app serves: an in-memory copy of a release, or of RDF files given on the command line."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from spacekg.errors import SourceDataError, SourcePosition
from spacekg.store.releases import Release

FILE_FORMATS = {
    ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS, ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES, ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


@dataclass
class ServedDataset:
    """An immutable dataset held in memory (RocksDB on disk made aggregates ~4x slower for this size)."""

    store: ox.Store
    version: str  # the release id, or a digest of the served files; part of every ETag
    manifest: dict[str, Any] = field(default_factory=dict)
    release: Release | None = None

    def named_graphs(self) -> list[str]:
        return sorted(graph.value for graph in self.store.named_graphs() if isinstance(graph, ox.NamedNode))


def load_release(release: Release) -> ServedDataset:
    store = ox.Store()
    store.bulk_load(path=str(release.path / "dumps" / "spacekg.nq"), format=ox.RdfFormat.N_QUADS)
    return ServedDataset(store, release.release_id, release.manifest, release)


def load_files(paths: list[Path]) -> ServedDataset:
    """Serve arbitrary RDF files: quads keep their graphs, triples go to the default graph."""
    store = ox.Store()
    digest = hashlib.sha256()
    for path in paths:
        rdf_format = FILE_FORMATS.get(path.suffix.lower())
        if rdf_format is None:
            raise SourceDataError(SourcePosition(str(path), 0), f"unknown RDF file type {path.suffix!r}",
                                  f"use one of: {', '.join(sorted(FILE_FORMATS))}")
        raw = path.read_bytes()
        digest.update(raw)
        try:
            store.bulk_load(raw, format=rdf_format, base_iri=path.resolve().as_uri())
        except SyntaxError as error:
            raise SourceDataError(SourcePosition(str(path), error.lineno or 0), f"cannot parse: {error}", "fix the file") from error
    return ServedDataset(store, "files-" + digest.hexdigest()[:12])
