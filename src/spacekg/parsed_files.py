"""RDF files parsed once per process for each content: a build reads the ontology and the shapes again every time, and
parsing them (with the ontology's blank nodes relabelled by content, store/changes.py) cost a process that builds
again and again (a curator's loop, the test suite: ~80 s of its CPU) more than the rest of a small build.

Each caller gets its own copy, so nothing it adds reaches the next one; a changed file is a different key.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from rdflib import Graph

MOST_KEPT = 8  # graphs kept: the ontology and the shapes of a project or two
_PARSED: OrderedDict[tuple[str, ...], Graph] = OrderedDict()


def parsed_once(what: str, files: Sequence[Path], parse: Callable[[], Graph]) -> Graph:
    """`parse()`'s graph for these files as they are now: parsed on the first call for their content, then copied."""
    try:
        key = (what, *(f"{path}\0{hashlib.sha256(path.read_bytes()).hexdigest()}" for path in files))
    except OSError:
        return parse()  # let the parser report the missing or unreadable file as it does
    if key not in _PARSED:
        _PARSED[key] = parse()
        while len(_PARSED) > MOST_KEPT:
            _PARSED.popitem(last=False)
    _PARSED.move_to_end(key)
    return graph_copy(_PARSED[key])


def graph_copy(graph: Graph, triples: Iterable[tuple] | None = None) -> Graph:
    """A new graph with `graph`'s prefixes and `triples` (by default `graph`'s own)."""
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    copy += graph if triples is None else triples
    return copy
