"""What the time charts share: a year axis, rows of marks stacked within a row and year.

The chronology's timeline and a state's voting record are both "rows over years": one row per kind of thing (an event
type, a roll-call topic), one small linked square per item in its year, items of the same row and year stacked
upwards so that none hides another. Each row is as tall as its most crowded year.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from spacekg.web.pictures.svg import LinearScale, element, link, picture

WIDTH = 960  # viewBox units; the picture scales to its container, and a phone scrolls it sideways in its own box
MARK = 9  # a mark's height, and its width at most (a year narrower than that gets a narrower mark)
GAP = 2
ROW_PADDING = 6
LABEL_CHARACTERS = 34  # a longer row label is cut (its full text stays in its tooltip)
AXIS_HEIGHT = 24


@dataclass(frozen=True)
class Mark:
    """One item drawn in a row at a year: the page it links to, its tooltip and the CSS class that colours it."""

    year: int
    row: str
    href: str
    tooltip: str
    class_: str


def year_scale(years: Sequence[int], left: float, right: float) -> LinearScale:
    """Years onto x: each year is a band as wide as the plot divided by the years shown, its mark centred in it."""
    first, last = (min(years), max(years)) if years else (0, 0)
    return LinearScale(first - 0.5, last + 0.5, left, right)


def year_axis(scale: LinearScale, top: float, bottom: float) -> Markup:
    """Vertical grid lines at round years from `top` to `bottom`, with the years written under them."""
    ticks = [int(tick) for tick in scale.ticks(8) if float(tick).is_integer()] or [round((scale.low + scale.high) / 2)]
    parts = [element("g", element("line", x1=scale(year), x2=scale(year), y1=top, y2=bottom),
                     element("text", str(year), x=scale(year), y=bottom + 15, text_anchor="middle")) for year in ticks]
    return element("g", element("line", x1=scale.start, x2=scale.end, y1=bottom, y2=bottom), *parts, class_="axis grid")


def short(text: str, most: int = LABEL_CHARACTERS) -> str:
    """A label cut to `most` characters with an ellipsis, for the left margin."""
    return text if len(text) <= most else text[:most - 1].rstrip() + "…"


def sentence(text: str) -> str:
    """A label as a row heading, its first letter in capitals (the graph's labels are lower case, as in running text)."""
    return text[:1].upper() + text[1:]


def label_width(rows: Sequence[str]) -> float:
    """Room for the longest (cut) row label, at about 6.6 units per character of 12-unit text."""
    return min(236.0, 16 + 6.6 * max((len(short(row)) for row in rows), default=4))


def swimlanes(marks: Sequence[Mark], rows: Sequence[str], title: str, description: str, id_: str, class_: str) -> Markup:
    """A picture of one labelled row per entry of `rows` (in that order), each mark a linked square in its year's band."""
    left = label_width(rows)
    scale = year_scale([mark.year for mark in marks], left, WIDTH - 12)
    band = abs(scale(1) - scale(0))
    width = max(3.0, min(float(MARK), band - GAP))
    by_row: dict[str, list[Mark]] = {row: [] for row in rows}
    for mark in marks:
        by_row.setdefault(mark.row, []).append(mark)
    tallest = {row: max(Counter(mark.year for mark in by_row[row]).values(), default=1) for row in rows}
    bands: list[Markup] = []  # drawn first, so the grid lines show over them and the marks over both
    drawn: list[Markup] = []
    placed: Counter[tuple[str, int]] = Counter()
    top = 8.0
    for index, row in enumerate(rows):
        height = tallest[row] * (MARK + GAP) + 2 * ROW_PADDING
        baseline = top + height - ROW_PADDING
        if index % 2 == 0:
            bands.append(element("rect", x=0, y=top, width=WIDTH, height=height, class_="lane-band"))
        lane = [element("text", element("title", sentence(row)), short(sentence(row)), x=left - 8, y=top + height / 2 + 4, text_anchor="end")]
        for mark in by_row[row]:
            level = placed[(row, mark.year)]
            placed[(row, mark.year)] += 1
            lane.append(link(mark.href, mark.tooltip, element("rect", x=scale(mark.year) - width / 2, y=baseline - (level + 1) * (MARK + GAP) + GAP,
                                                              width=width, height=MARK, class_=mark.class_)))
        drawn.append(element("g", *lane, class_="lane"))
        top += height
    axis = year_axis(scale, 8, top)
    return picture(WIDTH, top + AXIS_HEIGHT, title, description, *bands, axis, *drawn, id_=id_, class_=class_)

