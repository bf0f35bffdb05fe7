"""What the web app serves: an in-memory copy of a release, of RDF files given on the command line, or a remote store."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from spacekg.errors import NoReleaseError, SourceDataError, SourcePosition
from spacekg.formats import RDF_DOCUMENTS, by_extension
from spacekg.store.releases import Release
from spacekg.store.remote import RemoteEndpoint, RemoteStore, release_graphs, remote_release_id

ServedStore = ox.Store | RemoteStore  # the embedded store, or a remote one answering the same calls


@dataclass
class ServedDataset:
    """An immutable dataset held in memory (RocksDB on disk made aggregates ~4x slower for this size)."""

    store: ServedStore
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
        file_format = by_extension(path.suffix.lstrip("."), RDF_DOCUMENTS)
        if file_format is None:
            raise SourceDataError(SourcePosition(str(path), 0), f"unknown RDF file type {path.suffix!r}",
                                  f"use one of: {', '.join(sorted('.' + e for f in RDF_DOCUMENTS for e in f.extensions))}")
        raw = path.read_bytes()
        digest.update(raw)
        try:
            store.bulk_load(raw, format=file_format.rdf_format, base_iri=path.resolve().as_uri())
        except SyntaxError as error:
            raise SourceDataError(SourcePosition(str(path), error.lineno or 0), f"cannot parse: {error}", "fix the file") from error
    return ServedDataset(store, "files-" + digest.hexdigest()[:12])


def load_remote(query_url: str, base_iri: str, releases_dir: Path, timeout_s: float) -> ServedDataset:
    """Serve the release that a remote SPARQL store holds; its dumps and derivations come from the local copy, if there is one."""
    store = RemoteStore(RemoteEndpoint.parse(query_url, "store"), (), timeout_s)
    release_id = remote_release_id(store, base_iri)
    if not release_id:
        raise NoReleaseError(f"the store at {query_url} holds no SpaceKG release",
                             "publish one first: spacekg publish --to GRAPH-STORE-URL (see docs/remote-store.md)")
    store.graphs = tuple(release_graphs(store, base_iri))
    local = releases_dir / release_id
    if (local / "release.json").is_file():
        release = Release(local, json.loads((local / "release.json").read_text(encoding="utf-8")))
        return ServedDataset(store, release_id, release.manifest, release)
    return ServedDataset(store, release_id, {"release_id": release_id})
