"""RDF files parsed once per process for each content: a build reads the ontology and the shapes again every time, and
parsing them (with the ontology's blank nodes relabelled by content, store/changes.py) cost a process that builds
again and again (a curator's loop, the test suite: ~80 s of its CPU) more than the rest of a small build.

Every caller gets the same graph, sealed: reading it costs nothing, and a change to it raises at once instead of reaching
the next caller (`graph_copy` gives a graph to change). A file is known by its name and content, not its folder, so
copies of a project share one parse; only a file with a relative IRI, which resolves against the file's own location,
is known by its path too. A changed file is a different key.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from rdflib import Graph

MOST_KEPT = 8  # graphs kept: the ontology and the shapes of a project or two
# An IRI reference without a scheme (`<>`, `<#x>`, `<terms>`): resolved against the file's location, so its graph depends on it.
RELATIVE_IRI = re.compile(rb"<(?![A-Za-z][A-Za-z0-9+.\-]*:)[^<>\"{}|^`\\\s]*>")


class SealedGraph(Graph):
    """A graph shared by every caller of `parsed_once`: its triples cannot change (copy it with `graph_copy`)."""

    def __init__(self, parsed: Graph) -> None:
        super().__init__()
        graph_copy(parsed, into=self)  # before it is sealed
        self._sealed = True
        self._turtle: bytes | None = None

    def turtle(self) -> bytes:
        """The graph as Turtle, written once (what Jena reads the shapes from on every run)."""
        if self._turtle is None:
            self._turtle = self.serialize(format="turtle", encoding="utf-8")
        return self._turtle

    def _refuse(self) -> None:
        if getattr(self, "_sealed", False):
            raise TypeError("this parsed graph is shared by every caller and cannot change: change a copy (parsed_files.graph_copy)")

    def add(self, triple: Any) -> Any:
        self._refuse()
        return super().add(triple)

    def addN(self, quads: Any) -> Any:  # noqa: N802  (rdflib's name)
        self._refuse()
        return super().addN(quads)

    def remove(self, triple: Any) -> Any:
        self._refuse()
        return super().remove(triple)


_PARSED: OrderedDict[tuple[str, ...], SealedGraph] = OrderedDict()


def _file_key(path: Path) -> str:
    content = path.read_bytes()
    where = f"\0{path.resolve()}" if RELATIVE_IRI.search(content) else ""
    return f"{path.name}\0{hashlib.sha256(content).hexdigest()}{where}"


def parsed_once(what: str, files: Sequence[Path], parse: Callable[[], Graph]) -> Graph:
    """`parse()`'s graph for these files as they are now, sealed: parsed on the first call for their content, then shared."""
    try:
        key = (what, *(_file_key(path) for path in files))
    except OSError:
        return parse()  # let the parser report the missing or unreadable file as it does
    if key not in _PARSED:
        _PARSED[key] = SealedGraph(parse())
        while len(_PARSED) > MOST_KEPT:
            _PARSED.popitem(last=False)
    _PARSED.move_to_end(key)
    return _PARSED[key]


def graph_copy(graph: Graph, triples: Iterable[tuple] | None = None, into: Graph | None = None) -> Graph:
    """A new graph (or `into`) with `graph`'s prefixes and `triples` (by default `graph`'s own)."""
    copy = Graph() if into is None else into
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    copy += graph if triples is None else triples
    return copy
