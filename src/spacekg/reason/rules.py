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

The engine joins numbers, not terms (see `interning`); `Derivations` answers in terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from rdflib import BNode, Literal
from rdflib.term import Node

from spacekg.namespaces import OWL, RDF
from spacekg.reason.index import Triple, TripleIndex
from spacekg.reason.interning import Ids, Interner
from spacekg.reason.schema import Schema, compile_schema, is_schema_triple

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




class Derivation(NamedTuple):
    """How a triple was first derived: the rule, its premises in the order of the rule table, and the round."""

    rule: str
    premises: tuple[Triple, ...]
    level: int


Step = tuple[str, tuple[Ids, ...], int]  # a Derivation in numbers


@dataclass
class Derivations:
    """The engine's closure of ontology + data, and the first derivation of each derived triple, answered in terms."""

    schema: Schema  # the axioms, in terms (for clashes and explanations)
    terms: Interner
    closure: TripleIndex[int]  # in numbers
    steps: dict[Ids, Step]  # in numbers

    @property
    def derived(self) -> Mapping[Triple, Derivation]:
        """Every derived triple and how it was first derived (a view: each is turned into terms when read)."""
        return _DerivedView(self)

    def level(self, triple: Triple) -> int:
        derivation = self.derived.get(triple)
        return derivation.level if derivation else 0

    def holds(self, triple: Triple) -> bool:
        """Whether the triple is in the closure (given, or derived)."""
        ids = self.terms.triple_ids(triple)
        return ids is not None and ids in self.closure

    def all_triples(self) -> set[Triple]:
        """The whole closure (ontology, data and what was derived), in terms."""
        return {self.terms.triple(ids) for ids in self.closure.triples}

    def subjects(self, predicate: Node, obj: Node) -> set[Node]:
        p, o = self.terms.known(predicate), self.terms.known(obj)
        return set() if p is None or o is None else {self.terms.term(s) for s in self.closure.subjects(p, o)}

    def objects(self, subject: Node, predicate: Node) -> set[Node]:
        s, p = self.terms.known(subject), self.terms.known(predicate)
        return set() if s is None or p is None else {self.terms.term(o) for o in self.closure.objects(s, p)}

    def subjects_with(self, predicate: Node) -> set[Node]:
        """Every subject of a triple with this predicate."""
        p = self.terms.known(predicate)
        return set() if p is None else {self.terms.term(s) for s, _ in self.closure.by_p.get(p, ())}


class _DerivedView(Mapping[Triple, Derivation]):
    def __init__(self, derivations: Derivations) -> None:
        self.derivations = derivations

    def __getitem__(self, triple: Triple) -> Derivation:
        ids = self.derivations.terms.triple_ids(triple)
        step = self.derivations.steps.get(ids) if ids is not None else None
        if step is None:
            raise KeyError(triple)
        rule, premises, level = step
        return Derivation(rule, tuple(self.derivations.terms.triple(premise) for premise in premises), level)

    def __iter__(self) -> Iterator[Triple]:
        return (self.derivations.terms.triple(ids) for ids in self.derivations.steps)

    def __len__(self) -> int:
        return len(self.derivations.steps)


class _Chain(NamedTuple):
    """A property chain in numbers: the chain property, its members, and the axiom that states it."""

    property: int
    members: tuple[int, ...]
    axiom: Ids


@dataclass(frozen=True)
class _Rules:
    """The axioms in numbers, as the rules read them."""

    class_rules: dict[int, list[tuple[str, int, Ids]]]
    property_rules: dict[int, list[tuple[str, int, Ids]]]
    transitive: dict[int, Ids]
    chains: dict[int, list[tuple[int, _Chain]]]
    type: int
    same_as: int


def _numbered(schema: Schema, terms: Interner) -> _Rules:
    def triple(t: Triple) -> Ids:
        return (terms.id(t[0]), terms.id(t[1]), terms.id(t[2]))

    chains: dict[int, list[tuple[int, _Chain]]] = {}
    for member, uses in schema.chains.items():
        chains[terms.id(member)] = [(position, _Chain(terms.id(c.property), tuple(terms.id(m) for m in c.members), triple(c.axiom)))
                                    for position, c in uses]
    return _Rules(
        {terms.id(k): [(r, terms.id(t), triple(a)) for r, t, a in v] for k, v in schema.class_rules.items()},
        {terms.id(k): [(r, terms.id(t), triple(a)) for r, t, a in v] for k, v in schema.property_rules.items()},
        {terms.id(k): triple(a) for k, a in schema.transitive.items()}, chains, terms.id(RDF.type), terms.id(OWL.sameAs))


Consequence = tuple[str, Ids, tuple[Ids, ...]]


def _paths(index: TripleIndex[int], start: int, members: Iterable[int], forward: bool) -> list[tuple[tuple[Ids, ...], int]]:
    """Every path from `start` along `members` (forward), or ending at `start` along reversed members."""
    paths: list[tuple[tuple[Ids, ...], int]] = [((), start)]
    for member in members:
        if forward:
            paths = [(steps + ((node, member, nxt),), nxt) for steps, node in paths for nxt in index.objects(node, member)]
        else:
            paths = [(((prv, member, node),) + steps, prv) for steps, node in paths for prv in index.subjects(member, node)]
    return paths


