"""A state's voting record over time: its recorded votes by year (across) and topic (one row each), coloured by option."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from spacekg.web.pictures.charts import Mark, swimlanes

OPTION_CLASSES = {"yes": "vote-yes", "no": "vote-no", "abstain": "vote-abstain", "not voting": "vote-not-voting"}  # spacekg.css


def option_class(option: str) -> str:
    """The CSS class that colours a vote option (an option outside Popolo's four is drawn as 'none')."""
    return OPTION_CLASSES.get(option, "vote-none")


@dataclass(frozen=True)
class RecordedVote:
    """One vote of the state as the picture draws it: the roll call's date, how it is cited, the option, topic and page."""

    date: str
    cited: str  # the UN symbol and title, or the source's identifier
    option: str
    topic: str
    href: str


def voting_record_picture(votes: Sequence[RecordedVote], topic_order: Sequence[str], state: str) -> Markup:
    """Rows of topics (in `topic_order`, those without a vote left out), a mark per recorded vote coloured by its option."""
    per_topic = Counter(vote.topic for vote in votes)
    rows = [name for name in dict.fromkeys([*topic_order, *sorted(per_topic)]) if per_topic[name]]
    ordered = sorted(votes, key=lambda vote: (vote.date, vote.href))  # stacked oldest at the bottom, whatever the table's order
    marks = [Mark(int(vote.date[:4]), vote.topic, vote.href, f"{vote.date} · {vote.cited}: {vote.option}", option_class(vote.option))
             for vote in ordered]
    per_option = Counter(vote.option for vote in votes)
    counted = ", ".join(f"{option} {count}" for option, count in per_option.most_common())
    years = [mark.year for mark in marks]
    description = (f"{len(votes)} recorded vote{'' if len(votes) == 1 else 's'} of {state}, {min(years)} to {max(years)} ({counted}), "
                   f"one row per topic, each square a roll call coloured by the vote. Years without a square have no vote of "
                   f"{state} recorded. The table below lists the same votes.")
    return swimlanes(marks, rows, f"Voting record of {state} over time", description, id_="voting-record-picture", class_="voting-record")
