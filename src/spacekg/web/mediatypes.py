"""Accept negotiation (pure functions, tested from a table of cases). The formats themselves are spacekg.formats."""

from __future__ import annotations


def parse_accept(header: str) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q-values, best first (stable for equal q)."""
    ranges = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((index, media, quality))
    ranges.sort(key=lambda item: (-item[2], item[0]))
    return [(media, quality) for _, media, quality in ranges]


def _quality(media: str, ranges: list[tuple[str, float]]) -> tuple[float, int, int]:
    """(q-value, specificity, place in the header) of the most specific range matching `media` (RFC 9110, 12.5.1)."""
    kind = media.partition("/")[0]
    best: tuple[int, float, int] | None = None
    for place, (accepted, quality) in enumerate(ranges):
        specificity = 2 if accepted == media else 1 if accepted == f"{kind}/*" else 0 if accepted == "*/*" else -1
        if specificity >= 0 and (best is None or specificity > best[0]):
            best = (specificity, quality, place)
    return (0.0, -1, 0) if best is None else (best[1], best[0], best[2])


def negotiate(accept: str | None, offered: list[str], default: str) -> str | None:
    """The offered media type the client prefers; `default` when it states no preference; None if nothing fits.

    Ties go to the more specific match, then to the range listed first, then to the default, then to the
    order of `offered`.
    """
    if not accept or not accept.strip():
        return default
    ranges = parse_accept(accept)
    scored = []
    for position, candidate in enumerate(offered):
        quality, specificity, place = _quality(candidate, ranges)
        if quality > 0:
            scored.append((quality, specificity, -place, candidate == default, -position, candidate))
    return max(scored)[5] if scored else None
