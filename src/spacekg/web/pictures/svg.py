"""SVG elements with every text and attribute escaped, and the linear scales and ticks the charts share."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

Number = int | float


def _attribute_name(name: str) -> str:
    """`class_` -> `class`, `text_anchor` -> `text-anchor`, `aria_label` -> `aria-label`."""
    return name.rstrip("_").replace("_", "-")


def _number(value: object) -> str:
    """Numbers with at most two decimals (a picture's coordinates need no more, and the SVG stays small)."""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def element(name: str, *children: str | Markup, **attributes: object) -> Markup:
    """<name attributes>children</name>; None attributes are left out, text children are escaped."""
    listed = "".join(f' {_attribute_name(key)}="{escape(_number(value))}"' for key, value in attributes.items() if value is not None)
    content = Markup("").join(escape(child) for child in children)
    return Markup(f"<{name}{listed}>{content}</{name}>") if content else Markup(f"<{name}{listed}/>")


def link(href: str, tooltip: str, *children: str | Markup, **attributes: object) -> Markup:
    """A mark that links to a page, with its tooltip (<title>) and an accessible name."""
    return element("a", element("title", tooltip), *children, href=href, aria_label=tooltip, **attributes)


def picture(width: Number, height: Number, title: str, description: str, *children: str | Markup, id_: str, class_: str = "") -> Markup:
    """The root <svg>: scales with its container (viewBox), named by its title and description for screen readers.

    A picture whose marks are links is a group, not an image: an image's content is hidden from assistive technology,
    so links inside it would be focusable yet unnamed (axe's nested-interactive)."""
    interactive = any("<a " in child for child in children)
    return element("svg", element("title", title, id_=f"{id_}-title"), element("desc", description, id_=f"{id_}-desc"), *children,
                   xmlns="http://www.w3.org/2000/svg", viewBox=f"0 0 {_number(width)} {_number(height)}", role="group" if interactive else "img",
                   aria_labelledby=f"{id_}-title {id_}-desc", id_=id_, class_=f"picture {class_}".strip(), preserveAspectRatio="xMidYMid meet")


@dataclass(frozen=True)
class LinearScale:
    """Maps a domain [low, high] onto a range [start, end] of coordinates (end < start for a y axis drawn upwards)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.high - self.low
        share = (value - self.low) / span if span else 0.5
        return self.start + share * (self.end - self.start)

    def ticks(self, most: int = 6) -> list[float]:
        """Round values (1, 2 or 5 times a power of ten apart) inside the domain, at most about `most` of them."""
        span = self.high - self.low
        if span <= 0:
            return [self.low]
        raw = span / max(1, most)
        power = 10 ** math.floor(math.log10(raw))
        step = next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)
        first = math.ceil(self.low / step) * step
        return [first + index * step for index in range(int((self.high - first) / step + 1e-9) + 1)]


def legend(entries: Iterable[tuple[str, str, int]], caption: str) -> Markup:
    """A picture's legend as an HTML list (readable at any width, unlike text inside a scaled SVG): per (CSS class of the
    marks, what they stand for, how many) a swatch, the meaning and the count."""
    items = [element("li", element("svg", element("rect", width=14, height=14, class_=css), xmlns="http://www.w3.org/2000/svg",
                                   viewBox="0 0 14 14", width=14, height=14, class_="swatch", aria_hidden="true"),
                     " ", label, " ", element("span", f"({count})", class_="count"))
             for css, label, count in entries]
    return element("ul", *items, class_="legend", aria_label=caption)
