"""Two states' agreement over time: per year, the share of shared roll calls in which they voted the same way.

A point's area grows with the roll calls it rests on, and their number is written over it: a year of one roll call
is not a year of twenty. The line joins only consecutive years, so a year without a shared roll call is a gap, never
a zero. Each point links to that year's roll calls in the list on the same page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from spacekg.web.pictures.charts import WIDTH, year_axis, year_scale
from spacekg.web.pictures.svg import LinearScale, element, link, picture

HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 28, 30


@dataclass(frozen=True)
class AgreementYear:
    """One year with shared roll calls: how many, in how many both voted the same way, and the share (whole percent)."""

    year: int
    shared: int
    agreed: int
    percent: int


def radius(shared: int) -> float:
    """A point's radius: its area grows with the roll calls behind it, up to a cap that keeps neighbours apart."""
    return min(8.0, 2.5 + 1.5 * math.sqrt(shared))


def _segments(points: Sequence[AgreementYear], x: LinearScale, y: LinearScale) -> str:
    """Path data joining consecutive years only: a missing year breaks the line."""
    commands = []
    for index, point in enumerate(points):
        joined = index > 0 and points[index - 1].year == point.year - 1
        commands.append(f"{'L' if joined else 'M'}{x(point.year):.1f} {y(point.percent):.1f}")
    return " ".join(commands)


def agreement_picture(years: Sequence[AgreementYear], first: str, second: str) -> Markup:
    """The share of shared roll calls with the same vote, per year, each point sized and labelled by its roll calls."""
    bottom = HEIGHT - BOTTOM
    x = year_scale([point.year for point in years], LEFT, WIDTH - RIGHT)
    y = LinearScale(0, 100, bottom, TOP)
    grid = [element("g", element("line", x1=LEFT, x2=WIDTH - RIGHT, y1=y(tick), y2=y(tick)),
                    element("text", f"{tick:g}%", x=LEFT - 6, y=y(tick) + 4, text_anchor="end")) for tick in y.ticks(5)]
    points = []
    for point in years:
        tooltip = (f"{point.year}: the same vote in {point.agreed} of {point.shared} shared roll call"
                   f"{'' if point.shared == 1 else 's'} ({point.percent}%)")
        size = radius(point.shared)
        points.append(link(f"#year-{point.year}", tooltip,
                           element("circle", cx=x(point.year), cy=y(point.percent), r=size, class_="agreement-point"),
                           element("text", str(point.shared), x=x(point.year), y=y(point.percent) - size - 3, text_anchor="middle",
                                   class_="count-label")))
    line = element("path", d=_segments(years, x, y), class_="agreement-line")
    described = (f"Per year from {years[0].year} to {years[-1].year}, the share of the roll calls with a recorded vote of both {first} and "
                 f"{second} in which they voted the same way; the number over each point is how many roll calls it rests on. "
                 f"Years without such a roll call are gaps in the line. The tables below give the same figures and the roll calls.")
    return picture(WIDTH, HEIGHT, f"Agreement of {first} and {second} in roll-call votes, per year", described,
                   element("g", *grid, class_="grid axis"), year_axis(x, TOP, bottom), line, *points, id_="agreement-picture",
                   class_="agreement")
