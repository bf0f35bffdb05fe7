"""Documents about entities and the ontology: which quads describe a thing, and those quads as bytes.

The linked-data routes serve them as RDF; the entity and ontology pages show the same quads, so what a
person reads and what a program downloads agree.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import url_for

from spacekg.formats import RDF_DOCUMENTS, Format
from spacekg.formats.jsonld import compact
from spacekg.namespaces import DCTERMS, RDF, SKG
from spacekg.store.serving import ServedStore
from spacekg.terms import to_rdflib
from spacekg.web.context import served_context
from spacekg.web.site import LABEL_PROPERTIES
from spacekg.web.state import served, site

DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
PREFIXED = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML}  # formats that write prefixes


def entity_node(iri: str) -> ox.NamedNode | None:
    """The entity as an Oxigraph term if the served dataset says anything about it, else None."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return None
    return node if next(iter(served().dataset.store.quads_for_pattern(node, None, None, None)), None) is not None else None


def retired(iri: str) -> tuple[bool, str | None]:
    """Whether the IRI is retired (data/redirects.csv, kept in the meta graph), and its final successor if it has one."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False, None
    meta = ox.NamedNode(f"{site().base_iri}graph/meta")
    store = served().dataset.store
    if next(iter(store.quads_for_pattern(node, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(SKG.RetiredIRI)), meta)), None) is None:
        return False, None
    successor = next(iter(store.quads_for_pattern(node, ox.NamedNode(str(DCTERMS.isReplacedBy)), None, meta)), None)
    return True, successor.object.value if successor is not None and isinstance(successor.object, ox.NamedNode) else None


def describe(store: ServedStore, node: ox.NamedNode) -> list[ox.Quad]:
    """The entity's description: its statements both ways, its neighbours' labels, its sources' descriptions.

    A blank node pointing at the entity (a SHACL result of graph/validation) comes with its own statements,
    so that the description is self-contained.

    Quads keep their graph; the list is sorted so that a document is byte-for-byte stable within a release.
    """
    outgoing = list(store.quads_for_pattern(node, None, None, None))
    incoming = list(store.quads_for_pattern(None, None, node, None))
    sources = {q.object for q in outgoing if q.predicate == DCT_SOURCE and isinstance(q.object, ox.NamedNode)}
    neighbours = {q.object for q in outgoing if isinstance(q.object, ox.NamedNode)} | {q.subject for q in incoming}
    neighbours |= {q.predicate for q in outgoing + incoming}
    neighbours.discard(node)
    extra: list[ox.Quad] = []
    for neighbour in neighbours:
        if neighbour in sources:
            extra.extend(store.quads_for_pattern(neighbour, None, None, None))
        else:
            for label in LABEL_PROPERTIES:
                extra.extend(store.quads_for_pattern(neighbour, ox.NamedNode(label), None, None))
    for part in {q.object for q in outgoing if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(f"{node.value}#")}:
        extra.extend(store.quads_for_pattern(part, None, None, None))  # e.g. a status's periods, named by fragments of its IRI
    for anonymous in {q.subject for q in incoming if isinstance(q.subject, ox.BlankNode)}:
        extra.extend(store.quads_for_pattern(anonymous, None, None, None))  # e.g. a validation result about the entity
    unique = {quad: None for quad in outgoing + incoming + extra}
    return sorted(unique, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def quads_bytes(quads: list[ox.Quad], chosen: Format) -> bytes:
    """Serialise quads: with their graphs in a dataset format, as compact JSON-LD (the release's context), else as the merge of their triples."""
    prefixes = site().prefixes if chosen.rdf_format in PREFIXED else None
    if chosen.kind == "dataset":
        return chosen.write_graph(quads, prefixes)
    triples = list(dict.fromkeys(quad.triple for quad in quads))
    if chosen.rdf_format == ox.RdfFormat.JSON_LD:
        return compact(((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in triples),  # type: ignore[arg-type]
                       served_context())
    return chosen.write_graph(triples, prefixes)


def ontology_quads() -> list[ox.Quad]:
    """The release's ontology graph, sorted (stable documents)."""
    graph = ox.NamedNode(f"{site().base_iri}graph/ontology")
    return sorted(served().dataset.store.quads_for_pattern(None, None, None, graph), key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))


def alternates(path: str) -> list[tuple[str, str, str]]:
    """(media type, name, href) of the RDF documents about the entity at /doc/{path}, for <link rel=alternate>."""
    return [(f.media_type, f.label, url_for("linked_data.document", path=f"{path}.{f.extension}")) for f in RDF_DOCUMENTS]
