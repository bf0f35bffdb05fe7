"""A set of triples indexed for the joins the rules and the clash checks make."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib.term import Node

Triple = tuple[Node, Node, Node]
EMPTY: frozenset[Node] = frozenset()


class TripleIndex:
    """Triples by (predicate, subject), (predicate, object) and predicate; by subject and by object on demand.

    The subject and object indexes serve only the owl:sameAs rules, so they are built the first time
    those ask and kept up to date from then on: a graph without owl:sameAs never pays for them.
    """

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self.triples: set[Triple] = set()
        self.by_ps: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
        self.by_po: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
        self.by_p: dict[Node, set[tuple[Node, Node]]] = defaultdict(set)
        self._by_s: dict[Node, set[tuple[Node, Node]]] | None = None
        self._by_o: dict[Node, set[tuple[Node, Node]]] | None = None
        for triple in triples:
            self.add(triple)

    def add(self, triple: Triple) -> None:
        s, p, o = triple
        self.triples.add(triple)
        self.by_ps[p, s].add(o)
        self.by_po[p, o].add(s)
        self.by_p[p].add((s, o))
        if self._by_s is not None and self._by_o is not None:
            self._by_s[s].add((p, o))
            self._by_o[o].add((s, p))

    def _build_by_subject_and_object(self) -> None:
        self._by_s, self._by_o = defaultdict(set), defaultdict(set)
        for s, p, o in self.triples:
            self._by_s[s].add((p, o))
            self._by_o[o].add((s, p))

    def about(self, subject: Node) -> set[tuple[Node, Node]]:
        """(predicate, object) of every triple with this subject."""
        if self._by_s is None:
            self._build_by_subject_and_object()
        assert self._by_s is not None
        return self._by_s.get(subject, set())

    def pointing_to(self, obj: Node) -> set[tuple[Node, Node]]:
        """(subject, predicate) of every triple with this object."""
        if self._by_o is None:
            self._build_by_subject_and_object()
        assert self._by_o is not None
        return self._by_o.get(obj, set())

    def __contains__(self, triple: object) -> bool:
        return triple in self.triples

    def __len__(self) -> int:
        return len(self.triples)

    def objects(self, subject: Node, predicate: Node) -> set[Node] | frozenset[Node]:
        return self.by_ps.get((predicate, subject), EMPTY)

    def subjects(self, predicate: Node, obj: Node) -> set[Node] | frozenset[Node]:
        return self.by_po.get((predicate, obj), EMPTY)

    def statements(self, predicate: Node, obj: Node | None = None) -> list[Triple]:
        """Every triple with this predicate (and object, if given)."""
        if obj is not None:
            return [(s, predicate, obj) for s in self.subjects(predicate, obj)]
        return [(s, predicate, o) for s, o in self.by_p.get(predicate, ())]
