"""The status of one UN space treaty, in pictures: /treaties/<instrument> (ost, arra, liab, reg, moon), ?date= for a day.

A world map of every state's status on the day (pages/status.py: the canned query treaty-status-on-date), and a step
chart of the parties over time from the status periods the build derived. A party whose party status begins with a
dated act (a ratification, accession, …) counts on the line from that day; a party known only from a status listing
(no dated act) is counted apart, since the day it became a party is not in the graph.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Response, abort, request, url_for

from spacekg.web.pages.common import pages, render_page, select, value
from spacekg.web.pages.figures import Figure, bound_query
from spacekg.web.pages.status import CURRENT, ORDER, Status, parse_day, status_query_text, statuses
from spacekg.web.pages.views import UN_TREATIES
from spacekg.web.pictures.step_chart import Step, step_chart
from spacekg.web.pictures.svg import legend
from spacekg.web.pictures.world_map import Category, NotDrawn, Region, not_drawn, world_map
from spacekg.web.site import Term
from spacekg.web.state import site

# Fills of spacekg.css; "not covered by any source" shares the neutral class of areas no source covers
STATUS_CLASSES = {"party": "status-fill-party", "declared acceptance": "status-fill-declared", "signatory": "status-fill-signatory",
                  "withdrawn": "status-fill-withdrawn", "not a party": "status-fill-not-party",
                  "unknown for want of a date": "status-fill-unknown", "not covered by any source": "map-none"}
NOT_COVERED = "not covered by any source"
PARTY_PERIODS = """SELECT ?actor ?from ?until (SAMPLE(?day) AS ?datedAct) (SAMPLE(?act) AS ?decidedBy) WHERE {
  ?assessment a skg:StatusAssessment ; skg:instrument ?instrument ; skg:assessedActor ?actor ; skg:statusPeriod ?period .
  ?period skg:status skg:statusParty .
  OPTIONAL { ?period skg:validFrom ?from } OPTIONAL { ?period skg:validUntil ?until }
  OPTIONAL { ?period skg:decidedBy ?act . ?act skg:date ?day FILTER NOT EXISTS { ?act a skg:StatusListing } }
} GROUP BY ?actor ?from ?until ORDER BY ?actor ?from"""


@dataclass(frozen=True)
class Run:
    """One actor's uninterrupted time as a party: from `start` to `end` (exclusive; '' while it lasts); dated when an act begins it."""

    actor: str
    start: str
    end: str
    dated: bool

    def covers(self, day: str) -> bool:
        return (not self.end if day == CURRENT else self.start <= day and (not self.end or day < self.end))


def party_runs(rows: list[dict[str, ox.NamedNode | ox.Literal | None]]) -> list[Run]:
    """The periods as party of PARTY_PERIODS, joined where one ends the day the next begins (a listing confirming an act)."""
    runs: list[Run] = []
    by_actor: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    for row in rows:
        by_actor[value(row["actor"])].append((value(row["from"]), value(row["until"]), row["datedAct"] is not None))
    for actor, periods in by_actor.items():
        for start, end, dated in sorted(periods):
            if runs and runs[-1].actor == actor and runs[-1].end and runs[-1].end == start:
                runs[-1] = Run(actor, runs[-1].start, end, runs[-1].dated)
            else:
                runs.append(Run(actor, start, end, dated))
    return runs


def steps_of(runs: list[Run]) -> list[Step]:
    """The number of parties with a dated act, on each day it changes."""
    changes: dict[str, int] = defaultdict(int)
    for run in runs:
        if run.dated and run.start:
            changes[run.start] += 1
            if run.end:
                changes[run.end] -= 1
    steps, count = [], 0
    for day in sorted(changes):
        count += changes[day]
        steps.append(Step(day, count))
    return steps


def _day(text: str) -> str:
    """The day of a (possibly partial) date, '' for one that names no single day."""
    try:
        return dt.date.fromisoformat(text).isoformat() if len(text) == 10 else ""
    except ValueError:
        return ""


def _tooltip(status: Status) -> str:
    when = f", as of {status.as_of}" if status.as_of else f", since {status.since}" if status.since and status.label != NOT_COVERED else ""
    return f"{status.actor.label}: {status.label}{' (contested)' if status.contested else ''}{when}"


