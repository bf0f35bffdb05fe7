"""Paired horizontal bars: per option, the total a source states beside the count recorded here (a roll call's totals).

A total the source does not state is written "not stated", never drawn as a bar of zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from spacekg.web.pictures.svg import LinearScale, element, picture

WIDTH = 640
LABELS, ROW, BAR, GAP, TOP = 110, 48, 18, 4, 8  # the option names' column, a row's height, a bar's thickness, between a pair


@dataclass(frozen=True)
class Pair:
    """One option: its name and class, the stated total (None: not stated) and the recorded count."""

    label: str
    css: str
    stated: int | None
    recorded: int


def paired_bars(pairs: Sequence[Pair], title: str, description: str, id_: str, first: str = "stated by the source",
                second: str = "recorded here") -> Markup:
    """The bars as an <svg>: per pair the stated total (lighter, outlined) above the recorded count (solid), each with its number."""
    height = TOP + ROW * len(pairs) + 24
    highest = max([1, *(pair.recorded for pair in pairs), *(pair.stated or 0 for pair in pairs)])
    x = LinearScale(0, highest, LABELS, WIDTH - 110)  # room for "123 recorded" after the longest bar
    rows = []
    for index, pair in enumerate(pairs):
        top = TOP + index * ROW
        bars = [element("text", pair.label, x=LABELS - 8, y=top + BAR + 2, text_anchor="end", class_="option")]
        for offset, (name, count, style) in enumerate(((first, pair.stated, "stated"), (second, pair.recorded, "recorded"))):
            y = top + offset * (BAR + GAP)
            tooltip = f"{pair.label}: {name}: {'not stated' if count is None else count}"
            if count is None:
                bars.append(element("g", element("title", tooltip), element("text", "no total stated", x=LABELS + 4, y=y + BAR - 5),
                                    class_="not-stated"))
                continue
            end = x(count)
            bars.append(element("g", element("title", tooltip),
                                element("rect", x=LABELS, y=y, width=round(max(end - LABELS, 0.5), 1), height=BAR, class_=f"{pair.css} {style}"),
                                element("text", f"{count} {'stated' if style == 'stated' else 'recorded'}", x=round(end + 4, 1), y=y + BAR - 5)))
        rows.append(element("g", *bars, class_="pair"))
    key = element("text", f"Lighter, outlined bars: {first}; solid bars: {second}.", x=LABELS, y=height - 8, class_="key")
    return picture(WIDTH, height, title, description, *rows, key, id_=id_, class_="paired-bars")
