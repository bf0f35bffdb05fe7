"""Media-type tables and Accept negotiation (pure functions, tested from a table of cases)."""

from __future__ import annotations

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
    "application/rdf+xml": (("rdfxml", "rdf", "xml"), ox.RdfFormat.RDF_XML),
    "application/ld+json": (("jsonld", "json"), ox.RdfFormat.JSON_LD),
}


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


def negotiate(accept: str | None, offered: list[str], default: str) -> str | None:
    """The offered media type the client prefers; `default` when it states no preference; None if nothing fits."""
    if not accept or not accept.strip():
        return default
    best: tuple[float, int, str] | None = None
    for media, quality in parse_accept(accept):
        if quality <= 0:
            continue
        for candidate in offered:
            kind = candidate.partition("/")[0]
            if media in (candidate, "*/*", f"{kind}/*"):
                # Exact matches beat wildcards of the same quality; the default beats other wildcard matches.
                rank = 0 if media == candidate else (1 if candidate == default else 2)
                score = (quality, -rank, candidate)
                if best is None or (score[0], score[1]) > (best[0], best[1]):
                    best = (quality, -rank, candidate)
    return best[2] if best else None


def by_format_parameter(value: str, table: dict[str, tuple[tuple[str, ...], object]]) -> str | None:
    """Map an explicit ?format= value (a short name or a media type) to a media type of `table`."""
    value = value.strip().lower()
    for media, (names, _) in table.items():
        if value == media or value in names:
            return media
    return None
