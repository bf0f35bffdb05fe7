"""The ontology's axioms, compiled into lookup tables for the rule engine and the clash checks.

Only the OWL 2 RL axioms SpaceKG uses are compiled; any other OWL construct in the input stops the
build with UnsupportedAxiomError, so that an ontology change can never make explanations or clash
checks silently incomplete.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import BNode
from rdflib.term import Node

from spacekg.errors import UnsupportedAxiomError
from spacekg.namespaces import OWL, RDF, RDFS
from spacekg.reason.index import Triple, TripleIndex

# OWL 2 RL constructs whose rules the engine does not implement (used as predicate, or as rdf:type object).
UNSUPPORTED_PREDICATES = frozenset({
    OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.intersectionOf, OWL.unionOf, OWL.complementOf,
    OWL.oneOf, OWL.hasKey, OWL.maxCardinality, OWL.maxQualifiedCardinality, OWL.cardinality, OWL.onProperty,
    OWL.propertyDisjointWith, OWL.differentFrom, OWL.distinctMembers, OWL.sourceIndividual,
})
UNSUPPORTED_TYPES = frozenset({
    OWL.InverseFunctionalProperty, OWL.IrreflexiveProperty, OWL.AsymmetricProperty, OWL.ReflexiveProperty,
    OWL.AllDisjointProperties, OWL.AllDifferent, OWL.NegativePropertyAssertion, OWL.Restriction,
})


# What compile_schema reads: the axioms' predicates, and the rdf:type objects that declare a property's kind.
SCHEMA_PREDICATES = frozenset({
    RDFS.subClassOf, OWL.equivalentClass, RDFS.domain, RDFS.range, RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf,
    OWL.propertyChainAxiom, OWL.disjointWith, OWL.members, RDF.first, RDF.rest, *UNSUPPORTED_PREDICATES,
})
SCHEMA_TYPES = frozenset({OWL.SymmetricProperty, OWL.TransitiveProperty, OWL.FunctionalProperty, OWL.AllDisjointClasses, RDFS.Datatype,
                          *UNSUPPORTED_TYPES})


_TYPE = RDF.type  # looked up once: namespace attribute access is a call, and this runs once per triple


def is_schema_triple(triple: Triple) -> bool:
    """Whether compile_schema needs the triple (an axiom, a list cell, a declaration), wherever it was written."""
    _, p, o = triple
    return p in SCHEMA_PREDICATES or (p == _TYPE and o in SCHEMA_TYPES)


@dataclass(frozen=True)
class Chain:
    """`property owl:propertyChainAxiom (members...)`, stated by `axiom`."""

    property: Node
    members: tuple[Node, ...]
    axiom: Triple


@dataclass(frozen=True)
class Disjointness:
    """Two classes that share no instance, and the axiom (and its OWL 2 RL rule) that says so."""

    first: Node
    second: Node
    rule: str
    axiom: Triple


@dataclass
class Schema:
    """Lookup tables: for each class or property, what an instance or a use of it entails, and by which rule."""

    class_rules: dict[Node, list[tuple[str, Node, Triple]]] = field(default_factory=lambda: defaultdict(list))
    property_rules: dict[Node, list[tuple[str, Node, Triple]]] = field(default_factory=lambda: defaultdict(list))
    transitive: dict[Node, Triple] = field(default_factory=dict)
    chains: dict[Node, list[tuple[int, Chain]]] = field(default_factory=lambda: defaultdict(list))
    disjoint: list[Disjointness] = field(default_factory=list)
    functional: dict[Node, Triple] = field(default_factory=dict)
    lists: dict[Node, tuple[Node, ...]] = field(default_factory=dict)


def _read_list(index: TripleIndex[Node], head: Node) -> tuple[Node, ...]:
    items: list[Node] = []
    node, seen = head, set()
    while node != RDF.nil:
        if node in seen:
            raise UnsupportedAxiomError(f"the RDF list {node.n3()} is circular", "fix the list in the ontology")
        seen.add(node)
        firsts, rests = index.objects(node, RDF.first), index.objects(node, RDF.rest)
        if len(firsts) != 1 or len(rests) != 1:
            raise UnsupportedAxiomError(f"the RDF list at {node.n3()} is malformed", "write the list as ( a b c ) in Turtle")
        items.append(next(iter(firsts)))
        node = next(iter(rests))
    return tuple(items)


def _in_data_range(index: TripleIndex[Node], node: Node) -> bool:
    """True for a blank node typed rdfs:Datatype: a data range definition, which no OWL 2 RL rule reads."""
    return isinstance(node, BNode) and bool(index.subjects(RDF.type, RDFS.Datatype) & {node})


def _refuse_unsupported(index: TripleIndex[Node]) -> None:
    # A union of datatypes (e.g. skg:PartialDate = xsd:date | xsd:gYearMonth | xsd:gYear) only documents
    # literals' types; the RL rules never use it, so it is not an unsupported class construct.
    used = {p for p in index.by_p if p in UNSUPPORTED_PREDICATES
            and any(not (p == OWL.unionOf and _in_data_range(index, s)) for s, _ in index.by_p[p])}
    used |= {t for t in UNSUPPORTED_TYPES if index.subjects(RDF.type, t)}
    if used:
        names = ", ".join(sorted(term.n3() for term in used))
        raise UnsupportedAxiomError(f"the ontology uses {names}, which SpaceKG's reasoner does not implement",
                                    "add the construct's OWL 2 RL rule to src/spacekg/reason/rules.py with a fixture "
                                    "in tests/fixtures/reason/, or remove the axiom")


def compile_schema(index: TripleIndex[Node]) -> Schema:
    """Compile the axioms among the indexed triples (ontology and data alike, as an OWL 2 RL reasoner reads both)."""
    _refuse_unsupported(index)
    schema = Schema()
    for t in index.statements(RDFS.subClassOf):
        schema.class_rules[t[0]].append(("cax-sco", t[2], t))
    for t in index.statements(OWL.equivalentClass):
        schema.class_rules[t[0]].append(("cax-eqc1", t[2], t))
        schema.class_rules[t[2]].append(("cax-eqc2", t[0], t))
    for t in index.statements(RDFS.domain):
        schema.property_rules[t[0]].append(("prp-dom", t[2], t))
    for t in index.statements(RDFS.range):
        schema.property_rules[t[0]].append(("prp-rng", t[2], t))
    for t in index.statements(RDFS.subPropertyOf):
        schema.property_rules[t[0]].append(("prp-spo1", t[2], t))
    for t in index.statements(OWL.equivalentProperty):
        schema.property_rules[t[0]].append(("prp-eqp1", t[2], t))
        schema.property_rules[t[2]].append(("prp-eqp2", t[0], t))
    for t in index.statements(OWL.inverseOf):
        schema.property_rules[t[0]].append(("prp-inv1", t[2], t))
        schema.property_rules[t[2]].append(("prp-inv2", t[0], t))
    for t in index.statements(RDF.type, OWL.SymmetricProperty):
        schema.property_rules[t[0]].append(("prp-symp", t[0], t))
    for t in index.statements(RDF.type, OWL.TransitiveProperty):
        schema.transitive[t[0]] = t
    for t in index.statements(RDF.type, OWL.FunctionalProperty):
        schema.functional[t[0]] = t
    for t in index.statements(OWL.propertyChainAxiom):
        members = schema.lists[t[2]] = _read_list(index, t[2])
        chain = Chain(t[0], members, t)
        for position, member in enumerate(members):
            schema.chains[member].append((position, chain))
    for t in index.statements(OWL.disjointWith):
        schema.disjoint.append(Disjointness(t[0], t[2], "cax-dw", t))
    for axiom_node in {t[0] for t in index.statements(RDF.type, OWL.AllDisjointClasses)}:
        for t in [(axiom_node, OWL.members, members_node) for members_node in index.objects(axiom_node, OWL.members)]:
            members = schema.lists[t[2]] = _read_list(index, t[2])
            schema.disjoint.extend(Disjointness(a, b, "cax-adc", t) for i, a in enumerate(members) for b in members[i + 1:])
    return schema
