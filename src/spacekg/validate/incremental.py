"""Validate again only what an edit can change, and keep the previous release's results for the rest.

A release records, for every subject of its asserted graph, a digest of the triples it is the subject
of (`subjects.tsv`). The next build compares digests: the subjects whose digest changed, appeared or
disappeared are the edit. The focus nodes whose results can change with it are then:

- the edited subjects, and the nodes their triples pointed at before (a link that is gone changes them);
- every node one triple away from an edited subject, either way (a record reads its values' and its
  inverse links' triples: sh:class on a value, an inverse path, a statement about a changed triple);
- every node two triples away along the links a SPARQL constraint joins on, which are all but rdf:type
  and the citing links (dct:source, dct:references): a ratification and the same actor's signature of
  the same instrument meet at the actor and at the instrument;
- the whole connected part of the graph along a property that a shape follows without bound (a `p*`
  path in a SPARQL constraint, sh:zeroOrMorePath, sh:oneOrMorePath), for the cycle checks.

Those focus nodes are validated again (pySHACL, restricted to them, over the whole graph, so a constraint
sees all it would in a full run); every other result is the previous one, placed again at the current
file:line. An edit that touches most of the graph is validated in full instead (cheaper), and so is any
change of the shapes, the ontology or SpaceKG itself. tests/test_incremental_validation.py checks the
merged report equals a full validation after each kind of edit.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from spacekg.namespaces import DCTERMS, RDF, SH
from spacekg.validate.report import Triple

SUBJECTS_FILE = "subjects.tsv"
NOT_FOLLOWED_TWICE = frozenset({RDF.type, DCTERMS.source, DCTERMS.references})
MOST = 0.3  # past this share of the subjects revalidated, a full validation costs less
_STAR = re.compile(r"([A-Za-z][\w-]*):([\w-]+)\s*[*+]")


def subject_digests(triples: Iterable[Triple]) -> dict[str, str]:
    """subject IRI -> digest of the triples it is the subject of (what `subjects.tsv` keeps)."""
    lines: dict[Node, list[str]] = defaultdict(list)
    for s, p, o in triples:
        if isinstance(o, Literal):
            value = f"L{o}\x00{o.language or ''}\x00{o.datatype or ''}"
        else:
            value = f"{'B' if isinstance(o, BNode) else 'I'}{o}"
        lines[s].append(f"{p}\x01{value}")
    return {str(s): hashlib.sha256("\x02".join(sorted(found)).encode()).hexdigest()[:32] for s, found in lines.items()}


def write_digests(digests: Mapping[str, str], path: Path) -> None:
    path.write_text("".join(f"{digest}\t{subject}\n" for subject, digest in sorted(digests.items())), encoding="utf-8")


def read_digests(path: Path) -> dict[str, str] | None:
    """The digests a release kept, or None if it kept none (a release from before incremental validation)."""
    if not path.is_file():
        return None
    digests = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, subject = line.partition("\t")
        digests[subject] = digest
    return digests


def unbounded_predicates(shapes: Graph) -> set[URIRef]:
    """The properties a shape follows without bound: `p*` / `p+` in SPARQL constraints, sh:zeroOrMorePath, sh:oneOrMorePath."""
    found: set[URIRef] = {o for o in shapes.objects(None, SH.zeroOrMorePath) if isinstance(o, URIRef)}
    found |= {o for o in shapes.objects(None, SH.oneOrMorePath) if isinstance(o, URIRef)}
    prefixes = {prefix: str(namespace) for prefix, namespace in shapes.namespaces()}
    prefixes.update({str(p): str(n) for d in shapes.objects(None, SH.declare)
                     for p, n in [(shapes.value(d, SH.prefix), shapes.value(d, SH.namespace))] if p is not None and n is not None})
    for text in shapes.objects(None, SH.select):
        for prefix, local in _STAR.findall(str(text)):
            if prefix in prefixes:
                found.add(URIRef(prefixes[prefix] + local))
    return found


@dataclass(frozen=True)
class Edit:
    """What changed since the previous release, and the focus nodes to validate again."""

    changed: frozenset[str]  # subjects whose triples changed, appeared or disappeared
    removed: frozenset[str]  # subjects that are gone
    revalidate: frozenset[Node]  # the focus nodes whose results may have changed


def plan(previous: Mapping[str, str], current: Mapping[str, str], data: Iterable[Triple], shapes: Graph,
         objects_before: Callable[[set[str]], set[Node]]) -> Edit | None:
    """The focus nodes to validate again after an edit, or None when a full validation is the better deal.

    `objects_before(subjects)` gives the nodes those subjects' triples pointed at in the previous release.
    """
    changed = {s for s in previous.keys() | current.keys() if previous.get(s) != current.get(s)}
    removed = {s for s in previous.keys() - current.keys()}
    if len(changed) > MOST * max(len(current), 1):
        return None
    unbounded = unbounded_predicates(shapes)
    neighbours: dict[Node, set[Node]] = defaultdict(set)  # every link, both ways (rdf:type's class excepted)
    joins: dict[Node, set[Node]] = defaultdict(set)  # the links a constraint follows a second time
    along: dict[Node, set[Node]] = defaultdict(set)  # the links of properties followed without bound
    for s, p, o in data:
        if isinstance(o, Literal) or p == RDF.type:
            continue
        neighbours[s].add(o)
        neighbours[o].add(s)
        if p not in NOT_FOLLOWED_TWICE:
            joins[s].add(o)
            joins[o].add(s)
        if p in unbounded:
            along[s].add(o)
            along[o].add(s)
    edited: set[Node] = {URIRef(s) for s in changed}
    before = objects_before(changed)  # what the edited subjects pointed at: links that are gone count too
    near = edited | before | {n for node in edited for n in neighbours.get(node, ())}
    joined = edited | before | {n for node in edited for n in joins.get(node, ())}
    joined |= {n for node in joined for n in joins.get(node, ())}
    todo = [node for node in edited | before if node in along]
    walked = set(todo)  # kept apart from the nodes already chosen: the walk goes on through them
    while todo:
        for n in along.get(todo.pop(), ()):
            if n not in walked:
                walked.add(n)
                todo.append(n)
    revalidate = frozenset(node for node in near | joined | walked if isinstance(node, URIRef))
    if len(revalidate) > MOST * max(len(current), 1):
        return None
    return Edit(frozenset(changed), frozenset(removed), revalidate)
