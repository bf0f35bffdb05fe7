"""Contradictions between the data and the ontology, reported with the source lines behind them.

Checked on the rule engine's closure (verified equal to owlrl's), so each offending triple comes with
its derivation down to the asserted triples and their file:line. The checks are OWL 2 RL's
inconsistency rules: cax-dw (owl:disjointWith), cax-adc (owl:AllDisjointClasses), cls-nothing2
(an instance of owl:Nothing) and prp-fp read under SpaceKG's unique-name assumption: a functional
property with two different values for one subject (two different literal values, or two IRIs not
stated owl:sameAs) is a clash, where plain OWL would merge the two IRIs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rdflib import Literal
from rdflib.term import Node

from spacekg.namespaces import OWL, RDF
from spacekg.reason.explain import Explanation, explanation_tree, term_text
from spacekg.reason.index import Triple
from spacekg.reason.result import Sources
from spacekg.reason.rules import Derivations


@dataclass(frozen=True)
class Clash:
    """One contradiction: which rule, what it is about, the axiom (if any) and the offending triples explained."""

    rule: str
    summary: str
    axiom: Explanation | None
    offending: tuple[Explanation, ...]

    def to_text(self) -> str:
        lines = [f"{self.summary} ({self.rule})"]
        if self.axiom is not None:
            lines.append(f"  axiom: {self.axiom.statement()}    [{self.axiom.how()}]")
        lines.extend(offending.to_text(depth=1) for offending in self.offending)
        return "\n".join(lines)


def _same_value(a: Node, b: Node, derivations: Derivations) -> bool:
    if a == b or b in derivations.objects(a, OWL.sameAs):
        return True
    if isinstance(a, Literal) and isinstance(b, Literal):
        try:
            return bool(a.eq(b))
        except TypeError:  # values of incomparable datatypes are different values
            return False
    return False


def _distinct(values: Iterable[Node], derivations: Derivations) -> list[Node]:
    kept: list[Node] = []
    for value in sorted(values, key=lambda term: term.n3()):
        if not any(_same_value(value, other, derivations) for other in kept):
            kept.append(value)
    return kept


def _found(derivations: Derivations) -> Iterator[tuple[str, str, Triple | None, tuple[Triple, ...]]]:
    seen: set[tuple[Node, Node, Node]] = set()
    for axiom in derivations.schema.disjoint:
        for member in sorted(derivations.subjects(RDF.type, axiom.first) & derivations.subjects(RDF.type, axiom.second), key=str):
            if (member, axiom.first, axiom.second) not in seen:
                seen.add((member, axiom.first, axiom.second))
                yield (axiom.rule, f"{term_text(member)} is both {term_text(axiom.first)} and {term_text(axiom.second)}, "
                       "which are disjoint", axiom.axiom, ((member, RDF.type, axiom.first), (member, RDF.type, axiom.second)))
    for member in sorted(derivations.subjects(RDF.type, OWL.Nothing), key=str):
        yield "cls-nothing2", f"{term_text(member)} is an instance of owl:Nothing, which has none", None, ((member, RDF.type, OWL.Nothing),)
    for prop, declaration in derivations.schema.functional.items():
        for subject in sorted(derivations.subjects_with(prop), key=str):
            values = _distinct(derivations.objects(subject, prop), derivations)
            if len(values) > 1:
                yield ("prp-fp", f"{term_text(subject)} has {len(values)} different values of {term_text(prop)}, "
                       "a functional property", declaration, tuple((subject, prop, value) for value in values))


def find_clashes(derivations: Derivations, sources: Sources) -> list[Clash]:
    """Every contradiction in the rule engine's closure, with explanations of the offending triples."""
    return [Clash(rule, summary, None if axiom is None else explanation_tree(axiom, derivations, sources),
                  tuple(explanation_tree(t, derivations, sources) for t in offending))
            for rule, summary, axiom, offending in _found(derivations)]
