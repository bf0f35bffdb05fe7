"""A small semi-naive forward-chaining engine for the OWL 2 RL rules SpaceKG's ontology uses.

It exists to explain: for every triple it derives it records the first derivation found (the rule,
by its name in the OWL 2 RL rule tables, and the premises) and the round in which the triple first
appeared. Asserted triples are round 0; a triple first derived in round n has premises from rounds
below n only, so following premises always ends at asserted triples (no cycles). A test checks that
the facts it derives are exactly those owlrl derives.

Rules implemented (W3C OWL 2 Profiles, section 4.3): cax-sco, cax-eqc1, cax-eqc2, prp-dom, prp-rng,
prp-spo1, prp-spo2, prp-eqp1, prp-eqp2, prp-inv1, prp-inv2, prp-symp, prp-trp, eq-sym, eq-trans,
eq-rep-s, eq-rep-p, eq-rep-o. The inconsistency rules (cax-dw, cax-adc, cls-nothing2, prp-fp) are
checks, not inference, and live in `clashes`. Rules that only speak about the vocabulary (scm-*,
eq-ref, cls-thing, dt-*) are left out: their conclusions are never facts about the world, and
chaining cax-sco / prp-spo1 gives the same facts as the scm-* shortcuts. No rule derives a triple
with a literal subject (OWL 2 RL's "generalised" triples).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import BNode, Literal
from rdflib.term import Node

from spacekg.namespaces import OWL, RDF
from spacekg.reason.index import Triple, TripleIndex
from spacekg.reason.schema import Chain, Schema, compile_schema

# Looked up once: attribute access on an rdflib namespace costs a method call, and rules run a million times.
TYPE, SAME_AS = RDF.type, OWL.sameAs

RULE_TITLES = {
    "cax-sco": "subclass: an instance of a class is an instance of its superclass",
    "cax-eqc1": "equivalent class: an instance of a class is an instance of an equivalent class",
    "cax-eqc2": "equivalent class: an instance of a class is an instance of an equivalent class",
    "prp-dom": "domain: whatever has the property is an instance of the property's domain",
    "prp-rng": "range: every value of the property is an instance of the property's range",
    "prp-spo1": "sub-property: a statement with a sub-property also holds with its super-property",
    "prp-spo2": "property chain: a path along the chain's properties gives the chain property",
    "prp-eqp1": "equivalent property: a statement holds with every equivalent property",
    "prp-eqp2": "equivalent property: a statement holds with every equivalent property",
    "prp-inv1": "inverse property: a statement holds in reverse with the inverse property",
    "prp-inv2": "inverse property: a statement holds in reverse with the inverse property",
    "prp-symp": "symmetric property: a statement holds in reverse",
    "prp-trp": "transitive property: two linked statements give a direct one",
    "eq-sym": "sameAs is symmetric",
    "eq-trans": "sameAs is transitive",
    "eq-rep-s": "sameAs: what holds of a resource holds of its equal (subject)",
    "eq-rep-p": "sameAs: what holds with a property holds with its equal (predicate)",
    "eq-rep-o": "sameAs: what holds of a resource holds of its equal (object)",
    "cax-dw": "disjoint classes: no resource is an instance of two disjoint classes",
    "cax-adc": "all-disjoint classes: no resource is an instance of two of the listed classes",
    "cls-nothing2": "nothing: owl:Nothing has no instances",
    "prp-fp": "functional property: a resource has at most one value of the property",
}


@dataclass(frozen=True)
class Derivation:
    """How a triple was first derived: the rule, its premises in the order of the rule table, and the round."""

    rule: str
    premises: tuple[Triple, ...]
    level: int


@dataclass
class Derivations:
    """The engine's closure of ontology + data: every triple, and the first derivation of each derived one."""

    schema: Schema
    closure: TripleIndex
    derived: dict[Triple, Derivation] = field(default_factory=dict)

    def level(self, triple: Triple) -> int:
        derivation = self.derived.get(triple)
        return derivation.level if derivation else 0


Consequence = tuple[str, Triple, tuple[Triple, ...]]


def _paths(index: TripleIndex, start: Node, members: Iterable[Node], forward: bool) -> list[tuple[tuple[Triple, ...], Node]]:
    """Every path from `start` along `members` (forward), or ending at `start` along reversed members."""
    paths: list[tuple[tuple[Triple, ...], Node]] = [((), start)]
    for member in members:
        if forward:
            paths = [(steps + ((node, member, nxt),), nxt) for steps, node in paths for nxt in index.objects(node, member)]
        else:
            paths = [(((prv, member, node),) + steps, prv) for steps, node in paths for prv in index.subjects(member, node)]
    return paths


