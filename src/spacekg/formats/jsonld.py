"""Compact JSON-LD: the release's @context, and documents compacted with it.

The context gives every property and class of the ontology a short name (its local name: `partyTo`,
`State`), properties whose values are IRIs `"@type": "@id"`, the vocabularies' prefixes, and `id` / `type`
for `@id` / `@type`, so that a program reads `doc["partyTo"]` without knowing RDF. A local name that two
properties share (`opengov:option`, `schema:option`) gets no short name: both keep their prefixed names.
Entity IRIs stay whole (`https://w3id.org/spacekg/id/state/USA`), so an id is usable without the context.

A document carries the part of the context it uses, not a reference to it: parsers that fetch no remote
context (Oxigraph's, Jena's by default, any harvester offline) read it as it is, and it keeps its meaning
whatever becomes of the server. The whole context is published per release (spacekg.web.context) for
programs that compact their own data with it. rdflib's JSON-LD serialiser does the compaction
(docs/dependencies.md: measured against PyLD).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import rdflib
from rdflib.plugins.serializers import jsonld as rdflib_jsonld
from rdflib.plugins.shared.jsonld.context import Context
from rdflib.term import Node

from spacekg.namespaces import OWL, PREFIXES, RDF, RDFS

# Properties of other vocabularies that SpaceKG's data uses without declaring them in its ontology.
VOCABULARY_PROPERTIES = {  # IRI -> its values are IRIs
    str(RDFS.label): False, str(RDFS.comment): False, str(RDFS.seeAlso): True, str(RDFS.subClassOf): True,
    "http://www.w3.org/2004/02/skos/core#altLabel": False, "http://www.w3.org/2004/02/skos/core#hiddenLabel": False,
    "http://www.w3.org/2004/02/skos/core#prefLabel": False, "http://www.w3.org/2004/02/skos/core#note": False,
    "http://www.w3.org/2004/02/skos/core#notation": False, "http://www.w3.org/2004/02/skos/core#inScheme": True,
    "http://purl.org/dc/terms/title": False, "http://purl.org/dc/terms/source": True, "http://purl.org/dc/terms/issued": False,
    "http://purl.org/dc/terms/creator": True, "http://purl.org/dc/terms/publisher": False, "http://purl.org/dc/terms/references": True,
    "http://purl.org/dc/terms/isVersionOf": True, "http://purl.org/dc/terms/isReplacedBy": True,
    "http://xmlns.com/foaf/0.1/page": True, "http://xmlns.com/foaf/0.1/homepage": True, "http://xmlns.com/foaf/0.1/name": False,
    str(RDF.subject): True, str(RDF.predicate): True, str(RDF.object): True, "http://schema.org/sameAs": True,
}
REFERENCE_KINDS = {OWL.ObjectProperty}
DECLARED_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def context_for(ontology: Iterable[tuple[Node, Node, Node]]) -> dict[str, Any]:
    """The @context for a release whose ontology graph holds `ontology`: prefixes, then one term per property and class."""
    references: dict[str, bool] = dict(VOCABULARY_PROPERTIES)
    classes = set()
    for subject, predicate, obj in ontology:
        if predicate == RDF.type and isinstance(subject, rdflib.URIRef):
            if obj in DECLARED_KINDS:
                references[str(subject)] = references.get(str(subject), False) or obj in REFERENCE_KINDS
            elif obj == OWL.Class:
                classes.add(str(subject))
    names = Counter(_local_name(iri) for iri in {*references, *classes})
    context: dict[str, Any] = {prefix: namespace for prefix, namespace in sorted(PREFIXES.items())}
    context.update({"id": "@id", "type": "@type"})
    for iri in sorted({*references, *classes}):
        name = _local_name(iri)
        if names[name] > 1 or name in context or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            continue  # ambiguous, or a prefix or keyword alias already: the prefixed name serves
        context[name] = {"@id": iri, "@type": "@id"} if references.get(iri) else iri
    return context


def compact(triples: Iterable[tuple[Node, Node, Node]], context: Mapping[str, Any]) -> bytes:
    """The triples as one compact JSON-LD document, with the terms and prefixes of `context` that it uses."""
    graph = rdflib.Graph()
    for triple in triples:
        graph.add(triple)
    # rdflib's JSON-LD serialiser's own compaction, taken as an object: its text (the whole context, indented by the
    # pure-Python encoder) read back would cost more than the compaction itself.
    document = rdflib_jsonld.from_rdf(graph, _parsed(context), auto_compact=True)
    used = _names_used({key: value for key, value in document.items() if key != "@context"}, context)
    document["@context"] = {name: definition for name, definition in context.items() if name in used}
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True).encode()


_PARSED_CONTEXTS: list[tuple[Mapping[str, Any], Context]] = []  # the newest few, by identity: a release's context is one object
_PARSED_KEPT = 4


def _parsed(context: Mapping[str, Any]) -> Context:
    """rdflib's parse of a context (200-odd terms), once per context object rather than once per document."""
    for known, parsed in _PARSED_CONTEXTS:
        if known is context:
            return parsed
    parsed = Context(dict(context))
    _PARSED_CONTEXTS.insert(0, (context, parsed))
    del _PARSED_CONTEXTS[_PARSED_KEPT:]
    return parsed


def _names_used(node: Any, context: Mapping[str, Any], typed: bool = False) -> set[str]:
    """The context's names a compacted document uses: its keys, its type names, and the prefixes of its compact IRIs."""
    used: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            used |= _prefix_of(key, context) | ({key} if key in context else set())
            used |= _names_used(value, context, typed=context.get(key) == "@type" or key == "@type")
    elif isinstance(node, list):
        for item in node:
            used |= _names_used(item, context, typed)
    elif isinstance(node, str):
        used |= _prefix_of(node, context) | ({node} if typed and node in context else set())
    return used


def _prefix_of(text: str, context: Mapping[str, Any]) -> set[str]:
    prefix, colon, rest = text.partition(":")
    return {prefix} if colon and not rest.startswith("//") and isinstance(context.get(prefix), str) else set()
