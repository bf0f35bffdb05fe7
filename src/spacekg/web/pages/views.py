"""Views across the graph: the chronology, the norms matrix and the status of the five UN space treaties.

Each view is a SPARQL query over the served release. Its page links the same query on the
endpoint as its machine-readable alternative (SPARQL JSON, CSV).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import Response, request, url_for
from markupsafe import Markup

from spacekg.errors import UsageError
from spacekg.namespaces import SKG
from spacekg.web.pages.common import Alternate, pages, render_page, select, value
from spacekg.web.pages.status import ORDER, Status, parse_day, statuses, tally
from spacekg.web.pictures.timeline import TimelineEvent, timeline
from spacekg.web.site import Term
from spacekg.web.state import site

UN_TREATIES = (("ost", "Outer Space Treaty"), ("arra", "Rescue Agreement"), ("liab", "Liability Convention"),
               ("reg", "Registration Convention"), ("moon", "Moon Agreement"))
# UNOOSA's own short names for the five treaties (they are also our slugs), for the status matrix's column headers.
TREATY_ABBREVIATIONS = {"ost": "OST", "arra": "ARRA", "liab": "LIAB", "reg": "REG", "moon": "MOON"}


def query_alternates(query: str) -> list[Alternate]:
    """The view's own query on the endpoint, as SPARQL JSON and CSV."""
    return [("application/sparql-results+json", "SPARQL JSON (the query behind this page)", url_for("sparql.endpoint", query=query, format="json")),
            ("text/csv", "CSV (the query behind this page)", url_for("sparql.endpoint", query=query, format="csv"))]


# --- chronology -----------------------------------------------------------------------------------

EVENT_CLASSES = """SELECT ?class ?parent (COUNT(DISTINCT ?event) AS ?n) WHERE {
  ?class rdfs:subClassOf* skg:Event .
  OPTIONAL { ?class rdfs:subClassOf ?parent . ?parent rdfs:subClassOf* skg:Event FILTER(?parent != ?class) }
  OPTIONAL { ?event a ?class }
} GROUP BY ?class ?parent"""
EVENT_FACTS = """SELECT ?event ?class ?source ?actor ?g WHERE {
  ?event a skg:Event .
  { GRAPH ?g { ?event a ?class } } UNION { ?event dct:source ?source } UNION { ?event skg:involves ?actor }
}"""


@dataclass(frozen=True)
class EventClass:
    term: Term
    name: str  # the value of the type= parameter: the class's local name
    depth: int
    count: int


@dataclass
class EventFacts:
    classes: list[Term] = field(default_factory=list)
    sources: list[Term] = field(default_factory=list)
    actors: list[Term] = field(default_factory=list)


def event_classes() -> list[EventClass]:
    """skg:Event and its subclasses, depth-first, with the number of events of each (inferred types included)."""
    parents: dict[str, str] = {}
    counts: dict[str, int] = {}
    for row in select(EVENT_CLASSES):
        cls = value(row["class"])
        counts[cls] = max(counts.get(cls, 0), int(value(row["n"])))
        if row["parent"] is not None:
            parents[cls] = value(row["parent"])
    children: dict[str, list[str]] = defaultdict(list)
    for cls in counts:
        if cls != str(SKG.Event):
            children[parents.get(cls, str(SKG.Event))].append(cls)
    ordered: list[EventClass] = []

    def visit(cls: str, depth: int) -> None:
        ordered.append(EventClass(site().iri_term(cls), cls.rpartition("#")[2], depth, counts.get(cls, 0)))
        for child in sorted(children.get(cls, []), key=lambda iri: site().label(iri).casefold()):
            visit(child, depth + 1)

    visit(str(SKG.Event), 0)
    return ordered


def event_facts() -> dict[str, EventFacts]:
    """Asserted classes, sources and actors of every event."""
    asserted = f"{site().base_iri}graph/asserted"
    facts: dict[str, EventFacts] = defaultdict(EventFacts)
    for row in select(EVENT_FACTS):
        entry = facts[value(row["event"])]
        if row["class"] is not None and value(row["g"]) == asserted:
            entry.classes.append(site().iri_term(value(row["class"])))
        if row["source"] is not None:
            entry.sources.append(site().iri_term(value(row["source"])))
        if row["actor"] is not None:
            entry.actors.append(site().iri_term(value(row["actor"])))
    for entry in facts.values():
        for terms in (entry.classes, entry.sources, entry.actors):
            terms[:] = site().sorted_terms({term.value: term for term in terms}.values())
    return dict(facts)


