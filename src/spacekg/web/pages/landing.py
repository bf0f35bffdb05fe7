"""The landing page (HTML for browsers, JSON for programs) and the list of every entity of one kind."""

from __future__ import annotations

from flask import Response, jsonify, request, url_for
from werkzeug.exceptions import NotFound

from spacekg.kinds import ENTITY_KINDS
from spacekg.web.mediatypes import negotiate
from spacekg.web.pages.common import dataset, pages, render_page, select, value
from spacekg.web.state import site

EXAMPLES = ("state/USA", "instrument/ost", "event/E044", "norm/no-wmd-in-orbit")


def _names(slug: str) -> tuple[str, str]:
    """(plural, what it holds) of an entity kind; a kind the registry does not know (a served file's) by its slug."""
    kind = ENTITY_KINDS.get(slug)
    return (kind.plural, kind.description) if kind else (slug, "")


def kind_counts() -> dict[str, int]:
    """Entities per kind of IRI ({base}id/{kind}/…)."""
    prefix = site().entity_base
    rows = select(f"""SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {{
        ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{prefix}"))
        BIND(STRBEFORE(STRAFTER(STR(?s), "{prefix}"), "/") AS ?kind) }} GROUP BY ?kind""")
    return {value(row["kind"]): int(value(row["n"])) for row in rows}


@pages.get("/")
def landing() -> Response:
    """What SpaceKG is, what this release holds and where to go next; JSON unless the client prefers HTML."""
    chosen = negotiate(request.headers.get("Accept"), ["application/json", "text/html"], "application/json")
    if chosen != "text/html" or request.args.get("format") == "json":
        response = landing_json()
        response.headers["Vary"] = "Accept"
        return response
    manifest = dataset().manifest
    counts = site().cached("kind-counts", kind_counts)
    kinds = [(slug, *_names(slug), counts[slug], url_for("pages.browse", kind=slug))
             for slug in (*ENTITY_KINDS, *sorted(set(counts) - set(ENTITY_KINDS))) if counts.get(slug)]
    dumps = [(name, digest, url_for("void.dump", name=name)) for name, digest in sorted(manifest.get("dumps", {}).items())]
    graphs = [(site().compact(iri) if not iri.startswith(site().base_iri) else iri[len(site().base_iri):], size)
              for iri, size in sorted(manifest.get("graphs", {}).items())]
    examples = [site().iri_term(site().entity_iri(path)) for path in EXAMPLES if site().entity_iri(path) in site().labels]
    alternates = [("application/json", "JSON summary", url_for("pages.landing", format="json")),
                  ("text/turtle", "VoID description (Turtle)", url_for("void.void_document"))]
    response = render_page("landing.html", kinds=kinds, dumps=dumps, graphs=graphs, examples=examples, manifest=manifest,
                           checksums_href=url_for("void.dump", name="SHA256SUMS") if dumps else "", alternates=alternates)
    response.headers["Vary"] = "Accept"
    return response


def landing_json() -> Response:
    """The release in brief, for programs (the landing page's answer before it had an HTML form)."""
    served = dataset()
    return jsonify({"name": "SpaceKG", "release": served.version, "sparql": "/sparql", "void": "/.well-known/void",
                    "graphs": served.manifest.get("graphs", {}), "dumps": served.manifest.get("dumps", {})})


@pages.get("/browse/<kind>")
def browse(kind: str) -> Response:
    """Every entity of one kind, by label."""
    counts = site().cached("kind-counts", kind_counts)
    if kind not in counts:
        raise NotFound(f"SpaceKG has no entities of kind {kind!r}; kinds: {', '.join(sorted(counts))}")
    prefix = site().entity_base + kind + "/"
    rows = select(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{prefix}")) }}')
    entities = site().sorted_terms(site().iri_term(value(row["s"])) for row in rows)
    plural, description = _names(kind)
    return render_page("browse.html", kind=kind, plural=plural, description=description, entities=entities)
