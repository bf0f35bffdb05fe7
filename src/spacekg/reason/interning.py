"""Terms as small integers while the rule engine runs.

rdflib's terms compare with a Python-level __eq__ and literals hash in Python too; the engine makes
millions of set and dict look-ups at a million triples, which then cost more than the rules. Each
distinct term gets an integer once, the engine joins integers, and terms come back only for what is
read (the facts, the explanations). Literals get negative numbers, so that "is the object a literal"
is a comparison.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
Ids = tuple[int, int, int]


class Interner:
    """Numbers for terms (literals below zero) and terms for numbers."""

    def __init__(self) -> None:
        self.ids: dict[Node, int] = {}
        self.nodes: list[Node] = []  # by number, for numbers >= 0
        self.literals: list[Node] = []  # number -1 is literals[0], -2 literals[1], ...

    def id(self, term: Node) -> int:
        number = self.ids.get(term)
        if number is None:
            if isinstance(term, Literal):
                self.literals.append(term)
                number = -len(self.literals)
            else:
                number = len(self.nodes)
                self.nodes.append(term)
            self.ids[term] = number
        return number

    def known(self, term: Node) -> int | None:
        """The number of a term seen before, else None (a term never seen is in no triple)."""
        return self.ids.get(term)

    def ids_of(self, triples: Iterable[Triple]) -> list[Ids]:
        get, ids = self.ids.get, self.id
        out = []
        for s, p, o in triples:
            # the look-ups of `id`, inlined: this loop runs once per triple of the graph
            a, b, c = get(s), get(p), get(o)
            out.append((a if a is not None else ids(s), b if b is not None else ids(p), c if c is not None else ids(o)))
        return out

    def term(self, number: int) -> Node:
        return self.nodes[number] if number >= 0 else self.literals[-number - 1]

    def triple(self, ids: Ids) -> Triple:
        nodes, literals = self.nodes, self.literals
        s, p, o = ids
        return (nodes[s] if s >= 0 else literals[-s - 1], nodes[p], nodes[o] if o >= 0 else literals[-o - 1])

    def triple_ids(self, triple: Triple) -> Ids | None:
        """The numbers of a triple whose terms were all seen, else None."""
        s, p, o = (self.ids.get(term) for term in triple)
        return None if s is None or p is None or o is None else (s, p, o)