def event_years() -> tuple[int, int]:
    """The first and last year of the chronology, to show as the range a reader can filter."""
    (row,) = select("SELECT (MIN(YEAR(?d)) AS ?first) (MAX(YEAR(?d)) AS ?last) WHERE { ?event skg:earliestDate ?d }")
    return (int(value(row["first"])), int(value(row["last"]))) if row["first"] is not None else (0, 0)


def _year(name: str) -> int | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    if not text.lstrip("-").isascii() or not text.lstrip("-").isdigit() or len(text) > 5:  # "³".isdigit() holds
        raise UsageError(f"{name}={text!r} is not a year", f"give {name} as a year such as 1967, or leave it empty")
    return int(text)


def chronology_query(types: list[str], first: int | None, last: int | None) -> str:
    lines = ["SELECT DISTINCT ?event ?date ?earliest ?latest WHERE {",
             "  ?event a skg:Event ; skg:earliestDate ?earliest .",
             "  OPTIONAL { ?event skg:date ?date }",
             "  OPTIONAL { ?event skg:latestDate ?latest }"]
    if types:
        lines.append("  VALUES ?type { " + " ".join(f"skg:{name}" for name in types) + " } ?event a ?type .")
    if first is not None:
        lines.append(f"  FILTER(YEAR(COALESCE(?latest, ?earliest)) >= {first})")
    if last is not None:
        lines.append(f"  FILTER(YEAR(?earliest) <= {last})")
    lines.append("} ORDER BY ?earliest ?event")
    return "\n".join(lines)


@pages.get("/chronology")
def chronology() -> Response:
    """Events in time order (by earliest date), filtered by type (?type=, repeatable) and years (?from=, ?to=)."""
    classes = site().cached("event-classes", event_classes)
    known = {cls.name for cls in classes}
    types = [name for name in request.args.getlist("type") if name]
    unknown = [name for name in types if name not in known]
    if unknown:
        raise UsageError(f"unknown event type {unknown[0]!r}", f"use one of: {', '.join(sorted(known))}")
    first, last = _year("from"), _year("to")
    query = chronology_query(types, first, last)
    facts = site().cached("event-facts", event_facts)
    events: dict[str, dict[str, Any]] = {}
    for row in select(query):  # an event with two dates as written comes twice; the first (earliest) row stands
        events.setdefault(value(row["event"]), {"term": site().iri_term(value(row["event"])), "date": value(row["date"]) or value(row["earliest"]),
                                                "earliest": value(row["earliest"]),
                                                "facts": facts.get(value(row["event"]), EventFacts())})
    span = site().cached("event-years", event_years)
    shown = list(events.values())
    return render_page("chronology.html", events=shown, classes=classes, selected=set(types), first=first, last=last,
                       span=span, total=len(facts), picture=_timeline(shown, classes) if shown else None,
                       alternates=query_alternates(query))


def _timeline(events: list[dict[str, Any]], classes: list[EventClass]) -> Markup:
    """The timeline of the events listed, each in the row of its (first) asserted type as the table's Type column shows it."""
    drawn = []
    for event in events:
        asserted = event["facts"].classes
        drawn.append(TimelineEvent(int(event["earliest"][:4]), event["date"], event["term"].label,
                                   asserted[0].label if asserted else "Event", event["term"].href))
    return timeline(drawn, [cls.term.label for cls in classes], described_by="events")


# --- norms ----------------------------------------------------------------------------------------

NORMS = """SELECT ?norm ?status ?strength ?codifiedIn ?proposedBy WHERE {
  ?norm a skg:Norm .
  OPTIONAL { ?assessment skg:assessedNorm ?norm .
             OPTIONAL { ?assessment skg:normStatus ?status } OPTIONAL { ?assessment skg:normStrength ?strength } }
  OPTIONAL { ?norm skg:codifiedIn ?codifiedIn }
  OPTIONAL { ?norm skg:proposedBy ?proposedBy }
} ORDER BY ?norm"""
STATUS_ORDER = (str(SKG.existing), str(SKG.emerging), str(SKG.proposed))
STRENGTH_ORDER = (str(SKG.strong), str(SKG.mild), str(SKG.nonExistent))


