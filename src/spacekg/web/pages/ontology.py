"""The ontology's documentation: every class, property and concept with label, comment, domain, range and hierarchy.

Each term has an anchor named by its local name, so `…/ontology#State` (served as /ontology#State)
lands on its entry. The page is read from the release's ontology graph, so it documents exactly the
vocabulary that the served data uses, with the number of instances or uses of each term.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from flask import Response, url_for

from spacekg.formats import GRAPHS
from spacekg.namespaces import OWL, RDF, RDFS, SKG, SKOS
from spacekg.web.documents import ontology_quads
from spacekg.web.pages.common import render_page, select, value
from spacekg.web.site import Term
from spacekg.web.state import site

SECTIONS = ((str(OWL.Class), "classes", "Classes"), (str(OWL.ObjectProperty), "object-properties", "Object properties"),
            (str(OWL.DatatypeProperty), "datatype-properties", "Datatype properties"),
            (str(OWL.AnnotationProperty), "annotation-properties", "Annotation properties"), (str(RDFS.Datatype), "datatypes", "Datatypes"),
            (str(SKOS.ConceptScheme), "concept-schemes", "Concept schemes"), (str(SKOS.Concept), "concepts", "Concepts"))
CHARACTERISTICS = {str(OWL.TransitiveProperty): "transitive", str(OWL.FunctionalProperty): "functional",
                   str(OWL.InverseFunctionalProperty): "inverse functional", str(OWL.SymmetricProperty): "symmetric",
                   str(OWL.AsymmetricProperty): "asymmetric", str(OWL.ReflexiveProperty): "reflexive",
                   str(OWL.IrreflexiveProperty): "irreflexive"}
# (label on the page, predicate, read backwards): the facts listed under each term, in this order.
FACTS = (("subclass of", str(RDFS.subClassOf), False), ("subclasses", str(RDFS.subClassOf), True),
         ("equivalent to", str(OWL.equivalentClass), False), ("disjoint with", str(OWL.disjointWith), False),
         ("subproperty of", str(RDFS.subPropertyOf), False), ("subproperties", str(RDFS.subPropertyOf), True),
         ("inverse of", str(OWL.inverseOf), False), ("domain", str(RDFS.domain), False), ("range", str(RDFS.range), False),
         ("in scheme", str(SKOS.inScheme), False), ("concepts", str(SKOS.inScheme), True), ("notation", str(SKOS.notation), False))
USES = "SELECT ?term (COUNT(*) AS ?n) WHERE { { ?s a ?term } UNION { ?s ?term ?o } } GROUP BY ?term"


@dataclass
class Entry:
    """One term of the vocabulary as its documentation shows it."""

    term: Term
    anchor: str
    name: str  # the prefixed name, e.g. skg:State
    comment: str = ""
    facts: list[tuple[str, list[Term]]] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    chain: list[Term] = field(default_factory=list)
    uses: int = 0


def _anchor(iri: str) -> str:
    return iri.rpartition("#")[2] if iri.startswith(str(SKG)) else site().compact(iri)


def _english(values: list[ox.Literal]) -> str:
    ranked = sorted(values, key=lambda literal: (literal.language != "en", bool(literal.language), literal.value))
    return ranked[0].value if ranked else ""


def documentation() -> dict[str, Any]:
    """Everything the page shows, read once from the ontology graph."""
    forward: dict[str, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]] = defaultdict(lambda: defaultdict(list))
    backward: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for quad in ontology_quads():
        subject = str(quad.subject.value) if not isinstance(quad.subject, ox.Triple) else str(quad.subject)
        forward[subject][quad.predicate.value].append(quad.object)  # type: ignore[arg-type]
        if isinstance(quad.object, ox.NamedNode):
            backward[quad.object.value][quad.predicate.value].append(subject)

    def items(node: str) -> list[str]:  # the members of an RDF list
        members: list[str] = []
        while node and node != str(RDF.nil):
            members.extend(str(o.value) for o in forward[node][str(RDF.first)])
            rest = forward[node][str(RDF.rest)]
            node = rest[0].value if rest else ""
        return members

    disjoint: dict[str, set[str]] = defaultdict(set)
    for predicates in list(forward.values()):
        for members in predicates.get(str(OWL.members), []):
            group = items(members.value)
            for member in group:
                disjoint[member].update(other for other in group if other != member)
    uses = {value(row["term"]): int(value(row["n"])) for row in select(USES)}
    sections = []
    for kind, anchor, title in SECTIONS:
        entries = []
        for iri in sorted(backward[kind].get(str(RDF.type), []), key=lambda i: site().label(i).casefold()):
            if not iri.startswith(("http://", "https://")):
                continue
            facts_of = forward[iri]
            entry = Entry(site().iri_term(iri), _anchor(iri), site().compact(iri), _english(
                [o for o in facts_of[str(RDFS.comment)] if isinstance(o, ox.Literal)]), uses=uses.get(iri, 0))
            for label, predicate, backwards in FACTS:
                if backwards:
                    found = [site().iri_term(s) for s in backward[iri].get(predicate, [])]
                else:
                    found = [term for term in (site().term(o) for o in facts_of.get(predicate, []) if not isinstance(o, ox.BlankNode)) if term]
                if predicate == str(OWL.disjointWith) and not backwards:
                    found += [site().iri_term(other) for other in sorted(disjoint.get(iri, ()))]
                if found:
                    entry.facts.append((label, site().sorted_terms({t.value: t for t in found}.values())))
            for described in facts_of.get(str(OWL.equivalentClass), []):
                if isinstance(described, ox.BlankNode):  # a class or datatype expression: union or intersection of a list
                    for operator, label in ((str(OWL.unionOf), "one of"), (str(OWL.intersectionOf), "all of")):
                        for members in forward[described.value].get(operator, []):
                            entry.facts.append((label, [site().iri_term(member) for member in items(members.value)]))
            entry.characteristics = sorted(CHARACTERISTICS[t.value] for t in facts_of[str(RDF.type)] if t.value in CHARACTERISTICS)
            for chain in facts_of.get(str(OWL.propertyChainAxiom), []):
                entry.chain = [site().iri_term(member) for member in items(chain.value)]
            entries.append(entry)
        if entries:
            sections.append({"anchor": anchor, "title": title, "entries": entries})
    classes = {entry.term.value for section in sections if section["anchor"] == "classes" for entry in section["entries"]}  # type: ignore[attr-defined]
    children: dict[str, list[str]] = defaultdict(list)
    roots = []
    for cls in classes:
        parents = [o.value for o in forward[cls][str(RDFS.subClassOf)] if isinstance(o, ox.NamedNode) and o.value in classes]
        for parent in parents:
            children[parent].append(cls)
        if not parents:
            roots.append(cls)

    def tree(cls: str) -> dict[str, object]:
        kids = sorted(children.get(cls, []), key=lambda c: site().label(c).casefold())
        return {"term": site().iri_term(cls), "anchor": _anchor(cls), "children": [tree(kid) for kid in kids]}

    header = forward.get(str(SKG)[:-1], {})
    return {"sections": sections, "hierarchy": [tree(root) for root in sorted(roots, key=lambda c: site().label(c).casefold())],
            "title": _english([o for o in header.get(str(RDFS.label), []) if isinstance(o, ox.Literal)]) or "SpaceKG ontology",
            "comment": _english([o for o in header.get(str(RDFS.comment), []) if isinstance(o, ox.Literal)]),
            "version": _english([o for o in header.get(str(OWL.versionInfo), []) if isinstance(o, ox.Literal)]),
            "namespace": str(SKG)}


def ontology_page() -> Response:
    """The documentation page of the ontology (linked_data.ontology serves it at /ontology for browsers)."""
    alternates = [(f.media_type, f"the ontology in {f.label}", url_for("linked_data.ontology_document", extension=f.extension))
                  for f in GRAPHS]
    return render_page("ontology.html", alternates=alternates, **site().cached("ontology-documentation", documentation))
