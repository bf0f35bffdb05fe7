"""Stage 4: the OWL 2 RL closure of ontology + data; only NEW facts go to the inferred graph.

Entry: `reason(ontology, asserted, engine, positions)` -> Reasoning (the inferred facts, as `triples` and
as an rdflib Graph `inferred`, and what explains them);
`explain(triple, reasoning)` -> Explanation (rule and premises down to asserted triples with file:line).

Steps, in order:
1. SpaceKG's rule engine (`rules`) derives the closure round by round, recording the first derivation
   of every triple. It implements exactly the OWL 2 RL rules the ontology needs; any other OWL construct
   stops the build (UnsupportedAxiomError) rather than leave explanations or checks incomplete.
2. Clash checks (`clashes`) run on that closure: disjoint classes (owl:disjointWith and
   owl:AllDisjointClasses), instances of owl:Nothing, and functional properties with two different
   values. Any clash raises InconsistencyError (exit code 1) naming the offending triples and the
   file:line of each asserted triple behind them.
3. The chosen engine's closure is the one published: "rules" (default: the rule engine's own, half a
   second on the curated data) or "owlrl" (the reference, 20-30 s). Both are given the ontology without its
   owl:FunctionalProperty declarations, which step 2 checks instead (see `engines`, which also says
   why the Rust reasoner "reasonable" is not offered).
4. The closure is filtered to facts (`facts`): new triples only; no literal subjects, nothing about
   the vocabulary's own terms (RDF/RDFS/OWL/XSD or any term the ontology mentions), no reflexive
   owl:sameAs / subClassOf / subPropertyOf / equivalentClass / equivalentProperty, and no typing with
   built-in classes (owl:Thing, rdfs:Resource, owl:Class, rdf:Property, rdfs:Datatype, xsd:*).

Inputs are never modified. Tests check that both engines give the same facts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from rdflib import URIRef

from spacekg.errors import InconsistencyError, NotInferredError, SourcePosition, UnsupportedAxiomError
from spacekg.reason.clashes import Clash, find_clashes
from spacekg.reason.engines import ENGINES, check_engine, entail
from spacekg.reason.explain import Explanation, explain
from spacekg.reason.facts import derived_facts, new_facts, vocabulary_terms
from spacekg.reason.index import Triple
from spacekg.reason.result import Reasoning, Sources
from spacekg.reason.rules import RULE_TITLES, derive

__all__ = ["ENGINES", "RULE_TITLES", "Clash", "Explanation", "InconsistencyError", "NotInferredError", "Reasoning",
           "Triple", "UnsupportedAxiomError", "explain", "reason"]


def reason(ontology: Iterable[Triple], asserted: Iterable[Triple], engine: str = "rules",
           positions: Mapping[URIRef, SourcePosition] | None = None,
           ontology_source: str = "ontology/spacekg.ttl",
           statement_positions: Mapping[Triple, SourcePosition] | None = None) -> Reasoning:
    """Infer the new facts ontology + data entail; raise InconsistencyError if they contradict each other.

    `ontology` and `asserted` are rdflib Graphs or any collections of triples; each is read once.
    `positions` maps each data subject to the record (file:line) that minted it, for explanations and
    clash messages; `statement_positions`, if the mapping stage knows them, where single triples were
    written (they win over the subject's record); `ontology_source` is how ontology axioms are cited.
    """
    check_engine(engine)
    started = time.perf_counter()
    axioms, facts = frozenset(ontology), frozenset(asserted)
    derivations = derive(axioms, facts)
    sources = Sources(axioms, facts, dict(positions or {}), ontology_source, dict(statement_positions or {}))
    clashes = find_clashes(derivations, sources)
    if clashes:
        raise InconsistencyError(clashes)
    vocabulary = vocabulary_terms(axioms)
    if engine == "rules":  # what the rules derived is new by construction: only the fact filter applies, in numbers
        inferred = derived_facts(derivations, vocabulary)
    else:
        inferred = new_facts(entail(axioms, facts, engine), (axioms, facts), vocabulary)
    return Reasoning(inferred, engine, derivations, sources, time.perf_counter() - started)
