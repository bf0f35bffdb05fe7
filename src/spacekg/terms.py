"""Convert between rdflib and Oxigraph terms without a serialise-and-parse round trip."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD_STRING)))
    raise TypeError(f"not an RDF term: {term!r}")


def quads(triples: Iterable[tuple[Node, Node, Node]], graph: str) -> Iterator[ox.Quad]:
    name = ox.NamedNode(graph)
    for s, p, o in triples:
        yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name)  # type: ignore[arg-type]


def statements(triples: Iterable[tuple[Node, Node, Node]]) -> list[ox.Triple]:
    """The triples as Oxigraph triples: the costly step of loading (about 10 s a million), so a build does it once
    and hands the result to the SHACL engine's input and to the store."""
    return [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples]  # type: ignore[arg-type]


def in_graph(triples: Iterable[ox.Triple], graph: str) -> Iterator[ox.Quad]:
    """Oxigraph triples as quads of the named graph `graph`."""
    name = ox.NamedNode(graph)
    for triple in triples:
        yield ox.Quad(triple.subject, triple.predicate, triple.object, name)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=None if term.datatype.value == XSD_STRING else URIRef(term.datatype.value))
