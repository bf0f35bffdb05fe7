"""How pages show RDF terms: readable labels, links that stay on this server, compact names for the rest.

The server maps canonical IRIs onto its own URLs: an entity `{base}id/state/USA` is shown by the page
at `/doc/state/USA` of whichever host served the request, an ontology term `…/ontology#State` by
`/ontology#State`. Links are written as paths, so they resolve on the host (and behind the proxy)
that the reader used, and never name the server's internal address.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from threading import Lock
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pyoxigraph as ox
from flask import url_for

from spacekg.kinds import entity_prefixes
from spacekg.namespaces import DEFAULT_BASE, PREFIXES, SKG, Minter
from spacekg.store.serving import ServedDataset, ServedStore

T = TypeVar("T")
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
DCT_TITLE = "http://purl.org/dc/terms/title"
LABEL_PROPERTIES = (RDFS_LABEL, SKOS_PREF_LABEL, FOAF_NAME, DCT_TITLE)  # in order of preference
PLAIN_DATATYPES = {"http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
# Names for the terms of reused vocabularies, which the graph does not label itself.
VOCABULARY_LABELS = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "type", RDFS_LABEL: "label", SKOS_PREF_LABEL: "preferred label",
    "http://www.w3.org/2004/02/skos/core#altLabel": "also known as", "http://www.w3.org/2004/02/skos/core#note": "note",
    "http://www.w3.org/2004/02/skos/core#notation": "notation", "http://www.w3.org/2004/02/skos/core#inScheme": "in scheme",
    "http://www.w3.org/2000/01/rdf-schema#comment": "comment", "http://www.w3.org/2000/01/rdf-schema#subClassOf": "subclass of",
    "http://purl.org/dc/terms/source": "source", DCT_TITLE: "title", "http://purl.org/dc/terms/publisher": "publisher",
    "http://purl.org/dc/terms/creator": "creator", "http://purl.org/dc/terms/contributor": "contributor",
    "http://purl.org/dc/terms/issued": "issued", "http://purl.org/dc/terms/isVersionOf": "version of",
    "http://purl.org/dc/terms/hasVersion": "has version", "http://purl.org/dc/terms/references": "references",
    "http://purl.org/dc/terms/subject": "subject", "http://xmlns.com/foaf/0.1/page": "web page",
    "http://xmlns.com/foaf/0.1/homepage": "homepage", FOAF_NAME: "name", "http://purl.org/ontology/bibo/doi": "DOI",
    "http://purl.org/ontology/bibo/volume": "volume", "http://purl.org/ontology/bibo/issue": "issue",
    "http://purl.org/ontology/bibo/pages": "pages", "http://www.w3.org/ns/org#subOrganizationOf": "part of",
    "http://www.w3.org/ns/org#memberOf": "member of", "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject": "statement subject",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate": "statement predicate",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#object": "statement object",
}
# Namespaces of vocabularies: their terms are shown by name, not linked (they are not pages of this site).
VOCABULARIES = (*PREFIXES.values(), "http://purl.org/vocab/vann/", "http://www.w3.org/ns/sparql-service-description#")


@dataclass(frozen=True)
class Term:
    """An RDF term as a page shows it: its text, where it links (if anywhere), and for literals language and datatype."""

    value: str  # the IRI, or a literal's lexical form
    label: str  # what the reader sees
    href: str = ""  # a path on this server, an outside web page (external), or '' for no link
    kind: str = "iri"  # "iri", "literal" or "bnode"
    lang: str = ""
    datatype: str = ""  # compact datatype of a typed literal, '' for plain strings
    external: bool = False
    name: str = ""  # an IRI's prefixed name (state:USA), for tables that show identifiers

    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"


CACHED_VALUES = 64  # per served release: the pages' computed tables, VoID per public host, …


class Site:
    """Labels, links and compact names for one served dataset under one canonical base IRI."""

    def __init__(self, dataset: ServedDataset, base_iri: str) -> None:
        self.dataset = dataset
        self.base_iri = base_iri
        self.minter = Minter(base_iri)
        self.entity_base = f"{base_iri}id/"
        self.prefixes = entity_prefixes(self.minter)
        # The ontology namespace is fixed (terms are global); a deployment under another base may also mint its own.
        self.ontology_iris = tuple(dict.fromkeys((str(SKG)[:-1], f"{base_iri}ontology", f"{DEFAULT_BASE}ontology")))
        self._labels: dict[str, str] | None = None
        self._lock = Lock()
        self._cache: OrderedDict[str, Any] = OrderedDict()

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """A value computed once per served release (which never changes), e.g. the counts of the landing page.

        At most CACHED_VALUES are kept, the least recently used dropped first: a key may hold a request's part (the
        host a trusted proxy forwards), and no request may grow a worker without bound.
        """
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = compute()
        with self._lock:
            kept = self._cache.setdefault(key, value)
            while len(self._cache) > CACHED_VALUES:
                self._cache.popitem(last=False)
            return kept

    @property
    def labels(self) -> dict[str, str]:
        """The best label of every labelled IRI, read once (an English rdfs:label before anything else)."""
        with self._lock:
            if self._labels is None:
                self._labels = read_labels(self.dataset.store)
            return self._labels

    def entity_iri(self, path: str) -> str:
        """The canonical IRI of the entity served at /id/{path}."""
        return self.entity_base + path

    def entity_path(self, iri: str) -> str:
        """'state/USA' for an entity IRI, '' for anything else."""
        return iri[len(self.entity_base):] if iri.startswith(self.entity_base) else ""

    def local_href(self, iri: str) -> str:
        """The path on this server that shows `iri`, or '' when the server does not serve it."""
        path = self.entity_path(iri)
        if path:
            return url_for("linked_data.document", path=path)
        for ontology in self.ontology_iris:
            if iri == ontology:
                return url_for("linked_data.ontology")
            if iri.startswith(ontology + "#") and len(iri) > len(ontology) + 1:
                return url_for("linked_data.ontology") + "#" + iri[len(ontology) + 1:]
        return ""

    def compact(self, iri: str) -> str:
        """A prefixed name where a known prefix fits ('skg:State', 'state:USA'), else the IRI."""
        best = ""
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace) and len(namespace) > len(self.prefixes.get(best, "")):
                best = prefix
        if best:
            local = iri[len(self.prefixes[best]):]
            if local and all(c.isalnum() or c in "_-./" for c in local):
                return f"{best}:{local}"
        return iri

    def label(self, iri: str) -> str:
        found = self.labels.get(iri)
        if found and found.startswith(("http://", "https://")):
            return short_address(found)  # a web page cited by its address: the full address is on its own page
        return found or VOCABULARY_LABELS.get(iri) or self.compact(iri)

    def iri_term(self, iri: str, label: str | None = None) -> Term:
        href = self.local_href(iri)
        external = not href and iri.startswith(("http://", "https://")) and not iri.startswith((*VOCABULARIES, self.base_iri, DEFAULT_BASE))
        return Term(iri, label or self.label(iri), href or (iri if external else ""), "iri", external=external, name=self.compact(iri))

    def term(self, node: OxTerm | None) -> Term | None:
        """A term of a query answer or a quad as the page shows it; None stays None."""
        if node is None:
            return None
        if isinstance(node, ox.NamedNode):
            return self.iri_term(node.value)
        if isinstance(node, ox.BlankNode):
            return Term(node.value, "(anonymous node)", kind="bnode")
        if isinstance(node, ox.Triple):  # an RDF 1.2 triple term: shown as N-Triples writes it
            return Term(str(node), f"<<( {node.subject} {node.predicate} {node.object} )>>", kind="literal")
        datatype = "" if node.language or node.datatype.value in PLAIN_DATATYPES else self.compact(node.datatype.value)
        return Term(node.value, node.value, kind="literal", lang=node.language or "", datatype=datatype)

    def json_term(self, encoded: dict[str, object]) -> Term:
        """A term in the SPARQL JSON results convention (also used by explanations)."""
        value = str(encoded.get("value", ""))
        kind = encoded.get("type")
        if kind == "uri":
            return self.iri_term(value)
        if kind == "bnode":
            return Term(value, "(anonymous node)", kind="bnode")
        if kind == "list":
            listed = encoded.get("items")
            items = [self.json_term(item) for item in listed if isinstance(item, dict)] if isinstance(listed, list) else []
            return Term("", "( " + " ".join(item.label for item in items) + " )", kind="literal")
        datatype = str(encoded.get("datatype", ""))
        lang = str(encoded.get("xml:lang", ""))
        shown = "" if lang or not datatype or datatype in PLAIN_DATATYPES else self.compact(datatype)
        return Term(value, value, kind="literal", lang=lang, datatype=shown)

    def sorted_terms(self, terms: Iterable[Term]) -> list[Term]:
        return sorted(terms, key=lambda term: (term.label.casefold(), term.value))


def short_address(address: str) -> str:
    """'raumfahrtkalender.de/…/1979-017' for a long web address used as a label."""
    parts = urlsplit(address)
    segments = [segment for segment in parts.path.split("/") if segment]
    if len(segments) <= 1 and not parts.query:
        return parts.netloc + parts.path.rstrip("/")
    return f"{parts.netloc}/…/{segments[-1]}" if segments else parts.netloc


def read_labels(store: ServedStore) -> dict[str, str]:
    """The best label of every IRI that has one: by property (rdfs:label first), then English, untagged, other."""
    query = ("SELECT ?s ?p ?l WHERE { VALUES ?p { " + " ".join(f"<{p}>" for p in LABEL_PROPERTIES) + " } "
             "?s ?p ?l FILTER(isIRI(?s) && isLiteral(?l)) }")
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    best: dict[str, tuple[int, int, str]] = {}
    for row in result:
        literal = row["l"]
        assert isinstance(literal, ox.Literal)
        language = literal.language or ""
        rank = (LABEL_PROPERTIES.index(row["p"].value), 0 if language == "en" else 1 if not language else 2, literal.value)
        subject = row["s"].value
        if subject not in best or rank < best[subject]:
            best[subject] = rank
    return {subject: rank[2] for subject, rank in best.items()}
