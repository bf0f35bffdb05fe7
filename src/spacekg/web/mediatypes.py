"""Media-type tables and Accept negotiation (pure functions, tested from a table of cases)."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

# media type -> (format parameter names, Oxigraph format)
RESULT_TYPES: dict[str, tuple[tuple[str, ...], ox.QueryResultsFormat]] = {
    "application/sparql-results+json": (("json", "srj"), ox.QueryResultsFormat.JSON),
    "application/sparql-results+xml": (("xml", "srx"), ox.QueryResultsFormat.XML),
    "text/csv": (("csv",), ox.QueryResultsFormat.CSV),
    "text/tab-separated-values": (("tsv",), ox.QueryResultsFormat.TSV),
}
GRAPH_TYPES: dict[str, tuple[tuple[str, ...], ox.RdfFormat]] = {
    "text/turtle": (("turtle", "ttl"), ox.RdfFormat.TURTLE),
    "application/n-triples": (("ntriples", "nt"), ox.RdfFormat.N_TRIPLES),
    "application/rdf+xml": (("rdfxml", "rdf", "xml", "rdf+xml"), ox.RdfFormat.RDF_XML),
    "application/ld+json": (("jsonld", "json-ld", "json"), ox.RdfFormat.JSON_LD),
}
# Documents of entities (linked data): file extension -> (media type, format). Graph answers of queries
# are triples; documents may also come as quads, which keep the named graph of each statement.
DOCUMENT_TYPES: dict[str, tuple[str, ox.RdfFormat]] = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "trig": ("application/trig", ox.RdfFormat.TRIG),
    "nq": ("application/n-quads", ox.RdfFormat.N_QUADS),
}
QUAD_FORMATS = {ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS}


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


def by_format_parameter(value: str, table: Mapping[str, tuple[tuple[str, ...], object]]) -> str | None:
    """Map an explicit ?format= value (a short name or a media type) to a media type of `table`."""
    value = value.strip().lower()
    for media, (names, _) in table.items():
        if value == media or value in names:
            return media
    return None


def format_names(*tables: Mapping[str, tuple[tuple[str, ...], object]]) -> list[str]:
    """Every short name accepted by ?format= for the given tables."""
    return sorted({name for table in tables for names, _ in table.values() for name in names})
