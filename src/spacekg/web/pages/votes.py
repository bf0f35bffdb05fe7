"""Roll-call votes of the UN General Assembly: the /votes list, the section of a roll call's page, a state's voting record.

Roll calls and votes are in the Popolo vocabulary (spacekg.rdf.votes). The sources have gaps: the Voeten data record
no absences, many roll calls state no totals, and some years have no roll call at all. So the pages show totals only
as a source states them, and a state without a vote in a roll call as having no vote recorded, never as absent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from flask import Response, request, url_for
from markupsafe import Markup

from spacekg.errors import UsageError
from spacekg.web.pages.common import Alternate, pages, render_page, select, value
from spacekg.web.pages.figures import bound_query
from spacekg.web.pages.views import query_alternates
from spacekg.web.pictures.svg import legend
from spacekg.web.pictures.vote_record import RecordedVote, option_class, voting_record_picture
from spacekg.web.site import Term
from spacekg.web.state import site

OPTIONS = ("yes", "no", "abstain", "not voting")  # Popolo's options, in the order the UN states totals
ORDERS = {"desc": "newest first", "asc": "oldest first"}
ROLL_CALLS = """SELECT DISTINCT ?rollCall ?title ?date ?session ?sourceId ?symbol ?motion ?topic ?voteOn ?recordPage WHERE {
  ?rollCall a skg:RollCall ; schema:startDate ?date ; skg:voteTopic ?topic .
  OPTIONAL { ?rollCall dct:title ?title } OPTIONAL { ?rollCall skg:session ?session }
  OPTIONAL { ?rollCall skg:sourceId ?sourceId } OPTIONAL { ?rollCall skg:unSymbol ?symbol }
  OPTIONAL { ?rollCall opengov:motion ?motion } OPTIONAL { ?rollCall skg:voteOn ?voteOn }
  OPTIONAL { ?rollCall foaf:page ?recordPage }
} ORDER BY ?date ?rollCall"""
STATED = """SELECT DISTINCT ?rollCall ?option ?value WHERE {
  ?rollCall a skg:RollCall ; opengov:count ?count . ?count opengov:option ?option ; opengov:value ?value }"""
RECORDED = """SELECT ?rollCall ?option (COUNT(DISTINCT ?vote) AS ?n) WHERE {
  ?vote a opengov:Vote ; opengov:voteEvent ?rollCall ; schema:option ?option } GROUP BY ?rollCall ?option"""
TOPICS = """SELECT DISTINCT ?topic ?notation WHERE { ?topic skos:inScheme skg:VoteTopicScheme ; skos:notation ?notation }"""
COVERAGE = """SELECT ?source (COUNT(DISTINCT ?rollCall) AS ?rollCalls) (MIN(?date) AS ?first) (MAX(?date) AS ?last) (SAMPLE(?note) AS ?sourceNote)
WHERE { ?rollCall a skg:RollCall ; dct:source ?source ; schema:startDate ?date . OPTIONAL { ?source skos:note ?note } }
GROUP BY ?source"""
ROLL_CALL_VOTES = """SELECT DISTINCT ?rollCall ?vote ?state ?option WHERE { ?vote opengov:voteEvent ?rollCall ; schema:agent ?state ; schema:option ?option }"""
ROLL_CALL_NOTES = """SELECT DISTINCT ?rollCall ?note WHERE { ?rollCall skos:note ?note }"""
# The voting record as data: each recorded vote of the state (bound by the page) with its roll call's date and topic.
STATE_RECORD = """SELECT ?date ?rollCall ?symbol ?topic ?option ?vote WHERE {
  ?vote schema:agent ?state ; opengov:voteEvent ?rollCall ; schema:option ?option .
  ?rollCall schema:startDate ?date ; skg:voteTopic ?topic . OPTIONAL { ?rollCall skg:unSymbol ?symbol }
} ORDER BY ?date ?rollCall"""
STATE_VOTES = """SELECT DISTINCT ?state ?vote ?rollCall ?option WHERE { ?vote schema:agent ?state ; opengov:voteEvent ?rollCall ; schema:option ?option }"""


@dataclass(frozen=True)
class Topic:
    """A concept of the roll-call topic scheme."""

    term: Term
    notation: str  # the value of the topic parameters


@dataclass
class RollCall:
    """One roll call as the pages list it: what it decided, its totals as stated and the votes recorded for each option."""

    term: Term  # labelled with its title
    date: str
    session: str
    source_id: str
    symbol: str
    motion: Term | None
    topic: Topic
    vote_on: Term | None
    record_page: Term | None
    stated: dict[str, str] = field(default_factory=dict)  # option -> total as the source states it
    recorded: dict[str, int] = field(default_factory=dict)  # option -> votes recorded in the graph

    @property
    def year(self) -> str:
        return self.date[:4]

    @property
    def recorded_total(self) -> int:
        return sum(self.recorded.values())


def topics() -> dict[str, Topic]:
    """The topics of the roll-call topic scheme by notation (those without a roll call included)."""
    found = {value(row["notation"]): Topic(site().iri_term(value(row["topic"])), value(row["notation"])) for row in select(TOPICS)}
    return dict(sorted(found.items(), key=lambda item: item[1].term.label.casefold()))


def roll_calls() -> dict[str, RollCall]:
    """Every roll call by IRI, oldest first, with its stated totals and recorded votes per option (computed once per release)."""
    by_iri = {topic.term.value: topic for topic in site().cached("vote-topics", topics).values()}
    found: dict[str, RollCall] = {}
    for row in select(ROLL_CALLS):
        iri, topic = value(row["rollCall"]), value(row["topic"])
        found.setdefault(iri, RollCall(
            site().iri_term(iri, value(row["title"]) or None), value(row["date"]), value(row["session"]), value(row["sourceId"]),
            value(row["symbol"]), site().iri_term(value(row["motion"]), value(row["symbol"]) or None) if row["motion"] else None,
            by_iri.get(topic, Topic(site().iri_term(topic), "")), site().term(row["voteOn"]), site().term(row["recordPage"])))
    for row in select(STATED):
        if value(row["rollCall"]) in found:
            found[value(row["rollCall"])].stated[value(row["option"])] = value(row["value"])
    for row in select(RECORDED):
        if value(row["rollCall"]) in found:
            found[value(row["rollCall"])].recorded[value(row["option"])] = int(value(row["n"]))
    return found


def coverage() -> list[dict[str, Any]]:
    """Per source of the roll calls: how many, the first and last year, and what the citation notes about it."""
    rows = [{"source": site().iri_term(value(row["source"])), "roll_calls": int(value(row["rollCalls"])),
             "first": value(row["first"])[:4], "last": value(row["last"])[:4], "note": value(row["sourceNote"])} for row in select(COVERAGE)]
    return sorted(rows, key=lambda row: (row["first"], row["source"].label.casefold()))


def _choice(name: str, allowed: dict[str, Any], default: str, what: str) -> str:
    """A query parameter that must be one of `allowed` (or empty, for the default); a UsageError (400) names it otherwise."""
    text = request.args.get(name, "").strip()
    if not text:
        return default
    if text not in allowed:
        raise UsageError(f"parameter {name}={text!r} is not {what}", f"use one of: {', '.join(allowed)}; or leave {name} out")
    return text


def _topic(name: str) -> str:
    return _choice(name, site().cached("vote-topics", topics), "", "a topic of the roll calls")


@pages.get("/votes")
def votes() -> Response:
    """Roll calls of the General Assembly on outer space, by topic, oldest first (?order=desc: newest), one topic with ?topic=."""
    chosen, order = _topic("topic"), _choice("order", ORDERS, "asc", "an order of the roll calls")
    known = site().cached("roll-calls", roll_calls)
    all_topics = site().cached("vote-topics", topics)
    per_topic = Counter(roll_call.topic.notation for roll_call in known.values())
    listed = [roll_call for roll_call in known.values() if not chosen or roll_call.topic.notation == chosen]
    if order == "desc":
        listed.reverse()
    groups = [(topic, [roll_call for roll_call in listed if roll_call.topic.notation == notation])
              for notation, topic in all_topics.items() if (not chosen and per_topic[notation]) or notation == chosen]
    groups.sort(key=lambda group: min((roll_call.date for roll_call in group[1]), default=""))  # topics in the order they first came up
    unrecorded = [topic for notation, topic in all_topics.items() if not per_topic[notation]]
    return render_page("votes.html", groups=groups, topics=all_topics, per_topic=per_topic, chosen=chosen, order=order, orders=ORDERS,
                       total=len(known), unrecorded=unrecorded, coverage=site().cached("vote-coverage", coverage),
                       options=OPTIONS, alternates=query_alternates(ROLL_CALLS))


# --- the section of a roll call's page ------------------------------------------------------------

@dataclass(frozen=True)
class RollCallDetail:
    """A roll call with every recorded vote, grouped by option (Popolo's four first, any other the data has after them)."""

    roll_call: RollCall
    by_option: dict[str, list[tuple[Term, Term]]]  # option -> (state, vote) by the state's name
    notes: list[str]


def roll_call_detail(iri: str) -> RollCallDetail | None:
    """What a roll call's page shows above its statements: the roll call, its totals and every state's vote by option."""
    roll_call = site().cached("roll-calls", roll_calls).get(iri)
    if roll_call is None:
        return None
    by_option: dict[str, list[tuple[Term, Term]]] = {option: [] for option in OPTIONS}
    for row in select(ROLL_CALL_VOTES, rollCall=iri):
        option = value(row["option"])
        by_option.setdefault(option, []).append((site().iri_term(value(row["state"])), site().iri_term(value(row["vote"]), option)))
    for voters in by_option.values():
        voters.sort(key=lambda pair: (pair[0].label.casefold(), pair[0].value))
    notes = sorted(value(row["note"]) for row in select(ROLL_CALL_NOTES, rollCall=iri))
    return RollCallDetail(roll_call, by_option, notes)


# --- a state's voting record ----------------------------------------------------------------------

@dataclass(frozen=True)
class VotingRecord:
    """One state's recorded votes as its page lists them, with what the form and the sorting links need."""

    rows: list[tuple[RollCall, Term]]  # (roll call, the state's vote), in the chosen order and topic
    total: int  # the state's recorded votes in every topic
    tally: dict[str, int]  # votes shown, per option
    topics: list[tuple[Topic, int]]  # the topics the state has votes in, with how many
    topic: Topic | None
    order: str
    action: str  # the page's own address, for the form
    order_hrefs: dict[str, str]  # order -> the page in that order, keeping the topic
    picture: Markup | None  # the votes shown, over time
    legend: Markup  # the options of the votes shown, with how many
    agreement_href: str  # the agreement page with this state chosen
    alternates: list[Alternate]  # the picture's query (the state's votes, by date) as SPARQL JSON and CSV


def voting_record(state: str, path: str) -> VotingRecord:
    """The votes of one state, by date (?votes_order=asc|desc, newest first by default), of one topic with ?votes_topic=."""
    chosen, order = _topic("votes_topic"), _choice("votes_order", ORDERS, "desc", "an order of the votes")
    known = site().cached("roll-calls", roll_calls)
    cast = [(known[value(row["rollCall"])], site().iri_term(value(row["vote"]), value(row["option"])))
            for row in select(STATE_VOTES, state=state) if value(row["rollCall"]) in known]
    cast.sort(key=lambda pair: (pair[0].date, pair[0].term.value), reverse=order == "desc")
    per_topic = Counter(roll_call.topic.notation for roll_call, _ in cast)
    all_topics = site().cached("vote-topics", topics)
    rows = [pair for pair in cast if not chosen or pair[0].topic.notation == chosen]
    tally = Counter(vote.label for _, vote in rows)
    action = url_for("linked_data.document", path=path)
    order_hrefs = {name: url_for("linked_data.document", path=path, votes_order=name, votes_topic=chosen or None)
                   + "#voting-record" for name in ORDERS}
    counts = {option: tally[option] for option in (*OPTIONS, *sorted(set(tally) - set(OPTIONS)))}
    state_label = site().label(state)
    picture = voting_record_picture([RecordedVote(roll_call.date, _cited(roll_call), vote.label, roll_call.topic.term.label, roll_call.term.href)
                                     for roll_call, vote in rows], [topic.term.label for topic in all_topics.values()], state_label) if rows else None
    return VotingRecord(rows, len(cast), counts,
                        [(topic, per_topic[notation]) for notation, topic in all_topics.items() if per_topic[notation]],
                        all_topics.get(chosen), order, action, order_hrefs, picture,
                        legend([(option_class(option), option, count) for option, count in counts.items()], "Votes shown, by option"),
                        url_for("pages.vote_agreement", a=site().entity_path(state).rpartition("/")[2]),
                        query_alternates(bound_query(STATE_RECORD, state=ox.NamedNode(state))))


def _cited(roll_call: RollCall) -> str:
    """How a roll call is cited in a tooltip: its UN symbol and title, or the source's identifier and title."""
    cited, title = roll_call.symbol or roll_call.source_id, roll_call.term.label
    return f"{cited} {title}" if title and title != cited else cited
