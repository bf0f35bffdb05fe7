"""The OWL 2 RL engines that can compute the closure, behind one function.

- "rules" (default): SpaceKG's own engine (`rules`), half a second on the curated data (~11.5k
  triples) and about a minute at a million; it also records the derivations explanations show.
- "owlrl": the reference (RDFLib's OWL 2 RL implementation), 20-30 s on the curated data.

The tests check that both give the same facts on the curated data and on every fixture.

Both are given the ontology without its `owl:FunctionalProperty` declarations. Under SpaceKG's
unique-name assumption (two different IRIs name two different things) prp-fp's only conclusion,
owl:sameAs between two different values, means the data is wrong; so functional properties are a
clash check (see `clashes`), not inference. On a consistent graph prp-fp yields only reflexive
owl:sameAs, which the fact filter drops anyway.

Not offered: "reasonable" (the Rust OWL 2 RL reasoner). It is fast, but it does not implement
prp-spo2 (owl:propertyChainAxiom), so it misses every chain fact — on the curated data 1,990 of
6,917 facts, among them every skg:partyTo, skg:signed and skg:hasParty link — and its memory
explodes on prp-fp at our scale.
"""

from __future__ import annotations

from collections.abc import Iterable

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import Graph

from spacekg.errors import UsageError
from spacekg.namespaces import OWL, RDF
from spacekg.reason.index import Triple
from spacekg.reason.rules import derive

ENGINES = ("rules", "owlrl")


def check_engine(engine: str) -> None:
    """Refuse an engine name SpaceKG does not know."""
    if engine not in ENGINES:
        raise UsageError(f"unknown reasoning engine {engine!r}", f"choose one of: {', '.join(ENGINES)}")


def reasoner_input(ontology: Iterable[Triple], asserted: Iterable[Triple]) -> Graph:
    """A new graph: ontology + data, without owl:FunctionalProperty declarations (checked, not inferred)."""
    graph = Graph()
    graph.addN((s, p, o, graph) for s, p, o in ontology if not (p == RDF.type and o == OWL.FunctionalProperty))
    graph.addN((s, p, o, graph) for s, p, o in asserted)
    return graph


def _owlrl(graph: Graph) -> set[Triple]:
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    # owlrl reports inconsistencies as error-message nodes in the graph; `clashes` reports them instead.
    reports = set(graph.subjects(RDF.type, ERRNS.ErrorMessage))
    return {t for t in graph if t[0] not in reports}


def entail(ontology: Iterable[Triple], asserted: Iterable[Triple], engine: str) -> set[Triple]:
    """Every triple the engine entails from ontology + data (the inputs included, filter not applied)."""
    check_engine(engine)
    graph = reasoner_input(ontology, asserted)
    if engine == "owlrl":
        return _owlrl(graph)
    return derive(graph, ()).all_triples()
