"""Which entailed triples are facts a researcher would want in the inferred graph.

An OWL 2 RL closure holds much that is true but says nothing about the world. A new triple
(s, p, o) — one in neither the ontology nor the data — is kept if and only if:

1. its subject is not a literal (OWL 2 RL's "generalised" triples such as "1967"^^xsd:gYear
   owl:sameAs "1967"^^xsd:gYear or "SWE" rdf:type xsd:string);
2. its subject is not a term of the vocabulary: neither an IRI of the RDF, RDFS, OWL or XSD
   namespaces, nor any IRI or blank node the ontology graph mentions (classes, properties, SKOS
   concepts, axiom and list nodes). This drops the ontology's own closure — subClassOf and
   subPropertyOf chains, domain and range propagation, owl:Class / rdf:Property /
   owl:AnnotationProperty / rdfs:Datatype typing of terms, datatype declarations — which belongs
   to the ontology graph, not to the facts;
3. it is not a tautology: x owl:sameAs x, x rdfs:subClassOf x, x rdfs:subPropertyOf x,
   x owl:equivalentClass x, x owl:equivalentProperty x;
4. if it is an rdf:type triple, its class is not a built-in class of RDF, RDFS, OWL or XSD
   (owl:Thing, rdfs:Resource, owl:Class, rdf:Property, owl:NamedIndividual, xsd:string, ...):
   every resource is an owl:Thing, and saying so 10,000 times tells nobody anything.

Everything else is kept: class memberships (an ASAT test is an event), inverse, super-property,
chain and transitive links, and owl:sameAs between two different resources.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal
from rdflib.term import Node

from spacekg.namespaces import OWL, RDF, RDFS, XSD
from spacekg.reason.index import Triple
from spacekg.reason.rules import Derivations

BUILT_IN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))
REFLEXIVE_TAUTOLOGIES = frozenset({OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty})


def vocabulary_terms(ontology: Iterable[Triple]) -> frozenset[Node]:
    """Every IRI and blank node the ontology mentions, in any position: the terms facts are not about."""
    return frozenset(term for triple in ontology for term in triple if not isinstance(term, Literal))


def _built_in(term: Node) -> bool:
    return not isinstance(term, Literal) and str(term).startswith(BUILT_IN_NAMESPACES)


def is_fact(triple: Triple, vocabulary: frozenset[Node]) -> bool:
    """Whether an entailed triple says something about the world (rules 1-4 of this module)."""
    s, p, o = triple
    if isinstance(s, Literal) or s in vocabulary or _built_in(s):
        return False
    if s == o and p in REFLEXIVE_TAUTOLOGIES:
        return False
    return not (p == RDF.type and _built_in(o))


def new_facts(entailed: Iterable[Triple], stated: Iterable[Iterable[Triple]], vocabulary: frozenset[Node]) -> frozenset[Triple]:
    """The entailed triples that are facts and are not already among the `stated` ones (ontology, data)."""
    known = [triples if isinstance(triples, (set, frozenset)) else frozenset(triples) for triples in stated]
    return frozenset(t for t in entailed if not any(t in triples for triples in known) and is_fact(t, vocabulary))


def derived_facts(derivations: Derivations, vocabulary: frozenset[Node]) -> frozenset[Triple]:
    """The facts among the rule engine's derived triples (none of which was given): rules 1-4, in numbers.

    The same filter as `is_fact`, decided once per distinct term instead of once per triple.
    """
    terms = derivations.terms
    excluded_subjects = {number for term in vocabulary if (number := terms.known(term)) is not None}
    built_in = {number for number, term in enumerate(terms.nodes) if _built_in(term)}
    excluded_subjects |= built_in
    reflexive = {number for term in REFLEXIVE_TAUTOLOGIES if (number := terms.known(term)) is not None}
    rdf_type = terms.known(RDF.type)
    kept = []
    for ids in derivations.steps:
        s, p, o = ids
        if s < 0 or s in excluded_subjects or (s == o and p in reflexive) or (p == rdf_type and o in built_in):
            continue
        kept.append(terms.triple(ids))
    return frozenset(kept)
