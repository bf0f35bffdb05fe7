"""A step chart of a count over time (parties to a treaty), with what the dates cannot place drawn apart from the line.

The line changes only on the days the data names; a count known only without a date (parties known from a status
listing, with no dated act) is a separate bar at the right, labelled, never spread over the line's years.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from spacekg.web.pictures.svg import LinearScale, element, picture

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 44, 150, 16, 36  # margins: the y labels, the undated bar and its label, the x labels


@dataclass(frozen=True)
class Step:
    """From `day` on (ISO date), the count is `count`."""

    day: str
    count: int


def year_of(day: str) -> float:
    """A day as a fractional year, so that days fall between the year ticks where they belong."""
    date = dt.date.fromisoformat(day)
    return date.year + (date.timetuple().tm_yday - 1) / 365.25


def step_chart(steps: Sequence[Step], start: str, end: str, undated: int, title: str, description: str, id_: str,
               marker: Step | None = None, what: tuple[str, str] = ("party", "parties")) -> Markup:
    """The chart as an <svg>: the count from `start` to `end` as a step line, `undated` as a bar beside it, `marker` as a rule.

    `what` names one and several of what is counted, for the tooltips."""
    def counted(count: int) -> str:
        return f"{count} {what[0] if count == 1 else what[1]}"

    first, last = year_of(start), max(year_of(end), year_of(start) + 1)
    highest = max([0, *(step.count for step in steps)]) + max(0, undated)
    x = LinearScale(first, last, LEFT, WIDTH - RIGHT)
    y = LinearScale(0, max(highest, 1), HEIGHT - BOTTOM, TOP)
    grid = [element("g", element("line", x1=LEFT, x2=WIDTH - RIGHT, y1=y(tick), y2=y(tick)),
                    element("text", f"{tick:g}", x=LEFT - 6, y=y(tick) + 4, text_anchor="end"), class_="grid")
            for tick in y.ticks(5) if tick == int(tick)]
    years = [element("g", element("line", x1=x(tick), x2=x(tick), y1=HEIGHT - BOTTOM, y2=HEIGHT - BOTTOM + 5),
                     element("text", f"{tick:g}", x=x(tick), y=HEIGHT - BOTTOM + 18, text_anchor="middle"), class_="axis")
             for tick in x.ticks(6)]
    path, count = [f"M{x(first):.1f} {y(0):.1f}"], 0
    marks = []
    for step in sorted(steps, key=lambda step: step.day):
        at = x(year_of(step.day))
        path.append(f"H{at:.1f}V{y(step.count):.1f}")
        if step.count != count:
            marks.append(element("circle", element("title", f"{step.day}: {counted(step.count)}"), cx=round(at, 1), cy=round(y(step.count), 1), r=3))
        count = step.count
    path.append(f"H{x(last):.1f}")
    parts = [*grid, *years, element("line", x1=LEFT, x2=WIDTH - RIGHT, y1=HEIGHT - BOTTOM, y2=HEIGHT - BOTTOM, class_="axis-line"),
             element("path", d="".join(path), class_="step-line"), element("g", *marks, class_="step-marks")]
    if marker is not None:
        at = x(year_of(marker.day))
        parts.append(element("g", element("title", f"{marker.day}: {counted(marker.count)} with a dated act"),
                             element("line", x1=at, x2=at, y1=TOP, y2=HEIGHT - BOTTOM),
                             # the day is written on the side with more room, never over the undated bar
                             element("text", marker.day, x=at - 4 if at > (LEFT + WIDTH - RIGHT) / 2 else at + 4, y=TOP + 10,
                                     text_anchor="end" if at > (LEFT + WIDTH - RIGHT) / 2 else "start"), class_="as-of"))
    if undated:
        bar_left = WIDTH - RIGHT + 16
        parts.append(element("g", element("title", f"{counted(undated)} with no dated act (known only from a status listing)"),
                             element("rect", x=bar_left, width=18, y=y(count + undated), height=max(1.0, y(count) - y(count + undated))),
                             element("text", f"+{undated} with no", x=bar_left + 24, y=y(count + undated) + 10),
                             element("text", "dated act", x=bar_left + 24, y=y(count + undated) + 24), class_="undated"))
    return picture(WIDTH, HEIGHT, title, description, *parts, id_=id_, class_="step-chart")
