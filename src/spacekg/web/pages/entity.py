"""The page of one entity: what a reader needs first, then every statement, with sources and explanations.

The page shows the same description the RDF documents carry (spacekg.web.linked_data.describe),
so what a person reads and what a program downloads agree. Statements of the inferred graph are
marked as inferred and link to their explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyoxigraph as ox
from flask import Response, url_for

from spacekg.kinds import ENTITY_KINDS
from spacekg.namespaces import DCTERMS, FOAF, RDF, RDFS, SCHEMA, SKG, SKOS
from spacekg.web.documents import alternates, describe
from spacekg.web.pages.common import dataset, render_page, select, value
from spacekg.web.pages.links import links_out
from spacekg.web.pages.participation import participation_rows, why_href
from spacekg.web.pages.roll_call_pictures import roll_call_pictures
from spacekg.web.pages.status import histories
from spacekg.web.pages.validation import validation_results
from spacekg.web.pages.views import UN_TREATIES
from spacekg.web.pages.votes import roll_call_detail, voting_record
from spacekg.web.site import Term
from spacekg.web.state import site

DCT_SOURCE = str(DCTERMS.source)
RECORD_POSITION = (str(SKG.sourceFile), str(SKG.sourceLine))
FIRST = (str(RDF.type), str(RDFS.label), str(SKOS.altLabel), str(DCTERMS.title))
LAST = (str(SKOS.note), DCT_SOURCE)
COLLAPSE_AFTER = 12  # longer lists of values are folded into a <details> element
SOURCE_PAGES = (str(FOAF.page), str(SCHEMA.sameAs))  # a cited work's web page, or its DOI / UN symbol resolver


@dataclass(frozen=True)
class Value:
    term: Term
    inferred: bool = False
    why: str = ""


@dataclass
class Group:
    """The values of one property (outgoing) or the subjects linking with one property (incoming)."""

    predicate: Term
    values: list[Value] = field(default_factory=list)

    @property
    def collapsed(self) -> bool:
        return len(self.values) > COLLAPSE_AFTER


@dataclass(frozen=True)
class Source:
    """A work cited for the entity: its page here, and the outside web page it describes, if any."""

    term: Term
    pages: tuple[Term, ...] = ()
    details: str = ""


def _order(predicate: str) -> tuple[int, str]:
    if predicate in FIRST:
        return (FIRST.index(predicate), "")
    if predicate in LAST:
        return (100 + LAST.index(predicate), "")
    return (50, site().label(predicate).casefold())


def _object_param(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _groups(quads: list[ox.Quad], node: ox.NamedNode, incoming: bool) -> list[Group]:
    inferred_graph = f"{site().base_iri}graph/inferred"
    explainable = dataset().release is not None
    groups: dict[str, Group] = {}
    values_by_predicate: dict[str, dict[str, Value]] = {}
    for quad in quads:
        predicate = quad.predicate.value
        if predicate in RECORD_POSITION:
            continue
        shown = quad.subject if incoming else quad.object
        inferred = isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value == inferred_graph
        why = ""
        if inferred and explainable and isinstance(quad.subject, ox.NamedNode):
            why = why_href(quad.subject.value, predicate, _object_param(quad.object))  # type: ignore[arg-type]
        term = site().term(shown)  # type: ignore[arg-type]
        assert term is not None
        values = values_by_predicate.setdefault(predicate, {})
        key = str(shown)  # a statement held in two graphs (asserted, and repeated in validation) is shown once, as asserted
        if key not in values or values[key].inferred and not inferred:
            values[key] = Value(term, inferred, why)
    for predicate, values in values_by_predicate.items():
        groups[predicate] = Group(site().iri_term(predicate), sorted(values.values(), key=lambda v: (v.inferred, v.term.label.casefold(), v.term.value)))
    return [groups[predicate] for predicate in sorted(groups, key=_order)]


def _sources(quads: list[ox.Quad], node: ox.NamedNode) -> list[Source]:
    works = sorted({q.object.value for q in quads if q.subject == node and q.predicate.value == DCT_SOURCE and isinstance(q.object, ox.NamedNode)})
    sources = []
    for work in works:
        described = [q for q in quads if isinstance(q.subject, ox.NamedNode) and q.subject.value == work]
        pages = tuple(site().iri_term(q.object.value, urlsplit(q.object.value).netloc or q.object.value) for q in described
                      if q.predicate.value in SOURCE_PAGES and isinstance(q.object, ox.NamedNode))
        details = "; ".join(str(q.object.value) for q in described
                            if isinstance(q.object, ox.Literal) and q.predicate.value in (str(SKG.authorNames), str(DCTERMS.issued)))
        sources.append(Source(site().iri_term(work), pages, details))
    return sorted(sources, key=lambda source: source.term.label.casefold())


def _position(quads: list[ox.Quad], node: ox.NamedNode) -> str:
    found = {q.predicate.value: q.object.value for q in quads
             if q.subject == node and isinstance(q.object, ox.Literal) and q.predicate.value in RECORD_POSITION}
    if str(SKG.sourceFile) not in found:
        return ""
    line = found.get(str(SKG.sourceLine))
    return f"{found[str(SKG.sourceFile)]}:{line}" if line else found[str(SKG.sourceFile)]


EVENTS = """SELECT ?thing ?event ?date ?earliest WHERE {
  { ?event skg:involves ?thing } UNION { ?event skg:concerns ?thing }
  ?event skg:earliestDate ?earliest .
  OPTIONAL { ?event skg:date ?date }
} ORDER BY ?earliest ?event"""
ASSESSMENT = """SELECT ?norm ?assessment ?status ?strength ?source WHERE {
  ?assessment skg:assessedNorm ?norm .
  OPTIONAL { ?assessment skg:normStatus ?status }
  OPTIONAL { ?assessment skg:normStrength ?strength }
  OPTIONAL { ?assessment dct:source ?source }
}"""


def _events(iri: str) -> list[tuple[str, Term]]:
    seen: dict[str, tuple[str, Term]] = {}
    for row in select(EVENTS, thing=iri):
        event = value(row["event"])
        seen.setdefault(event, (value(row["date"]) or value(row["earliest"]), site().iri_term(event)))
    return list(seen.values())


def _assessments(iri: str) -> list[dict[str, object]]:
    assessments: dict[str, dict[str, object]] = {}
    for row in select(ASSESSMENT, norm=iri):
        entry = assessments.setdefault(value(row["assessment"]), {
            "assessment": site().iri_term(value(row["assessment"])), "status": site().term(row["status"]),
            "strength": site().term(row["strength"]), "sources": []})
        if row["source"] is not None:
            entry["sources"].append(site().iri_term(value(row["source"])))  # type: ignore[attr-defined]
    return list(assessments.values())


def entity_page(iri: str) -> Response:
    """The HTML page of an entity of any kind (the caller has checked that the dataset describes it)."""
    node = ox.NamedNode(iri)
    quads = describe(dataset().store, node)
    path = site().entity_path(iri)
    kind = path.split("/", 1)[0]
    outgoing = [q for q in quads if q.subject == node]
    incoming = [q for q in quads if q.object == node and isinstance(q.subject, ox.NamedNode) and q.subject != node]
    statements = _groups(outgoing, node, incoming=False)
    by_predicate = {group.predicate.value: group for group in statements}
    entity_kind = ENTITY_KINDS.get(kind)
    key_facts = [by_predicate[str(p)] for p in (entity_kind.key_facts if entity_kind else ()) if str(p) in by_predicate]
    types = by_predicate.get(str(RDF.type))
    asserted_types = [v.term for v in types.values if not v.inferred] if types else []
    roll_call = roll_call_detail(iri) if kind == "rollcall" else None
    if roll_call is not None:
        key_facts = []  # the roll-call section shows each of them, with the resolution and topic linked
    pictures = roll_call_pictures(iri, roll_call.roll_call.term.label) if roll_call is not None else None
    slug = path.split("/", 1)[-1]
    status_page = url_for("pages.treaty_status", instrument=slug) if kind == "instrument" and slug in dict(UN_TREATIES) else ""
    participation, treaty_statuses = [], []
    if kind in ("instrument", "state", "org", "person"):
        rows = participation_rows(instrument=iri) if kind == "instrument" else participation_rows(actor=iri)
        participation = sorted(rows, key=lambda row: (row.actor if kind == "instrument" else row.instrument).label.casefold())
        treaty_statuses = histories(instrument=iri) if kind == "instrument" else histories(actor=iri)
    return render_page(
        "entity.html", iri=iri, path=path, kind=kind, title=site().label(iri), asserted_types=asserted_types,
        plural=entity_kind.plural if entity_kind else kind, key_facts=key_facts, links_out=links_out(quads, node),
        statements=statements, referenced_by=_groups(incoming, node, incoming=True),
        sources=_sources(quads, node), position=_position(quads, node), participation=participation, treaty_statuses=treaty_statuses,
        events=_events(iri) if kind in ("state", "org", "person", "instrument", "norm") else [],
        assessments=_assessments(iri) if kind == "norm" else [], roll_call=roll_call, roll_call_pictures=pictures, status_page=status_page,
        voting_record=voting_record(iri, path) if kind == "state" else None, validation=validation_results(iri), explainable=dataset().release is not None,
        id_href=url_for("linked_data.thing", path=path), alternates=alternates(path))
