"""A set of triples indexed for the joins the rules and the clash checks make."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

from rdflib.term import Node

Triple = tuple[Node, Node, Node]
T = TypeVar("T", bound=Hashable)  # a term: an rdflib Node, or its number while the rule engine runs
EMPTY: frozenset = frozenset()  # of any term type


class TripleIndex(Generic[T]):
    """Triples by (predicate, subject), (predicate, object) and predicate; by subject and by object on demand.

    The subject and object indexes serve only the owl:sameAs rules, so they are built the first time
    those ask and kept up to date from then on: a graph without owl:sameAs never pays for them.
    """

    def __init__(self, triples: Iterable[tuple[T, T, T]] = ()) -> None:
        self.triples: set[tuple[T, T, T]] = set()
        self.by_ps: dict[tuple[T, T], set[T]] = defaultdict(set)
        self.by_po: dict[tuple[T, T], set[T]] = defaultdict(set)
        self.by_p: dict[T, set[tuple[T, T]]] = defaultdict(set)
        self._by_s: dict[T, set[tuple[T, T]]] | None = None
        self._by_o: dict[T, set[tuple[T, T]]] | None = None
        self.add_all(triples)

    def add_all(self, triples: Iterable[tuple[T, T, T]]) -> None:
        """Add many triples (the loop of `add`, with its lookups bound once: it runs a million times)."""
        known, by_ps, by_po, by_p = self.triples, self.by_ps, self.by_po, self.by_p
        if self._by_s is not None:
            for triple in triples:
                self.add(triple)
            return
        for triple in triples:
            s, p, o = triple
            known.add(triple)
            by_ps[p, s].add(o)
            by_po[p, o].add(s)
            by_p[p].add((s, o))

    def add(self, triple: tuple[T, T, T]) -> None:
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

    def about(self, subject: T) -> set[tuple[T, T]]:
        """(predicate, object) of every triple with this subject."""
        if self._by_s is None:
            self._build_by_subject_and_object()
        assert self._by_s is not None
        return self._by_s.get(subject, set())

    def pointing_to(self, obj: T) -> set[tuple[T, T]]:
        """(subject, predicate) of every triple with this object."""
        if self._by_o is None:
            self._build_by_subject_and_object()
        assert self._by_o is not None
        return self._by_o.get(obj, set())

    def __contains__(self, triple: object) -> bool:
        return triple in self.triples

    def __len__(self) -> int:
        return len(self.triples)

    def objects(self, subject: T, predicate: T) -> set[T] | frozenset[T]:
        return self.by_ps.get((predicate, subject), EMPTY)

    def subjects(self, predicate: T, obj: T) -> set[T] | frozenset[T]:
        return self.by_po.get((predicate, obj), EMPTY)

    def statements(self, predicate: T, obj: T | None = None) -> list[tuple[T, T, T]]:
        """Every triple with this predicate (and object, if given)."""
        if obj is not None:
            return [(s, predicate, obj) for s in self.subjects(predicate, obj)]
        return [(s, predicate, o) for s, o in self.by_p.get(predicate, ())]