@pages.get("/norms")
def norms() -> Response:
    """The norms matrix: each norm placed by its assessed status and strength, then one row per norm."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in select(NORMS):
        entry = found[value(row["norm"])]
        for name in ("status", "strength", "codifiedIn", "proposedBy"):
            if row[name] is not None:
                entry[name].add(value(row[name]))
    table: list[dict[str, Any]] = []
    for norm, entry in found.items():
        table.append({"norm": site().iri_term(norm), "status": [site().iri_term(i) for i in sorted(entry["status"])],
                      "strength": [site().iri_term(i) for i in sorted(entry["strength"])],
                      "codified": site().sorted_terms(site().iri_term(i) for i in entry["codifiedIn"]),
                      "proposed": site().sorted_terms(site().iri_term(i) for i in entry["proposedBy"])})
    table.sort(key=lambda item: item["norm"].label.casefold())
    statuses = [*STATUS_ORDER, *sorted({s.value for item in table for s in item["status"]} - set(STATUS_ORDER))]
    strengths = [*STRENGTH_ORDER, *sorted({s.value for item in table for s in item["strength"]} - set(STRENGTH_ORDER))]
    unassessed = sum(1 for item in table if not item["status"])
    unrated = sum(1 for item in table if not item["strength"])
    statuses += [""] if unassessed else []
    strengths += [""] if unrated else []
    matrix = [[[item["norm"] for item in table
                if (status in {s.value for s in item["status"]} or (not status and not item["status"]))
                and (strength in {s.value for s in item["strength"]} or (not strength and not item["strength"]))]
               for status in statuses] for strength in strengths]
    return render_page("norms.html", table=table, matrix=matrix, unassessed=unassessed, unrated=unrated,
                       statuses=[site().iri_term(s) if s else None for s in statuses],
                       strengths=[site().iri_term(s) if s else None for s in strengths], alternates=query_alternates(NORMS))


# --- treaty status --------------------------------------------------------------------------------

OFFICIAL_COUNTS = """SELECT ?count ?instrument ?asOf ?asOfNote ?parties ?signatories ?declarations ?source WHERE {
  ?count a skg:OfficialCount ; skg:instrument ?instrument .
  OPTIONAL { ?count skg:asOf ?asOf } OPTIONAL { ?count skg:asOfNote ?asOfNote }
  OPTIONAL { ?count skg:partyCount ?parties } OPTIONAL { ?count skg:signatoryCount ?signatories }
  OPTIONAL { ?count skg:declarationCount ?declarations } OPTIONAL { ?count dct:source ?source }
} ORDER BY ?instrument DESC(?asOf) ?count"""


MEASURES = ("parties", "signatories", "declarations")


def _latest_official_counts(treaties: list[str]) -> dict[str, dict[str, dict[str, object]]]:
    """Per treaty and measure (parties, signatories, declarations), the most recent dated official count that states it."""
    latest: dict[str, dict[str, dict[str, object]]] = defaultdict(dict)
    for row in select(OFFICIAL_COUNTS):  # newest first within each instrument
        instrument = value(row["instrument"])
        if instrument not in treaties or row["asOf"] is None:
            continue
        for measure in MEASURES:
            if row[measure] is not None and measure not in latest[instrument]:
                latest[instrument][measure] = {"value": value(row[measure]), "as_of": value(row["asOf"]),
                                               "count": site().iri_term(value(row["count"]), value(row[measure])),
                                               "source": value(row["source"])}
    return latest


@pages.get("/treaties")
def treaties() -> Response:
    """States (and organisations) x the five UN space treaties: the status on a day (default: now), counts, coverage, official totals."""
    day = parse_day(request.args.get("date"))
    treaty_iris = [site().entity_iri(f"instrument/{slug}") for slug, _ in UN_TREATIES]
    by_actor: dict[str, dict[str, Status]] = defaultdict(dict)
    actors: dict[str, Term] = {}
    official = _latest_official_counts(treaty_iris)
    totals = []
    for iri in treaty_iris:
        found = statuses(iri, day)
        for status in found:
            by_actor[status.actor.value][iri] = status
            actors[status.actor.value] = status.actor
        counts = official.get(iri, {})
        sources = {str(count["source"]) for count in counts.values() if count["source"]}
        totals.append({"treaty": site().iri_term(iri), "tally": tally(found), "official": counts,
                       "sources": site().sorted_terms(site().iri_term(source) for source in sources)})
    ordered = sorted(actors.values(), key=lambda actor: (site().entity_path(actor.value).split("/")[0] != "state", actor.label.casefold()))
    return render_page("treaties.html", treaties=[site().iri_term(iri) for iri in treaty_iris], treaty_iris=treaty_iris, day=day,
                       abbreviations=[TREATY_ABBREVIATIONS[slug] for slug, _ in UN_TREATIES],
                       actors=ordered, cells=by_actor, totals=totals, labels=ORDER, alternates=query_alternates(OFFICIAL_COUNTS))