def _chain(index: TripleIndex[int], triple: Ids, position: int, chain: _Chain) -> Iterator[Consequence]:
    s, _, o = triple
    lefts = _paths(index, s, reversed(chain.members[:position]), forward=False)
    rights = _paths(index, o, chain.members[position + 1:], forward=True)
    for left, first in lefts:
        for right, last in rights:
            if first >= 0:  # no literal subject
                yield "prp-spo2", (first, chain.property, last), (chain.axiom,) + left + (triple,) + right


def _equality(index: TripleIndex[int], triple: Ids, same_as: int) -> Iterator[Consequence]:
    s, p, o = triple
    if p == same_as and s != o:
        yield "eq-sym", (o, same_as, s), (triple,)
        for z in index.objects(o, same_as):
            yield "eq-trans", (s, same_as, z), (triple, (o, same_as, z))
        for w in index.subjects(same_as, s):
            yield "eq-trans", (w, same_as, o), ((w, same_as, s), triple)
        for p2, o2 in index.about(s):
            yield "eq-rep-s", (o, p2, o2), (triple, (s, p2, o2))
        for s2, o2 in index.by_p.get(s, ()):
            yield "eq-rep-p", (s2, o, o2), (triple, (s2, s, o2))
        for s2, p2 in index.pointing_to(s):
            yield "eq-rep-o", (s2, p2, o), (triple, (s2, p2, s))
    if same_as not in index.by_p:
        return  # no owl:sameAs known yet: a later one joins with this triple when it is new itself
    for s2 in index.objects(s, same_as):
        yield "eq-rep-s", (s2, p, o), ((s, same_as, s2), triple)
    for p2 in index.objects(p, same_as):
        yield "eq-rep-p", (s, p2, o), ((p, same_as, p2), triple)
    for o2 in index.objects(o, same_as):
        yield "eq-rep-o", (s, p, o2), ((o, same_as, o2), triple)


def _consequences(rules: _Rules, index: TripleIndex[int], triple: Ids) -> Iterator[Consequence]:
    """Everything one rule application can derive from `triple` joined with the closure so far."""
    s, p, o = triple
    if p == rules.type:
        for rule, superclass, axiom in rules.class_rules.get(o, ()):
            yield rule, (s, p, superclass), (axiom, triple)
    for rule, target, axiom in rules.property_rules.get(p, ()):
        if rule == "prp-dom":
            yield rule, (s, rules.type, target), (axiom, triple)
        elif rule in ("prp-spo1", "prp-eqp1", "prp-eqp2"):
            yield rule, (s, target, o), (axiom, triple)
        elif o < 0:  # a literal object: no triple has it as subject
            continue
        elif rule == "prp-rng":
            yield rule, (o, rules.type, target), (axiom, triple)
        else:  # prp-inv1, prp-inv2, prp-symp
            yield rule, (o, target, s), (axiom, triple)
    if p in rules.transitive:
        axiom = rules.transitive[p]
        for z in index.objects(o, p):
            yield "prp-trp", (s, p, z), (axiom, triple, (o, p, z))
        for w in index.subjects(p, s):
            yield "prp-trp", (w, p, o), (axiom, (w, p, s), triple)
    for position, chain in rules.chains.get(p, ()):
        yield from _chain(index, triple, position, chain)
    yield from _equality(index, triple, rules.same_as)


def _premise_key(premises: tuple[Ids, ...], terms: Interner) -> tuple[str, ...]:
    """Among derivations by the same rule found in the same round, the first by premises: stable across runs
    (blank-node labels, which differ from parse to parse, are left out of the comparison)."""
    return tuple("" if isinstance(term, BNode) else term.n3() if isinstance(term, Literal) else str(term)
                 for t in premises for term in terms.triple(t))


def derive(ontology: Iterable[Triple], asserted: Iterable[Triple]) -> Derivations:
    """Compute the closure of ontology + data round by round, recording each new triple's first derivation."""
    terms = Interner()
    given = [*ontology, *asserted]
    schema = compile_schema(TripleIndex(t for t in given if is_schema_triple(t)))
    index: TripleIndex[int] = TripleIndex(terms.ids_of(given))
    del given
    rules = _numbered(schema, terms)
    steps: dict[Ids, Step] = {}
    delta: list[Ids] = list(index.triples)
    level = 0
    while delta:
        level += 1
        # Among derivations of one conclusion in one round, the first by rule name, then by premises (their key is
        # computed only when two by the same rule compete): conclusion -> (rule, premises, premise key or None).
        found: dict[Ids, tuple[str, tuple[Ids, ...], tuple[str, ...] | None]] = {}
        known = index.triples
        for triple in delta:
            for rule, conclusion, premises in _consequences(rules, index, triple):
                if conclusion in known:
                    continue
                earlier = found.get(conclusion)
                if earlier is None:
                    found[conclusion] = (rule, premises, None)
                elif rule != earlier[0]:
                    if rule < earlier[0]:
                        found[conclusion] = (rule, premises, None)
                else:
                    earlier_key = earlier[2] or _premise_key(earlier[1], terms)
                    key = _premise_key(premises, terms)
                    found[conclusion] = (rule, premises, key) if key < earlier_key else (rule, earlier[1], earlier_key)
        for conclusion, (rule, premises, _) in found.items():
            steps[conclusion] = (rule, premises, level)
        index.add_all(found)
        delta = list(found)
    return Derivations(schema, terms, index, steps)
