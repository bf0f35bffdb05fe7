"""Why an inferred triple holds: the OWL 2 RL rule that derived it, recursively down to asserted triples.

Each step names the rule as the W3C OWL 2 RL rule tables do (cax-sco, prp-spo2, ...). Premises are
always from an earlier round of the rule engine than their conclusion, so the tree is finite and
ends at asserted triples: data with its file:line, or ontology axioms with the ontology file.
A premise used twice appears twice: the tree is rendered in full, never with back-references.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from spacekg.errors import NotInferredError, SourcePosition, SpaceKGError
from spacekg.namespaces import PREFIXES, RDF
from spacekg.reason.facts import is_fact, vocabulary_terms
from spacekg.reason.index import Triple
from spacekg.reason.result import Reasoning, Sources
from spacekg.reason.rules import RULE_TITLES, Derivations


def where(position: SourcePosition | None) -> str:
    """'data/x.csv:12', or just the file for an ontology axiom (line 0 means: the whole file)."""
    if position is None:
        return "no source line recorded"
    return str(position) if position.line else position.path


def term_text(term: Node, prefixes: Mapping[str, str] = PREFIXES, items: tuple[Node, ...] | None = None) -> str:
    """A term as Turtle would write it: prefixed name where a prefix fits, an RDF list as ( a b )."""
    if items is not None:
        return "( " + " ".join(term_text(item, prefixes) for item in items) + " )"
    if isinstance(term, BNode):
        return "[]"
    if isinstance(term, URIRef):
        for prefix, namespace in sorted(prefixes.items(), key=lambda item: -len(item[1])):
            local = term[len(namespace):]
            if term.startswith(namespace) and local and all(c.isalnum() or c in "_-." for c in local):
                return f"{prefix}:{local}"
        return f"<{term}>"
    return term.n3()


def _term_json(term: Node, items: tuple[Node, ...] | None = None) -> dict[str, Any]:
    """A term in the SPARQL 1.1 JSON results convention, plus {"type": "list"} for an RDF list."""
    if items is not None:
        return {"type": "list", "items": [_term_json(item) for item in items]}
    if isinstance(term, Literal):
        encoded: dict[str, Any] = {"type": "literal", "value": str(term)}
        if term.language:
            encoded["xml:lang"] = term.language
        elif term.datatype is not None:
            encoded["datatype"] = str(term.datatype)
        return encoded
    return {"type": "bnode" if isinstance(term, BNode) else "uri", "value": str(term)}


@dataclass(frozen=True)
class Explanation:
    """One triple, and how it holds: asserted (with its source) or derived by `rule` from `premises`."""

    triple: Triple
    rule: str | None
    source: SourcePosition | None
    premises: tuple[Explanation, ...] = ()
    level: int = 0
    object_items: tuple[Node, ...] | None = None  # the members, when the object is an RDF list (chain, AllDisjointClasses)

    @property
    def asserted(self) -> bool:
        return self.rule is None

    def statement(self, prefixes: Mapping[str, str] = PREFIXES) -> str:
        s, p, o = self.triple
        verb = "a" if p == RDF.type else term_text(p, prefixes)
        return f"{term_text(s, prefixes)} {verb} {term_text(o, prefixes, self.object_items)}"

    def how(self) -> str:
        if self.rule is None:
            return f"asserted: {where(self.source)}"
        return f"{self.rule}: {RULE_TITLES[self.rule].split(':')[0]}"

    def asserted_leaves(self) -> list[Explanation]:
        """The asserted triples this one rests on, each once, in the order the tree reaches them."""
        if self.asserted:
            return [self]
        leaves: dict[Triple, Explanation] = {}
        for premise in self.premises:
            for leaf in premise.asserted_leaves():
                leaves.setdefault(leaf.triple, leaf)
        return list(leaves.values())

    def to_text(self, prefixes: Mapping[str, str] = PREFIXES, indent: str = "  ", depth: int = 0) -> str:
        """Indented text, one triple per line, for `spacekg why` and error messages."""
        lines = [f"{indent * depth}{self.statement(prefixes)}    [{self.how()}]"]
        lines.extend(premise.to_text(prefixes, indent, depth + 1) for premise in self.premises)
        return "\n".join(lines)

    def to_json(self, prefixes: Mapping[str, str] = PREFIXES) -> dict[str, Any]:
        """A JSON-ready dict (terms as in SPARQL JSON results) for the web pages."""
        s, p, o = self.triple
        return {
            "subject": _term_json(s), "predicate": _term_json(p), "object": _term_json(o, self.object_items),
            "text": self.statement(prefixes),
            "asserted": self.asserted,
            "rule": self.rule,
            "rule_title": RULE_TITLES.get(self.rule, "") if self.rule else "",
            "level": self.level,
            "source": None if self.source is None else {"path": self.source.path, "line": self.source.line or None},
            "premises": [premise.to_json(prefixes) for premise in self.premises],
        }


def explanation_tree(triple: Triple, derivations: Derivations, sources: Sources) -> Explanation:
    """The derivation tree of a triple of the engine's closure (asserted triples are leaves)."""
    items = derivations.schema.lists.get(triple[2])
    derivation = derivations.derived.get(triple)
    if derivation is None:
        return Explanation(triple, None, sources.of(triple), object_items=items)
    premises = tuple(explanation_tree(premise, derivations, sources) for premise in derivation.premises)
    return Explanation(triple, derivation.rule, None, premises, derivation.level, items)


def explain(triple: Triple, reasoning: Reasoning) -> Explanation:
    """Explain an inferred triple; a clear NotInferredError if it is asserted or not entailed at all."""
    text = " ".join(term_text(term) for term in triple)
    if triple in reasoning.triples:
        if triple not in reasoning.derivations.derived:
            raise SpaceKGError(f"{text} was inferred by {reasoning.engine}, but SpaceKG's rule engine did not derive it",
                               "the engines disagree: report this with the triple, and use the owlrl engine meanwhile")
        return explanation_tree(triple, reasoning.derivations, reasoning.sources)
    if reasoning.sources.is_asserted(triple):
        position = reasoning.sources.of(triple)
        raise NotInferredError(f"{text} is asserted, not inferred: {where(position)}",
                               "only triples of the inferred graph have an explanation", position)
    if triple in reasoning.derivations.derived and not is_fact(triple, vocabulary_terms(reasoning.sources.ontology)):
        raise NotInferredError(f"{text} is entailed but not kept as a fact (it only restates the vocabulary)",
                               "see spacekg.reason.facts for what the inferred graph keeps")
    raise NotInferredError(f"{text} is not in the closure: neither asserted nor inferred",
                           "check the IRIs; the inferred graph lists every triple that can be explained")
