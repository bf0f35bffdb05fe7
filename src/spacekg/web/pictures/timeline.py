"""The chronology's timeline: the events a reader chose, by year (across) and type (one row each)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from spacekg.web.pictures.charts import Mark, swimlanes


@dataclass(frozen=True)
class TimelineEvent:
    """An event as the timeline draws it: the year of its earliest possible date, its date as written, name, type and page."""

    year: int
    date: str
    label: str
    type_label: str
    href: str


def timeline(events: Sequence[TimelineEvent], type_order: Sequence[str], described_by: str) -> Markup:
    """Rows of event types (in `type_order`, those with no event left out), a linked mark per event in its year.

    `described_by` names the table that lists the same events, which the description points to."""
    per_type = Counter(event.type_label for event in events)
    rows = [name for name in dict.fromkeys([*type_order, *sorted(per_type)]) if per_type[name]]
    marks = [Mark(event.year, event.type_label, event.href, f"{event.date} · {event.label} ({event.type_label})", "timeline-event")
             for event in events]
    years = [event.year for event in events]
    counted = "; ".join(f"{name}: {per_type[name]}" for name in rows)
    description = (f"{len(events)} event{'' if len(events) == 1 else 's'} from {min(years)} to {max(years)}, one row per type ({counted}). "
                   f"Each square is an event, stacked when a type has several in one year. The table below (#{described_by}) lists them.")
    return swimlanes(marks, rows, "Timeline of the events shown", description, id_="timeline", class_="timeline")
