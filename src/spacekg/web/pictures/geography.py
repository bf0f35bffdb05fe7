"""The world's state boundaries as SVG paths: the vendored TopoJSON (geodata/, world-atlas 2.0.2, Natural Earth 1:110m)
decoded and projected once per process with the Equal Earth projection (equal-area, so no state looks bigger than it is).

TopoJSON stores each shared border once, as an arc of quantised, delta-encoded points; a polygon's ring lists the
arcs it follows (~i: arc i walked backwards). States are named by ISO 3166-1 numeric codes, which pycountry maps to
the alpha-3 codes of our state IRIs; the three features without a code are mapped by name (UNCODED).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pycountry

BOUNDARIES = Path(__file__).resolve().parent / "geodata" / "countries-110m.json"
SCALE = "1:110m"
WIDTH = 960.0  # of the projected map, in SVG units; the height follows from what is drawn
# Features Natural Earth gives no ISO code. Kosovo has the user-assigned code our data uses for it; Northern Cyprus
# and Somaliland are not states in any source we hold, so they are drawn without a state (never in a state's colour).
UNCODED = {"Kosovo": "XKX", "N. Cyprus": None, "Somaliland": None}
LEFT_OUT = {"ATA"}  # Antarctica is no state; leaving it out saves a fifth of the map's height
Point = tuple[float, float]


@dataclass(frozen=True)
class Shape:
    """One feature of the map: the state it is (alpha-3, or None), its name in Natural Earth and its SVG path."""

    code: str | None
    name: str
    path: str


@dataclass(frozen=True)
class WorldShapes:
    """Every drawn feature, with the size of the map that holds them."""

    shapes: tuple[Shape, ...]
    width: float
    height: float
    outline: str = ""  # the globe's edge, for the reader's bearings where no land is

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(shape.code for shape in self.shapes if shape.code)


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Every arc as (longitude, latitude) points: the deltas summed and the quantisation undone (when the file is quantised)."""
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring(indexes: Iterable[int], arcs: Sequence[Sequence[Point]]) -> list[Point]:
    """One closed ring from its arcs; each arc after the first starts where the previous one ended, so that point is kept once."""
    points: list[Point] = []
    for index in indexes:
        arc = list(arcs[index]) if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def polygons(geometry: dict[str, Any], arcs: Sequence[Sequence[Point]]) -> list[list[list[Point]]]:
    """The polygons (each a list of rings: the outline, then any holes) of a Polygon or MultiPolygon; none for other types."""
    if geometry.get("type") == "Polygon":
        return [[ring(indexes, arcs) for indexes in geometry["arcs"]]]
    if geometry.get("type") == "MultiPolygon":
        return [[ring(indexes, arcs) for indexes in polygon] for polygon in geometry["arcs"]]
    return []


