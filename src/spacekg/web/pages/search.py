"""Entity search: /search?q= (HTML, or JSON for Accept: application/json or format=json) over names and identifiers.

What people type to find a thing: a name in any language we hold (labels, other names, the spellings our
sources use), an ISO 3166 code, a UN document symbol, a DOI. The index is built once per release from the
served graph (a list of a few thousand entries; a query scans it in milliseconds) and ranks an exact code,
symbol or DOI first, then an exact name, a name's beginning, a word's beginning, any part of a name.
The kinds of records counted in thousands (votes, acts, listings, statuses) are found through their pages.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask import Response, jsonify, request, url_for
from werkzeug.exceptions import BadRequest

from spacekg.namespaces import PREFIXES, expand_term
from spacekg.web.mediatypes import negotiate
from spacekg.web.pages.common import pages, render_page, select, value
from spacekg.web.state import site

NAMES = ("rdfs:label", "skos:prefLabel", "skos:altLabel", "skos:hiddenLabel", "dct:title", "foaf:name")
CODES = ("skg:iso3166Alpha3", "skg:iso3166Alpha2", "skg:unSymbol", "bibo:doi")
SEARCHED_KINDS = ("state", "instrument", "document", "org", "person", "event", "norm", "rollcall", "citation")
MAX_QUERY_CHARS = 200
MAX_RESULTS = 50
INDEX = f"""SELECT ?s ?p ?text WHERE {{
  ?s ?p ?text FILTER(?p IN ({", ".join((*NAMES, *CODES))}) && isLiteral(?text))
}}"""


def normalise(text: str) -> str:
    """Case, accents and spacing do not matter: 'Türkiye' finds 'turkiye', 'Cote d'Ivoire' finds "Côte d'Ivoire"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


@dataclass(frozen=True)
class Entry:
    iri: str
    kind: str
    texts: tuple[tuple[str, str, bool], ...]  # (normalised, as written, is a code)


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str
    label: str
    matched: str
    rank: int


def build_index() -> list[Entry]:
    codes = {str(expand_term(code, PREFIXES)) for code in CODES}
    texts: dict[str, list[tuple[str, str, bool]]] = {}
    for row in select(INDEX):
        iri = value(row["s"])
        if not iri.startswith(site().entity_base) or iri.split("/")[-2] not in SEARCHED_KINDS:
            continue
        written = value(row["text"])
        texts.setdefault(iri, []).append((normalise(written), written, value(row["p"]) in codes))
    return [Entry(iri, iri[len(site().entity_base):].split("/", 1)[0], tuple(sorted(set(found)))) for iri, found in sorted(texts.items())]


def _rank(entry: Entry, wanted: str) -> tuple[int, str] | None:
    """The best (rank, text) of an entry for the normalised query, or None if nothing of it matches."""
    best: tuple[int, str] | None = None
    for text, written, is_code in entry.texts:
        if text == wanted:
            rank = 0 if is_code else 1
        elif text.startswith(wanted):
            rank = 2
        elif f" {wanted}" in f" {text}":
            rank = 3
        elif wanted in text:
            rank = 4
        else:
            continue
        if best is None or rank < best[0]:
            best = (rank, written)
    return best


def search(query: str) -> list[Hit]:
    wanted = normalise(query)
    if not wanted:
        return []
    index = site().cached("search-index", build_index)
    order = {kind: place for place, kind in enumerate(SEARCHED_KINDS)}
    hits = []
    for entry in index:
        found = _rank(entry, wanted)
        if found is not None:
            hits.append(Hit(entry.iri, entry.kind, site().label(entry.iri), found[1], found[0]))
    hits.sort(key=lambda hit: (hit.rank, order.get(hit.kind, len(order)), len(hit.label), hit.label.casefold()))
    return hits[:MAX_RESULTS]


@pages.get("/search")
def search_page() -> Response:
    query = request.args.get("q", "")
    if len(query) > MAX_QUERY_CHARS:
        raise BadRequest(f"the search text (parameter q) is {len(query)} characters long; search with at most {MAX_QUERY_CHARS}")
    hits = search(query)
    wants_json = request.args.get("format") == "json" or negotiate(
        request.headers.get("Accept"), ["text/html", "application/json"], "text/html") == "application/json"
    if wants_json:
        response = jsonify({"query": query, "results": [
            {"iri": hit.iri, "label": hit.label, "kind": hit.kind, "matched": hit.matched, "href": site().local_href(hit.iri)}
            for hit in hits]})
    else:
        response = render_page("search.html", query=query, hits=[(site().iri_term(hit.iri), hit.kind, hit.matched)
                                                                 for hit in hits], limit=MAX_RESULTS,
                               alternates=[("application/json", "these results as JSON", url_for("pages.search_page", q=query, format="json"))]
                               if query else [])
    response.headers["Vary"] = "Accept"
    return response
