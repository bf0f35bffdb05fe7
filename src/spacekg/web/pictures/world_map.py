"""A choropleth world map: each state in the colour of its category, a link to its page with its tooltip, and a legend.

The caller says what each state is (a Region per alpha-3 code) and what the categories are; the map never guesses.
A drawn area the caller says nothing about is drawn in the neutral class of `no_data` (not covered by our sources,
no vote recorded, …), never in a category's colour; a state the caller names that has no shape at this scale is
returned by `not_drawn`, for the page to list, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from spacekg.web.pictures.geography import SCALE, WorldShapes, former_state, world
from spacekg.web.pictures.svg import element, link, picture


@dataclass(frozen=True)
class Category:
    """One entry of the legend: the class that colours it, what it means, and how many states are in it."""

    key: str
    css: str
    label: str
    count: int = 0

    @property
    def entry(self) -> tuple[str, str, int]:
        """The category as a line of the legend (spacekg.web.pictures.svg.legend)."""
        return self.css, self.label, self.count


@dataclass(frozen=True)
class Region:
    """What one state is on the map: its category, the page it links to and its tooltip."""

    category: str
    href: str
    tooltip: str


@dataclass(frozen=True)
class NotDrawn:
    """A state the map has no shape for, and why."""

    code: str
    region: Region
    reason: str


def world_map(regions: Mapping[str, Region], categories: Sequence[Category], no_data: Category, title: str, description: str,
              id_: str, shapes: WorldShapes | None = None) -> Markup:
    """The map as an <svg>: the areas without a region first (neutral, not linked), then each region linked to its page."""
    drawn = shapes or world()
    classes = {category.key: category.css for category in (*categories, no_data)}
    plain, linked = [], []
    for shape in drawn.shapes:
        region = regions.get(shape.code) if shape.code else None
        if region is None:
            plain.append(element("path", element("title", f"{shape.name}: {no_data.label}"), d=shape.path, class_=no_data.css))
        else:
            linked.append(link(region.href, region.tooltip, element("path", d=shape.path, class_=classes.get(region.category, no_data.css))))
    return picture(drawn.width, drawn.height, title, description, element("path", d=drawn.outline, class_="sphere") if drawn.outline else "",
                   element("g", *plain, class_="areas"), element("g", *linked, class_="areas"),
                   id_=id_, class_="world-map")


def not_drawn(regions: Mapping[str, Region], shapes: WorldShapes | None = None) -> list[NotDrawn]:
    """The regions the map has no shape for, by name: former states have no boundary today, the rest are too small for the scale."""
    codes = (shapes or world()).codes
    missing = [NotDrawn(code, region, "a former state, with no boundary on today's map" if former_state(code) else f"too small to draw at {SCALE}")
               for code, region in regions.items() if code not in codes]
    return sorted(missing, key=lambda item: (item.region.tooltip.casefold(), item.code))  # the tooltip starts with the state's name

