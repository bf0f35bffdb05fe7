"""Namespaces and IRI minting: the only place that knows how SpaceKG IRIs are spelled."""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

DEFAULT_BASE = "https://w3id.org/spacekg/"
SKG = Namespace(DEFAULT_BASE + "ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
SCHEMA = Namespace("http://schema.org/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
OPENGOV = Namespace("http://www.w3.org/ns/opengov#")  # the Popolo project's vocabulary: vote events, votes, counts

PREFIXES = {
    "skg": str(SKG), "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD),
    "skos": str(SKOS), "dct": str(DCTERMS), "foaf": str(FOAF), "org": str(ORG), "prov": str(PROV),
    "bibo": str(BIBO), "dcat": str(DCAT), "schema": str(SCHEMA), "void": str(VOID), "sh": str(SH),
    "opengov": str(OPENGOV),
}

__all__ = ["expand_term","BIBO", "OPENGOV", "DCAT", "DCTERMS", "FOAF", "ORG", "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "SCHEMA",
           "SD", "SH", "SKG", "SKOS", "VOID", "XSD", "Minter", "slugify"]


def slugify(text: str) -> str:
    """Lower-case ASCII slug: 'A/RES/62/43' -> 'a-res-62-43'. Upper-case ISO codes are kept by callers."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


class Minter:
    """Mints entity, graph and release IRIs under one canonical base.

    The ontology namespace is fixed (terms are global); entities and graphs follow the configured base
    so that a deployment can publish under its own domain.
    """

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = base

    def entity(self, kind: str, slug: str) -> URIRef:
        return URIRef(f"{self.base}id/{kind}/{slug}")

    def graph(self, name: str) -> URIRef:
        return URIRef(f"{self.base}graph/{name}")

    def release(self, release_id: str) -> URIRef:
        return URIRef(f"{self.base}release/{release_id}")

    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}dataset")

    def is_entity(self, iri: str) -> bool:
        return iri.startswith(f"{self.base}id/")


def expand_term(text: str, prefixes: dict[str, str]) -> URIRef:
    """An IRI from '<iri>', a bare http(s) IRI, 'a' (rdf:type) or a prefixed name such as skg:partyTo."""
    text = text.strip()
    if text == "a":
        return RDF.type
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    if text.startswith(("http://", "https://", "urn:")):
        return URIRef(text)
    prefix, sep, local = text.partition(":")
    if sep and prefix in prefixes:
        return URIRef(prefixes[prefix] + local)
    raise ValueError(f"{text!r} is not an IRI or a known prefixed name (prefixes: {', '.join(sorted(prefixes))})")
