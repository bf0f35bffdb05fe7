"""Treaty status as the pages show it: the canned query treaty-status-on-date, run for one day or the current status.

Pages, the CLI (`spacekg query treaty-status-on-date --param date=…`) and researchers' SPARQL all read the
statuses the build derived with the status rule (spacekg.rdf.status_rule); this module only reads them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import current_app

from spacekg.errors import UsageError
from spacekg.namespaces import PREFIXES
from spacekg.queries import CannedQuery, parse_canned
from spacekg.web.pages.common import dataset, value
from spacekg.web.site import Term
from spacekg.web.state import site

STATUS_QUERY = "treaty-status-on-date"
CURRENT = "current"
ORDER = ("party", "declared acceptance", "signatory", "withdrawn", "not a party", "unknown for want of a date", "not covered by any source")
COVERED = set(ORDER) - {"not covered by any source"}
# A computed flag is cast with xsd:boolean(…) in the queries, which Virtuoso 7.2 answers as a boolean too (it gives a bare comparison
# or && as 1 or 0); "1" is read as true all the same, should another query or store give the integer.
CONTESTED = ("true", "1")


@dataclass(frozen=True)
class Status:
    """One actor's status for one instrument on one day (or now), with the evidence and sources that decide it."""

    actor: Term
    label: str
    since: str
    until: str
    as_of: str
    contested: bool
    decided_by: tuple[Term, ...]
    sources: tuple[Term, ...]

    @property
    def css(self) -> str:
        return "status-" + self.label.split(" ")[0 if not self.label.startswith("not") else 1]


def parse_day(text: str | None) -> str:
    """The `date` parameter: current (the default) or a real day YYYY-MM-DD; a UsageError (400) names what is wrong."""
    if not text or text == CURRENT:
        return CURRENT
    try:
        return dt.date.fromisoformat(text).isoformat() if len(text) == 10 else _bad_day(text)
    except ValueError:
        return _bad_day(text)


def _bad_day(text: str) -> str:
    raise UsageError(f"parameter date={text!r} is not a day", "write the day as YYYY-MM-DD, e.g. date=1980-01-01, or leave it out for the current status")


def _query() -> CannedQuery:
    catalogue: dict[str, CannedQuery] = current_app.config.get("SPACEKG_CATALOGUE", {})
    if STATUS_QUERY in catalogue:
        return catalogue[STATUS_QUERY]
    return parse_canned(Path(__file__).resolve().parents[4] / "queries" / f"{STATUS_QUERY}.rq")


def status_query_text() -> str:
    """The text of treaty-status-on-date as the pages run it (a picture of the statuses offers it as its data)."""
    return _query().text


def _status(row: ox.QuerySolution) -> Status:
    """A row of treaty-status-on-date or of PERIODS (the same columns) as a Status."""
    def terms(name: str) -> tuple[Term, ...]:
        return tuple(site().iri_term(iri) for iri in value(row[name]).split())
    return Status(site().iri_term(value(row["actor"])), value(row["statusLabel"]), value(row["from"]), value(row["until"]),
                  value(row["asOf"]), value(row["contested"]) in CONTESTED, terms("decidedBy"), terms("sources"))


def statuses(instrument: str, day: str = CURRENT) -> list[Status]:
    """Every actor's status for one instrument on `day` (or now), sorted by status, then actor."""
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable("instrument"): ox.NamedNode(instrument), ox.Variable("date"): ox.Literal(day)}
    result = dataset().store.query(_query().text, prefixes=PREFIXES, substitutions=substitutions, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    found = [_status(row) for row in result]
    return sorted(found, key=lambda s: (ORDER.index(s.label) if s.label in ORDER else len(ORDER), s.actor.label.casefold()))


def tally(found: list[Status]) -> dict[str, int]:
    """How many actors have each status, and how many are covered by some source."""
    counts = Counter(status.label for status in found)
    return {**{label: counts.get(label, 0) for label in ORDER}, "covered": sum(counts[label] for label in COVERED), "all": len(found)}


PERIODS = """SELECT ?actor ?instrument ?statusLabel ?from ?until ?asOf ?contested
       (GROUP_CONCAT(DISTINCT STR(?evidence); separator=" ") AS ?decidedBy) (GROUP_CONCAT(DISTINCT STR(?source); separator=" ") AS ?sources)
WHERE {
  ?assessment a skg:StatusAssessment ; skg:assessedActor ?actor ; skg:instrument ?instrument ; skg:statusPeriod ?period .
  ?period skg:status ?status . ?status skos:prefLabel ?statusLabel .
  OPTIONAL { ?period skg:validFrom ?from } OPTIONAL { ?period skg:validUntil ?until }
  OPTIONAL { ?period skg:decidedBy ?evidence . OPTIONAL { ?evidence dct:source ?source } }
  OPTIONAL { ?assessment skg:statusAsOf ?currentAsOf FILTER(!BOUND(?until)) }
  BIND(?currentAsOf AS ?asOf)
  OPTIONAL { ?assessment skg:contested ?flag }
  BIND(xsd:boolean(!BOUND(?until) && COALESCE(?flag, false)) AS ?contested)
} GROUP BY ?actor ?instrument ?statusLabel ?from ?until ?asOf ?contested ORDER BY ?from"""


def histories(actor: str = "", instrument: str = "") -> list[tuple[Term, Status, list[Status]]]:
    """For one actor (every instrument) or one instrument (every actor covered by a source): the other side,
    the current status and every period, oldest first."""
    bindings = {name: ox.NamedNode(iri) for name, iri in (("actor", actor), ("instrument", instrument)) if iri}
    result = dataset().store.query(PERIODS, prefixes=PREFIXES, substitutions={ox.Variable(k): v for k, v in bindings.items()},
                                   use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    periods: dict[str, list[Status]] = {}
    for row in result:
        periods.setdefault(value(row["instrument"] if actor else row["actor"]), []).append(_status(row))
    found = []
    for other, spans in periods.items():
        current = next((span for span in spans if not span.until), spans[-1])
        if instrument and current.label == "not covered by any source":
            continue  # an instrument's page lists the actors some source covers
        found.append((site().iri_term(other), current, spans))
    return sorted(found, key=lambda item: item[0].label.casefold())
