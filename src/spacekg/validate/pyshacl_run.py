"""pySHACL, the reference engine: run on a data graph (or on some of its focus nodes) and return its report graph."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pyshacl
import rdflib
import rdflib.term
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result

from spacekg.errors import ShapesNotEvaluable
from spacekg.namespaces import XSD
from spacekg.parsed_files import SealedGraph, graph_copy
from spacekg.validate.report import Triple

# pySHACL switches rdflib's process-wide literal normalisation (and its xsd:boolean parser) while it
# loads shapes. One validation at a time, with that state restored afterwards, keeps other rdflib
# work in this process unaffected; callers must still not run other rdflib work concurrently.
_ENGINE = threading.Lock()


def pyshacl_version() -> str:
    return f"pyshacl {getattr(pyshacl, '__version__', 'unknown')}"


def pyshacl_report(data: Iterable[Triple], shapes: Graph) -> Graph:
    """pySHACL's sh:ValidationReport of `data` against `shapes`."""
    graph = _ParsedOnceGraph()
    graph.addN((s, p, o, graph) for s, p, o in data)
    if isinstance(shapes, SealedGraph):  # pySHACL adds two axioms of its own (owl:Class ⊑ rdfs:Class, ...) to the shapes graph
        shapes = graph_copy(shapes)
    with _ENGINE, _rdflib_state_kept():
        _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", inplace=True, advanced=False, meta_shacl=False,
                                        allow_infos=True, allow_warnings=True)
    if not isinstance(report, Graph):  # pySHACL returns, not raises, its failure to evaluate a shape
        raise ShapesNotEvaluable(str(report))
    return report


@functools.lru_cache(maxsize=512)  # the shapes hold a few dozen SPARQL texts; other bases or shapes files add theirs
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _ParsedOnceGraph(Graph):
    """A graph that parses each SPARQL text once per process.

    pySHACL sends the text of a SPARQL constraint again for every focus node, and parsing it costs
    rdflib far more than evaluating it (on the tiny project, 1.8 s of a 2.5 s validation): the parsed
    query is kept for every later focus node and validation.
    """

    def query(self, query_object: str | Query, processor: Any = "sparql", result: Any = "sparql",
              initNs: Mapping[str, Any] | None = None, initBindings: Mapping[str, Any] | None = None,  # noqa: N803
              use_store_provided: bool = True, **kwargs: Any) -> Result:
        if isinstance(query_object, str) and not initNs:
            query_object = _prepared(query_object)
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


@contextmanager
def _rdflib_state_kept() -> Iterator[None]:
    normalize = rdflib.NORMALIZE_LITERALS
    boolean = rdflib.term._toPythonMapping.get(XSD.boolean)
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
        rdflib.term._toPythonMapping[XSD.boolean] = boolean