def _chain(index: TripleIndex, triple: Triple, position: int, chain: Chain) -> Iterator[Consequence]:
    s, _, o = triple
    lefts = _paths(index, s, reversed(chain.members[:position]), forward=False)
    rights = _paths(index, o, chain.members[position + 1:], forward=True)
    for left, first in lefts:
        for right, last in rights:
            if not isinstance(first, Literal):
                yield "prp-spo2", (first, chain.property, last), (chain.axiom,) + left + (triple,) + right


def _equality(index: TripleIndex, triple: Triple) -> Iterator[Consequence]:
    s, p, o = triple
    if p == SAME_AS and s != o:
        yield "eq-sym", (o, SAME_AS, s), (triple,)
        for z in index.objects(o, SAME_AS):
            yield "eq-trans", (s, SAME_AS, z), (triple, (o, SAME_AS, z))
        for w in index.subjects(SAME_AS, s):
            yield "eq-trans", (w, SAME_AS, o), ((w, SAME_AS, s), triple)
        for p2, o2 in index.about(s):
            yield "eq-rep-s", (o, p2, o2), (triple, (s, p2, o2))
        for s2, o2 in index.by_p.get(s, ()):
            yield "eq-rep-p", (s2, o, o2), (triple, (s2, s, o2))
        for s2, p2 in index.pointing_to(s):
            yield "eq-rep-o", (s2, p2, o), (triple, (s2, p2, s))
    if SAME_AS not in index.by_p:
        return  # no owl:sameAs known yet: a later one joins with this triple when it is new itself
    for s2 in index.objects(s, SAME_AS):
        yield "eq-rep-s", (s2, p, o), ((s, SAME_AS, s2), triple)
    for p2 in index.objects(p, SAME_AS):
        yield "eq-rep-p", (s, p2, o), ((p, SAME_AS, p2), triple)
    for o2 in index.objects(o, SAME_AS):
        yield "eq-rep-o", (s, p, o2), ((o, SAME_AS, o2), triple)


def _consequences(schema: Schema, index: TripleIndex, triple: Triple) -> Iterator[Consequence]:
    """Everything one rule application can derive from `triple` joined with the closure so far."""
    s, p, o = triple
    literal_object = isinstance(o, Literal)
    if p == TYPE:
        for rule, superclass, axiom in schema.class_rules.get(o, ()):
            yield rule, (s, TYPE, superclass), (axiom, triple)
    for rule, target, axiom in schema.property_rules.get(p, ()):
        if rule == "prp-dom":
            yield rule, (s, TYPE, target), (axiom, triple)
        elif rule in ("prp-spo1", "prp-eqp1", "prp-eqp2"):
            yield rule, (s, target, o), (axiom, triple)
        elif literal_object:
            continue
        elif rule == "prp-rng":
            yield rule, (o, TYPE, target), (axiom, triple)
        else:  # prp-inv1, prp-inv2, prp-symp
            yield rule, (o, target, s), (axiom, triple)
    if p in schema.transitive:
        axiom = schema.transitive[p]
        for z in index.objects(o, p):
            yield "prp-trp", (s, p, z), (axiom, triple, (o, p, z))
        for w in index.subjects(p, s):
            yield "prp-trp", (w, p, o), (axiom, (w, p, s), triple)
    for position, chain in schema.chains.get(p, ()):
        yield from _chain(index, triple, position, chain)
    yield from _equality(index, triple)


def _preference(rule: str, premises: tuple[Triple, ...]) -> tuple[str, ...]:
    """Among derivations found in the same round, the first by rule name then premises: stable across runs
    (blank-node labels, which differ from parse to parse, are left out of the comparison)."""
    return (rule,) + tuple("" if isinstance(term, BNode) else term.n3() if isinstance(term, Literal) else str(term)
                           for t in premises for term in t)


def derive(ontology: Iterable[Triple], asserted: Iterable[Triple]) -> Derivations:
    """Compute the closure of ontology + data round by round, recording each new triple's first derivation."""
    index = TripleIndex(ontology)
    for triple in asserted:
        index.add(triple)
    schema = compile_schema(index)
    derivations = Derivations(schema, index)
    delta: list[Triple] = list(index.triples)
    level = 0
    while delta:
        level += 1
        # conclusion -> (rule, premises, preference key: computed only once two derivations compete)
        found: dict[Triple, tuple[str, tuple[Triple, ...], tuple[str, ...] | None]] = {}
        for triple in delta:
            for rule, conclusion, premises in _consequences(schema, index, triple):
                if conclusion in index.triples:
                    continue
                earlier = found.get(conclusion)
                if earlier is None:
                    found[conclusion] = (rule, premises, None)
                    continue
                earlier_key = earlier[2] or _preference(earlier[0], earlier[1])
                key = _preference(rule, premises)
                found[conclusion] = (rule, premises, key) if key < earlier_key else (earlier[0], earlier[1], earlier_key)
        for conclusion, (rule, premises, _) in found.items():
            derivations.derived[conclusion] = Derivation(rule, premises, level)
            index.add(conclusion)
        delta = list(found)
    return derivations
