"""Map curated Turtle files: parse strictly, find each subject's line, check references to entities."""

from __future__ import annotations

import re

import pyoxigraph
from rdflib import Graph, URIRef

from spacekg.errors import SourceDataError, SourcePosition
from spacekg.namespaces import DEFAULT_BASE
from spacekg.rdf.context import MappingContext
from spacekg.sources.reading import TurtleSource

PREFIX = re.compile(r"@prefix\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", re.I)


def _parse(source: TurtleSource) -> Graph:
    try:
        # pyoxigraph reports line and column of a syntax error; rdflib only a message.
        for _ in pyoxigraph.parse(source.text.encode(), format=pyoxigraph.RdfFormat.TURTLE):
            pass
    except SyntaxError as error:
        detail = str(error).split(": ", 1)[-1]
        hint = "fix the statement; every statement ends with ' .'"
        if (error.lineno or 0) >= source.text.count("\n") and not source.text.endswith("\n"):
            hint += "; the file ends mid-statement without a line break: if it was cut short, restore it from version control"
        raise SourceDataError(SourcePosition(source.path, error.lineno or 0, str(error.offset or "")),
                              f"Turtle syntax error: {detail}", hint) from error
    try:
        return Graph().parse(data=source.text, format="turtle")
    except Exception as error:  # rdflib raises many parser exception types; pyoxigraph accepted the syntax, so these are rare
        raise SourceDataError(SourcePosition(source.path, 0), f"Turtle that rdflib cannot read: {error}",
                              "write the statement in plain Turtle 1.1") from error


def _line_of(source: TurtleSource, subject: URIRef, prefixes: dict[str, str]) -> int:
    written = [f"<{subject}>"] + [f"{p}:{subject[len(ns):]}" for p, ns in prefixes.items() if subject.startswith(ns)]
    for number, line in enumerate(source.text.splitlines(), start=1):
        stripped = line.lstrip()
        if any(stripped.startswith(form) and stripped[len(form):len(form) + 1] in (" ", "\t", "") for form in written):
            return number
    return 1


def map_turtle(ctx: MappingContext, source: TurtleSource) -> None:
    try:
        graph = _parse(source)
    except SourceDataError as error:
        ctx.errors.append(error)
        return
    prefixes = {prefix or "": namespace for prefix, namespace in PREFIX.findall(source.text)}
    lines: dict[URIRef, int] = {}

    def line(subject: URIRef) -> int:
        if subject not in lines:
            lines[subject] = _line_of(source, subject, prefixes)
        return lines[subject]

    rebase = ctx.minter.base != DEFAULT_BASE
    for s, p, o in graph:
        written = s
        if rebase:  # curated Turtle is written against the default base
            s, o = (URIRef(ctx.minter.base + t[len(DEFAULT_BASE):]) if isinstance(t, URIRef) and t.startswith(DEFAULT_BASE + "id/") else t for t in (s, o))
        assert isinstance(p, URIRef)
        ctx.graph.add((s, p, o))
        if isinstance(s, URIRef):
            ctx.statement_positions[(s, p, o)] = SourcePosition(source.path, line(written))  # type: ignore[arg-type]
        if isinstance(s, URIRef) and ctx.minter.is_entity(s) and s not in ctx.positions:
            ctx.positions[s] = SourcePosition(source.path, line(written))  # type: ignore[arg-type]
    for s, _, o in graph:
        if isinstance(o, URIRef) and ctx.minter.is_entity(o) and o not in ctx.positions:
            where = SourcePosition(source.path, line(s) if isinstance(s, URIRef) else 1)
            ctx.errors.append(SourceDataError(where, f"reference to {o} which no curated record defines",
                                              "correct the identifier or add the record it refers to"))