def status_map(iri: str, name: str, day: str, found: list[Status]) -> tuple[Figure, dict[str, list[Term]], list[NotDrawn], list[Status]]:
    """The map of the statuses, the states per status (its text alternative), the states not drawn, and the organisations."""
    regions: dict[str, Region] = {}
    by_status: dict[str, list[Term]] = {label: [] for label in ORDER}
    organisations = []
    for status in found:
        path = site().entity_path(status.actor.value)
        if not path.startswith("state/"):
            organisations.append(status)
            continue
        regions[path.split("/", 1)[1]] = Region(status.label, status.actor.href, _tooltip(status))
        by_status.setdefault(status.label, []).append(status.actor)
    on = "currently" if day == CURRENT else f"on {day}"
    categories = [Category(label, STATUS_CLASSES.get(label, "map-none"), label, len(by_status[label])) for label in by_status
                  if by_status[label] or label in ("party", "not a party", NOT_COVERED)]
    no_data = Category("", "map-none", "not a state in SpaceKG's graph: no source covers it")
    counts = "; ".join(f"{category.count} {category.label}" for category in categories)
    svg = world_map(regions, categories, no_data, f"{name}: status of every state {on}",
                    f"World map of the states by their status for the {name} {on}: {counts}. Each state links to its page.", "status-map")
    query = bound_query(status_query_text(), instrument=ox.NamedNode(iri), date=ox.Literal(day))
    figure = Figure("status-map", f"Status of every state for the {name} {on}, by the status rule", svg, query,
                    legend([category.entry for category in categories], "Legend of the map: status, and how many states have it"), "the map")
    return figure, by_status, not_drawn(regions), organisations


@pages.get("/treaties/<instrument>")
def treaty_status(instrument: str) -> Response:
    """One UN space treaty: the map of every state's status on a day (default: now) and the parties over time."""
    names = dict(UN_TREATIES)
    if instrument not in names:
        abort(404, description=f"no UN space treaty is called {instrument!r}: use one of {', '.join(names)}")
    day = parse_day(request.args.get("date"))
    iri = site().entity_iri(f"instrument/{instrument}")
    name = site().label(iri)
    found = statuses(iri, day)
    status_figure, by_status, undrawn, organisations = status_map(iri, name, day, found)
    chart_query = bound_query(PARTY_PERIODS, instrument=ox.NamedNode(iri))
    runs = party_runs(select(chart_query))  # the very query the chart offers as its data
    steps = steps_of(runs)
    dated_now = sum(1 for run in runs if run.dated and run.covers(day))
    undated_now = sum(1 for run in runs if not run.dated and run.covers(day))
    # the chart spans the whole history (the opening, every run as party), whichever day the map shows
    days = [_day(status.since) for status in found] + [_day(status.as_of) for status in found] + [_day(run.start) for run in runs] \
        + [_day(run.end) for run in runs]
    known = sorted(found_day for found_day in days if found_day)
    start, end = (known[0], known[-1]) if known else ("1967-01-01", "1967-01-01")
    if day != CURRENT:  # the chart reaches the day asked for, whichever side of the evidence it lies
        start, end = min(start, day), max(end, day)
    undated_end = sum(1 for run in runs if not run.dated and run.covers(CURRENT))
    marker = Step(day, dated_now) if day != CURRENT else None
    chart = step_chart(steps, start, end, undated_end, f"{name}: parties over time",
                       f"Step chart of the number of parties to the {name} with a dated act, {start} to {end}: "
                       f"{steps[-1].count if steps else 0} at the end; {undated_end} more parties have no dated act.",
                       "parties-chart", marker)
    chart_figure = Figure("parties-chart", f"Parties to the {name} over time, from their dated acts", chart, chart_query,
                          short="the chart of parties over time")
    treaties = [(slug, site().label(site().entity_iri(f"instrument/{slug}")),
                 url_for("pages.treaty_status", instrument=slug, date=None if day == CURRENT else day)) for slug in names]
    return render_page("treaty.html", slug=instrument, name=name, treaty=site().iri_term(iri), day=day, status_figure=status_figure,
                       by_status=by_status, undrawn=undrawn, organisations=organisations, chart_figure=chart_figure, steps=steps,
                       dated_now=dated_now, undated_now=undated_now, undated_end=undated_end, start=start, end=end, treaties=treaties,
                       alternates=[*status_figure.page_alternates, *chart_figure.page_alternates])