# Equal Earth (Šavrič, Patterson, Jenny 2018): equal-area, with straight parallels; the coefficients of the paper.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(longitude: float, latitude: float) -> Point:
    """Projected (x, y) of a point given in degrees, y pointing north; x spans about ±2.707 and y ±1.317."""
    lam, theta = math.radians(longitude), math.asin(M * math.sin(math.radians(latitude)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def svg_path(rings: Iterable[Sequence[Point]]) -> str:
    """Rings of SVG coordinates as one path: each ring's first point absolute, the rest relative, a tenth of a unit precise.

    Points are rounded before the differences are taken, so rounding errors do not add up along a ring; points that
    round onto the one before are dropped (at this size most of a small island's points do).
    """
    parts = []
    for points in rings:
        rounded = [(round(x * 10), round(y * 10)) for x, y in points]
        kept = [rounded[0]] + [point for before, point in pairwise(rounded) if point != before] if rounded else []
        if len(kept) < 3:
            continue
        steps = " ".join(f"{_tenths(x - px)} {_tenths(y - py)}" for (px, py), (x, y) in pairwise(kept))
        parts.append(f"M{_tenths(kept[0][0])} {_tenths(kept[0][1])}l{steps}z")
    return "".join(parts)


def _tenths(value: int) -> str:
    """A coordinate counted in tenths, written short: 12.3, -4, .5 (SVG accepts a number without its leading zero)."""
    text = f"{value / 10:.1f}".rstrip("0").rstrip(".")
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def code_of(feature: dict[str, Any]) -> str | None:
    """The alpha-3 code of a feature: from its ISO 3166-1 numeric id, or for a feature without one from UNCODED."""
    numeric = feature.get("id")
    if numeric is None:
        return UNCODED.get(str(feature.get("properties", {}).get("name")))
    country = pycountry.countries.get(numeric=str(numeric).zfill(3))
    return country.alpha_3 if country is not None else None


def across_the_antimeridian(outline: Sequence[Point]) -> list[list[Point]]:
    """A ring as drawn: itself, or if it crosses the 180th meridian (Fiji, Chukotka) its two halves, cut at the meridian.

    The ring is first made continuous (longitudes east of 180° where it crosses), then clipped to each side of 180°;
    the western half is moved back by 360°.
    """
    if not any(abs(b[0] - a[0]) > 180 for a, b in pairwise(outline)):
        return [list(outline)]
    continuous = [(lon + 360 if lon < 0 else lon, lat) for lon, lat in outline]
    east = _clip(continuous, keep_west=True)
    west = [(lon - 360, lat) for lon, lat in _clip(continuous, keep_west=False)]
    return [half for half in (east, west) if len(half) >= 3]


def _clip(outline: Sequence[Point], keep_west: bool) -> list[Point]:
    """The part of a ring on one side of longitude 180° (Sutherland–Hodgman against one line), closed along the meridian."""
    def inside(point: Point) -> bool:
        return point[0] <= 180 if keep_west else point[0] >= 180

    kept: list[Point] = []
    for before, point in pairwise([*outline, outline[0]]):
        if inside(before) != inside(point):  # the edge crosses the meridian: keep the crossing
            share = (180 - before[0]) / (point[0] - before[0])
            kept.append((180.0, before[1] + share * (point[1] - before[1])))
        if inside(point):
            kept.append(point)
    return kept


def sphere_outline(top: float, bottom: float, steps: int = 36) -> list[Point]:
    """The edge of the map's globe (the meridians ±180°) between two latitudes, as a ring of (longitude, latitude)."""
    latitudes = [top + (bottom - top) * index / steps for index in range(steps + 1)]
    return [(-180.0, lat) for lat in latitudes] + [(180.0, lat) for lat in reversed(latitudes)]


def project(topology: dict[str, Any], width: float = WIDTH) -> WorldShapes:
    """Every country of the topology's `countries` object as a Shape, projected and fitted to `width` (Antarctica left out)."""
    arcs = decode_arcs(topology)
    features = [(code_of(feature), feature) for feature in topology["objects"]["countries"]["geometries"]]
    projected = [(code, str(feature.get("properties", {}).get("name", "")),
                  [[equal_earth(*point) for point in drawn] for polygon in polygons(feature, arcs) for outline in polygon
                   for drawn in across_the_antimeridian(outline)])
                 for code, feature in features if code not in LEFT_OUT]
    latitudes = [y for _, _, outlines in projected for outline in outlines for _, y in outline]
    if not latitudes:
        return WorldShapes((), width, 0.0)
    right = equal_earth(180, 0)[0]  # the map spans the whole globe east to west, whatever is drawn
    bottom, top = min(latitudes), max(latitudes)
    scale = width / (2 * right)
    shapes = tuple(Shape(code, name, svg_path([((x + right) * scale, (top - y) * scale) for x, y in outline] for outline in outlines))
                   for code, name, outlines in projected)
    edge = svg_path([[((x + right) * scale, (top - y) * scale) for x, y in (equal_earth(*point) for point in sphere_outline(90, -90))]])
    return WorldShapes(tuple(shape for shape in shapes if shape.path), width, round((top - bottom) * scale, 1), edge)


@lru_cache(maxsize=1)  # one file, decoded once per process: about 180 paths, some 60 kB
def world() -> WorldShapes:
    """The vendored boundaries, projected once and kept for the life of the process."""
    return project(json.loads(BOUNDARIES.read_text(encoding="utf-8")))


def former_state(code: str) -> bool:
    """Whether ISO 3166-3 lists the code as a state that no longer exists (the Soviet Union, Yugoslavia, …)."""
    return pycountry.historic_countries.get(alpha_3=code) is not None
