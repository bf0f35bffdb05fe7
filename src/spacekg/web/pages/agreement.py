"""How often two states voted alike: /votes/agreement?a=IND&b=USA, per year, with the roll calls behind each year.

Agreement is the definition of queries/vote-agreement-by-decade.rq: among the roll calls in which the sources record a
vote of both states, the share in which both chose the same option ("not voting" is an option too). A roll call where
either has no recorded vote is left out, never counted as disagreement, and a year without a shared roll call is a gap.
Per year, not per decade: a General Assembly session is a year, and each point shows how many roll calls it rests on.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from flask import Response, request

from spacekg.errors import UsageError
from spacekg.web.pages.common import pages, render_page, select, value
from spacekg.web.pages.views import query_alternates
from spacekg.web.pages.votes import STATE_VOTES, RollCall, roll_calls
from spacekg.web.pictures.agreement import AgreementYear, agreement_picture
from spacekg.web.site import Term
from spacekg.web.state import site

PREFERRED_PAIR = ("USA", "RUS")  # the default when both have votes: the pair researchers ask about first
VOTERS = """SELECT ?state (COUNT(DISTINCT ?rollCall) AS ?rollCalls) WHERE {
  ?vote a opengov:Vote ; schema:agent ?state ; opengov:voteEvent ?rollCall } GROUP BY ?state"""
# queries/vote-agreement-by-decade.rq per year, the two states bound; the page offers it as the picture's data.
AGREEMENT = """SELECT ?first ?second ?year (COUNT(DISTINCT ?rollCall) AS ?rollCalls) (COUNT(DISTINCT ?agreedOn) AS ?agreed)
       (ROUND(100 * xsd:decimal(COUNT(DISTINCT ?agreedOn)) / COUNT(DISTINCT ?rollCall)) AS ?agreementPercent)
WHERE {
  VALUES (?first ?second) { (<FIRST> <SECOND>) }
  ?a opengov:voteEvent ?rollCall ; schema:agent ?first ; schema:option ?optionA .
  ?b opengov:voteEvent ?rollCall ; schema:agent ?second ; schema:option ?optionB .
  ?rollCall a skg:RollCall ; schema:startDate ?date .
  BIND (YEAR(?date) AS ?year)
  # the roll call where both chose the same option, else unbound (?none is never bound): DISTINCT counts each once
  BIND (IF(?optionA = ?optionB, ?rollCall, ?none) AS ?agreedOn)
}
GROUP BY ?first ?second ?year
ORDER BY ?year"""


@dataclass(frozen=True)
class Voter:
    """A state with recorded votes, as the form offers it."""

    code: str  # the last segment of its IRI (ISO 3166 alpha-3, or a former state's code such as SUN)
    term: Term
    roll_calls: int


@dataclass(frozen=True)
class SharedRollCall:
    """A roll call with a recorded vote of both states, and their options."""

    roll_call: RollCall
    first: str
    second: str
    same: bool


def voters() -> dict[str, Voter]:
    """The states with a recorded vote, by code, in the order of their names."""
    found = []
    for row in select(VOTERS):
        path = site().entity_path(value(row["state"]))
        if path.startswith("state/"):
            found.append(Voter(path.partition("/")[2], site().iri_term(value(row["state"])), int(value(row["rollCalls"]))))
    return {voter.code: voter for voter in sorted(found, key=lambda voter: (voter.term.label.casefold(), voter.code))}


def agreement_query(first: str, second: str) -> str:
    """The query behind the picture, with the two states' IRIs bound."""
    return AGREEMENT.replace("<FIRST>", f"<{first}>").replace("<SECOND>", f"<{second}>")


def percent(agreed: int, shared: int) -> int:
    """100 x agreed / shared, rounded half up as SPARQL's ROUND does (Python's round() would round half to even)."""
    return math.floor(Fraction(100 * agreed, shared) + Fraction(1, 2))


def shared_roll_calls(first: str, second: str) -> list[SharedRollCall]:
    """The roll calls with a recorded vote of both states, oldest first; the same vote if any option of one is the other's."""
    known = site().cached("roll-calls", roll_calls)
    options: list[dict[str, set[str]]] = []
    for state in (first, second):
        chosen: dict[str, set[str]] = defaultdict(set)
        for row in select(STATE_VOTES, state=state):
            if value(row["rollCall"]) in known:
                chosen[value(row["rollCall"])].add(value(row["option"]))
        options.append(chosen)
    both = sorted(set(options[0]) & set(options[1]), key=lambda iri: (known[iri].date, iri))
    return [SharedRollCall(known[iri], " / ".join(sorted(options[0][iri])), " / ".join(sorted(options[1][iri])),
                           bool(options[0][iri] & options[1][iri])) for iri in both]


def per_year(shared: list[SharedRollCall]) -> list[AgreementYear]:
    """Shared roll calls and same votes per year that has any."""
    years: dict[int, list[SharedRollCall]] = defaultdict(list)
    for item in shared:
        years[int(item.roll_call.year)].append(item)
    return [AgreementYear(year, len(items), sum(item.same for item in items), percent(sum(item.same for item in items), len(items)))
            for year, items in sorted(years.items())]


def gaps(years: list[AgreementYear]) -> list[str]:
    """The runs of years between the first and the last with no shared roll call: '1959–1961', '1963'."""
    runs = []
    for before, after in itertools.pairwise(years):
        if after.year - before.year > 1:
            first, last = before.year + 1, after.year - 1
            runs.append(str(first) if first == last else f"{first}–{last}")
    return runs


def _state(name: str, known: dict[str, Voter], default: str) -> Voter:
    """A parameter naming a state with recorded votes by its code; a UsageError (400) names it otherwise."""
    text = request.args.get(name, "").strip().upper() or default  # codes are upper case; "usa" means USA
    if text not in known:
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise UsageError(f"parameter {name}={shown!r} is not a state with recorded roll-call votes",
                         f"give {name} as the code of such a state, e.g. {next(iter(known), 'USA')}; the form on /votes/agreement lists them")
    return known[text]


@pages.get("/votes/agreement")
def vote_agreement() -> Response:
    """How often two states (?a=, ?b=: codes such as IND and USA) voted the same way, per year, with the roll calls behind it."""
    known = site().cached("vote-voters", voters)
    if len(known) < 2:
        return render_page("votes_agreement.html", known=known, first=None, second=None)
    busiest = sorted(known.values(), key=lambda voter: (-voter.roll_calls, voter.term.label.casefold()))
    defaults = PREFERRED_PAIR if all(code in known for code in PREFERRED_PAIR) else (busiest[0].code, busiest[1].code)
    first = _state("a", known, defaults[0])
    second = _state("b", known, defaults[1] if defaults[1] != first.code else defaults[0])
    if first.code == second.code:
        raise UsageError(f"parameters a and b both name {first.code!r}", "choose two different states for a and b")
    shared = shared_roll_calls(first.term.value, second.term.value)
    years = per_year(shared)
    agreed = sum(item.same for item in shared)
    by_year: dict[int, list[SharedRollCall]] = defaultdict(list)
    for item in shared:
        by_year[int(item.roll_call.year)].append(item)
    picture = agreement_picture(years, first.term.label, second.term.label) if years else None
    query = agreement_query(first.term.value, second.term.value)
    return render_page("votes_agreement.html", known=known, first=first, second=second, shared=shared, years=years, by_year=by_year,
                       agreed=agreed, overall=percent(agreed, len(shared)) if shared else None, gaps=gaps(years), picture=picture,
                       alternates=query_alternates(query))
