"""What every machine-readable answer of the app shares: choosing its format, CORS, ETag and cache headers.

Used by the SPARQL endpoint, the VoID document and the dumps; the linked-data documents have their own
headers (303s, Content-Location) but the same format table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from flask import Response, request
from rdflib import Graph

from spacekg.errors import NotAcceptable
from spacekg.formats import GRAPHS, Format, by_media_type, by_name, format_names
from spacekg.web.mediatypes import negotiate
from spacekg.web.state import served

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept, If-None-Match",
    "Access-Control-Expose-Headers": "ETag, SpaceKG-Result-Truncated, SpaceKG-Rows, SpaceKG-Release, Content-Disposition",
}


def explicit_formats() -> list[str]:
    """The request's non-blank `format=` values (SPARQLWrapper sends several: a name and a media type)."""
    return [value for value in request.values.getlist("format") if value.strip()]


def choose_format(offered: Sequence[Format], default: Format, what: str) -> Format:
    """The format the request asks for among `offered`: the first known `format=` value, else by Accept; 406 if none fits."""
    explicit = explicit_formats()
    if explicit:
        for value in explicit:
            chosen = by_name(value, offered)
            if chosen is not None:
                return chosen
        raise NotAcceptable(f"format {explicit[0]!r} is not available for {what}", f"use one of: {', '.join(format_names(offered))}")
    media = negotiate(request.headers.get("Accept"), [f.media_type for f in offered], default.media_type)
    if media is None:
        raise NotAcceptable(f"none of the types in Accept: {request.headers.get('Accept')} is available for {what}",
                            f"accept one of: {', '.join(f.media_type for f in offered)}")
    return by_media_type(media)


def graph_format() -> Format:
    """The format of a graph answer; browsers (Accept: text/html,…,*/*) and clients that state nothing get Turtle."""
    return choose_format(GRAPHS, by_media_type("text/turtle"), "graphs")


def etag(version: str, key: str) -> str:
    return f'"{version}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"'


def finish(response: Response, tag: str | None = None) -> Response:
    """Add CORS and release headers, and with a tag the ETag and cache lifetime (a release never changes)."""
    response.headers.update(CORS_HEADERS)
    response.headers["Vary"] = "Accept"
    response.headers["SpaceKG-Release"] = served().dataset.version
    if tag:
        response.headers["ETag"] = tag
        response.headers["Cache-Control"] = "public, max-age=300"
    return response


def rdflib_bytes(graph: Graph, chosen: Format) -> bytes:
    """Serialise a small descriptive graph (service description, VoID) with rdflib's pretty writers."""
    return graph.serialize(format=chosen.rdflib_name, encoding="utf-8")


def answer_file_name(media_type: str, form: str, rows: int, truncated: bool) -> str:
    """The file name a query answer is saved under: spacekg-query.csv, or spacekg-query-first-10000-rows.csv when a cap cut it.

    CSV and TSV have no place for a note inside the file (a comment row would be read as data), so a cut answer
    says so in its name as well as in the SpaceKG-Result-Truncated header.
    """
    chosen = by_media_type(media_type)
    extension = chosen.name if chosen.name in chosen.extensions else chosen.extension  # .json rather than .srj
    unit = "triples" if form == "graph" else "rows"
    return f"spacekg-query-first-{rows}-{unit}.{extension}" if truncated else f"spacekg-query.{extension}"
