"""Coverage.py's tracer is switched off, in the calling thread only, while a third-party engine runs in a test process:
pySHACL's validation, owlrl's closure, rdflib's parsers, serialisers, SPARQL engine and graph comparisons, and
pyparsing (which parses SPARQL for rdflib), rdflib's JSON-LD compaction, and the json module (SpaceKG passes it no
hook of its own, so no line of ours runs inside it; its indented output is pure Python). Python 3.11's tracer (sys.settrace) is called for every
function call even in code it does not measure, and it made these 2-4x slower (pySHACL on the curated graph took 58 s
in the parallel run, 33 s with this; rdflib parsing the shapes 4.5x): most of the suite's CPU is in them, and none of
their lines is ours.

What this leaves out of the measurement: lines of ours that these engines call back while they run, i.e. the query
method pySHACL calls on our graph wrapper (src/spacekg/validate/pyshacl_run.py); the build processes the tests start
still measure it. Other threads keep their tracer, and each call restores the thread's own when it returns.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import coverage
import owlrl
import pyparsing
import pyshacl
import pytest
from rdflib import Graph, compare
from rdflib.plugins.serializers import jsonld as rdflib_jsonld


def untraced(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        tracer = sys.gettrace()
        if tracer is None:
            return function(*args, **kwargs)
        sys.settrace(None)
        try:
            return function(*args, **kwargs)
        finally:
            sys.settrace(tracer)
    return call


def pytest_configure(config: pytest.Config) -> None:
    if coverage.Coverage.current() is None:  # not measuring: nothing to switch off
        return
    pyshacl.validate = untraced(pyshacl.validate)
    owlrl.DeductiveClosure.expand = untraced(owlrl.DeductiveClosure.expand)  # type: ignore[method-assign]
    for name in ("parse", "serialize", "query"):
        setattr(Graph, name, untraced(getattr(Graph, name)))
    pyparsing.ParserElement.parse_string = untraced(pyparsing.ParserElement.parse_string)  # type: ignore[method-assign]
    rdflib_jsonld.from_rdf = untraced(rdflib_jsonld.from_rdf)
    for name in ("dumps", "loads"):
        setattr(json, name, untraced(getattr(json, name)))
    for name in ("isomorphic", "to_isomorphic", "to_canonical_graph", "graph_diff"):  # tests import them after this runs
        setattr(compare, name, untraced(getattr(compare, name)))
