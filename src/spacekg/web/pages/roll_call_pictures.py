"""The pictures of a roll call's page: a map of every state by its recorded vote, and the totals as the source states
them beside the votes recorded here. A state of the graph with no vote in the roll call is drawn as "no vote recorded"
(not collected, which is not "absent"), in the neutral class, and still links to its page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pyoxigraph as ox

from spacekg.web.pages.common import select, value
from spacekg.web.pages.figures import Figure, bound_query
from spacekg.web.pages.votes import OPTIONS
from spacekg.web.pictures.paired_bars import Pair, paired_bars
from spacekg.web.pictures.svg import legend
from spacekg.web.pictures.world_map import Category, NotDrawn, Region, not_drawn, world_map
from spacekg.web.site import Term
from spacekg.web.state import site

NO_VOTE = "no vote recorded"
VOTE_MAP = """SELECT ?state ?option WHERE {
  ?state a skg:State .
  OPTIONAL { ?vote opengov:voteEvent ?rollCall ; schema:agent ?state ; schema:option ?option }
} ORDER BY ?state ?option"""
TOTALS = """SELECT ?option (SAMPLE(?value) AS ?stated) (COUNT(DISTINCT ?vote) AS ?recorded) WHERE {
  { ?rollCall opengov:count ?count . ?count opengov:option ?option ; opengov:value ?value }
  UNION { ?vote opengov:voteEvent ?rollCall ; schema:option ?option }
} GROUP BY ?option"""


@dataclass(frozen=True)
class RollCallPictures:
    """The vote map and the totals of one roll call, with the states the map cannot draw."""

    vote_map: Figure
    totals: Figure
    not_drawn: list[NotDrawn]
    categories: list[Category]
    no_vote: list[Term]  # the states of the graph with no vote recorded in this roll call


def vote_class(option: str) -> str:
    """The fill class of an option (spacekg.css): Popolo's four have their own, any other the data may have shares one."""
    return f"vote-{option.replace(' ', '-')}" if option in OPTIONS else "vote-other"


def roll_call_pictures(iri: str, title: str) -> RollCallPictures:
    """Both pictures of the roll call `iri` (titled `title`), each from the query it offers as its data."""
    map_query = bound_query(VOTE_MAP, rollCall=ox.NamedNode(iri))
    regions: dict[str, Region] = {}
    no_vote: list[Term] = []
    for row in select(map_query):
        path = site().entity_path(value(row["state"]))
        if not path.startswith("state/") or path.split("/", 1)[1] in regions:
            continue  # a state with two votes in one roll call is shown by the first, as the list below the map shows both
        state = site().iri_term(value(row["state"]))
        option = value(row["option"]) or NO_VOTE
        if option == NO_VOTE:
            no_vote.append(state)
        regions[path.split("/", 1)[1]] = Region(option, state.href, f"{state.label}: {option}")
    counts = Counter(region.category for region in regions.values())
    options = [*OPTIONS, *sorted(set(counts) - {*OPTIONS, NO_VOTE})]
    categories = [Category(option, vote_class(option), option, counts[option]) for option in options]
    categories.append(Category(NO_VOTE, "vote-none", f"{NO_VOTE} (not collected, not “absent”)", counts[NO_VOTE]))
    no_data = Category("", "map-none", "not a state in SpaceKG's graph")
    summary = "; ".join(f"{category.count} {category.key}" for category in categories)
    svg = world_map(regions, categories, no_data, f"How each state voted: {title}",
                    f"World map of the states by their recorded vote in the roll call: {summary}. Each state links to its page.", "vote-map")
    vote_map = Figure("vote-map", "How each state voted, as recorded in the source", svg, map_query,
                      legend([category.entry for category in categories], "Legend of the map: vote, and how many states cast it"))
    totals_query = bound_query(TOTALS, rollCall=ox.NamedNode(iri))
    found = {value(row["option"]): (value(row["stated"]), int(value(row["recorded"]) or 0)) for row in select(totals_query)}
    pairs = [Pair(option, vote_class(option), int(found[option][0]) if found.get(option, ("", 0))[0].isdigit() else None,
                  found.get(option, ("", 0))[1]) for option in [*OPTIONS, *sorted(set(found) - set(OPTIONS))]]
    stated = any(pair.stated is not None for pair in pairs)
    bars = paired_bars(pairs, f"Totals: {title}",
                       "Bars per option: " + "; ".join(f"{pair.label}: {'not stated' if pair.stated is None else pair.stated} stated by the source, "
                                                        f"{pair.recorded} recorded here" for pair in pairs), "vote-totals")
    caption = "The totals the source states, beside the votes recorded here" if stated else \
        "The source states no totals for this roll call: the votes recorded here"
    return RollCallPictures(vote_map, Figure("vote-totals", caption, bars, totals_query), not_drawn(regions), categories,
                            site().sorted_terms(no_vote))
