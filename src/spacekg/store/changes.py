"""What changed since the previous release: per named graph, the triples added and removed, as N-Triples files.

A release's `changes/` folder holds `<graph>.added.nt` and `<graph>.removed.nt` for every named graph of
either release (empty when nothing changed), and SHA256SUMS. A harvester that holds release N-1 gets
release N by deleting each graph's removed triples, then adding its added ones (docs/change-feed.md).

The diff compares the two N-Quads dumps line by line. That is exact because both are written by Oxigraph
(one canonical line per quad, each quad once) and because blank nodes are labelled by their content
(`stable_blank_nodes` for the ontology, validate/report.py for the SHACL results, store/provenance.py for
the tool agents), so an unchanged graph dumps the same lines.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph

from spacekg.formats import DUMPS
from spacekg.parsed_files import graph_copy
from spacekg.store.releases import sha256_of

CHANGES_DIR = "changes"
CHANGES = ("removed", "added")  # in the order a harvester applies them
NQUADS = next(dump.dump_name for dump in DUMPS if dump.name == "nquads")
SUMS = "SHA256SUMS"


def stable_blank_nodes(graph: Graph) -> Graph:
    """The graph with its blank nodes relabelled by content (rdflib's canonical labelling), if it has any.

    rdflib gives each parsed blank node a random label, so the ontology's OWL lists would otherwise
    appear removed and added again in every release's diff. About 0.2 s for the ontology's ~100 blank nodes.
    """
    if not any(isinstance(term, BNode) for triple in graph for term in triple):
        return graph
    return graph_copy(graph, to_canonical_graph(graph))


def short_name(graph_iri: str) -> str:
    """The graph's file-name stem: its IRI's last segment (…/graph/asserted -> asserted); 'default' for the default graph."""
    if not graph_iri:
        return "default"
    return re.sub(r"[^A-Za-z0-9_-]+", "-", graph_iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]).strip("-") or "graph"


def change_file_name(stem: str, change: str) -> str:
    return f"{stem}.{change}.nt"


class _ChangeFiles:
    """One open N-Triples file per graph and change; a graph's stem is made unique if two IRIs share a last segment."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.stems: dict[str, str] = {}
        self.handles: dict[tuple[str, str], IO[bytes]] = {}
        self.counts: dict[tuple[str, str], int] = {}

    def open_graph(self, graph_iri: str) -> None:
        if graph_iri in self.stems:
            return
        stem = short_name(graph_iri)
        if stem in self.stems.values():
            stem = f"{stem}-{hashlib.sha256(graph_iri.encode()).hexdigest()[:8]}"
        self.stems[graph_iri] = stem
        for change in CHANGES:
            self.handles[graph_iri, change] = open(self.folder / change_file_name(stem, change), "wb")  # noqa: SIM115  (closed in close())
            self.counts[graph_iri, change] = 0

    def write(self, line: bytes, change: str) -> None:
        triple, graph_iri = _split_quad(line)
        self.open_graph(graph_iri)
        self.handles[graph_iri, change].write(triple + b" .\n")
        self.counts[graph_iri, change] += 1

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def _split_quad(line: bytes) -> tuple[bytes, str]:
    """An N-Quads line of Oxigraph's (`s p o g .`) as its triple's text and its graph's IRI ('' for the default graph).

    Subjects and predicates hold no space, so a line whose part before the last term has fewer than two
    spaces is a triple of the default graph (which a release's store never has).
    """
    body = line.rstrip(b"\n")
    body = body[:-2] if body.endswith(b" .") else body
    head, _, last = body.rpartition(b" ")
    if last.startswith(b"<") and last.endswith(b">") and head.count(b" ") >= 2:
        return head, last[1:-1].decode()
    return body, ""


def diff_dumps(previous_nquads: Path, current_nquads: Path, changes_dir: Path, graphs: Iterable[str] = ()) -> _ChangeFiles:
    """Write the per-graph added and removed triples of two N-Quads dumps into `changes_dir`.

    The previous dump's lines are held as one set (about 250 bytes a line: ~250 MB at a million quads);
    the current dump is streamed once and the previous one a second time, so that both files keep
    the order of the dumps and the same two dumps always give the same bytes.
    """
    changes_dir.mkdir()
    files = _ChangeFiles(changes_dir)
    try:
        for graph_iri in graphs:  # every graph of either release gets its two files, empty or not
            files.open_graph(graph_iri)
        with open(previous_nquads, "rb") as handle:
            before = {_with_newline(line) for line in handle}
        with open(current_nquads, "rb") as handle:
            for line in map(_with_newline, handle):
                if line in before:
                    before.discard(line)  # kept; what stays in `before` at the end was removed
                else:
                    files.write(line, "added")
        if before:
            with open(previous_nquads, "rb") as handle:
                for line in map(_with_newline, handle):
                    if line in before:
                        files.write(line, "removed")
    finally:
        files.close()
    return files


def _with_newline(line: bytes) -> bytes:
    return line if line.endswith(b"\n") else line + b"\n"


def write_changes(previous_release: Path, previous_manifest: dict[str, Any], folder: Path, graphs: Iterable[str]) -> dict[str, Any] | None:
    """Diff the previous release's N-Quads dump against the one in `folder` and write `folder/changes/`.

    Returns the manifest's `changes` entry: the previous release's id, the counts per graph, and each
    file's graph, change, triples, size and SHA-256. None when the previous release has no N-Quads dump.
    """
    previous_nquads = previous_release / "dumps" / NQUADS
    if not previous_nquads.is_file():
        return None
    changes_dir = folder / CHANGES_DIR
    known = [*previous_manifest.get("graphs", {}), *(g for g in graphs if g not in previous_manifest.get("graphs", {}))]
    files = diff_dumps(previous_nquads, folder / "dumps" / NQUADS, changes_dir, known)
    listed: dict[str, dict[str, Any]] = {}
    counts: dict[str, dict[str, int]] = {}
    for graph_iri, stem in files.stems.items():
        counts[graph_iri] = {change: files.counts[graph_iri, change] for change in ("added", "removed")}
        for change in CHANGES:
            path = changes_dir / change_file_name(stem, change)
            listed[path.name] = {"graph": graph_iri, "change": change, "triples": files.counts[graph_iri, change],
                                 "bytes": path.stat().st_size, "sha256": sha256_of(path)}
    (changes_dir / SUMS).write_text("".join(f"{entry['sha256']}  {name}\n" for name, entry in listed.items()), encoding="utf-8")
    return {"previous": str(previous_manifest.get("release_id", previous_release.name)), "graphs": counts, "files": listed}
