"""What every page shares: the blueprint, rendering with the security headers (error pages are web/errors.py's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, url_for

from spacekg.namespaces import PREFIXES
from spacekg.store.serving import ServedDataset
from spacekg.web.state import served

pages = Blueprint("pages", __name__)

# Scripts, styles and images only from this server (files, never inline: no 'unsafe-inline', no 'unsafe-eval'); no font,
# frame or connection at all. The one script is the query page's editor (static/query-editor.js over vendored YASQE).
# The one inline style allowed is the exact attribute YASQE writes into its syntax-error tooltip through innerHTML,
# by hash ('unsafe-hashes' lets a hash match an attribute, never a <style> element or any other attribute value).
YASQE_TOOLTIP_STYLE = "'sha256-EntWS0hFrz2vH7susM+dPUxvHlL6sBswmM8K80E5oUk='"  # style='text-decoration:underline'
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                           f"style-src-attr 'unsafe-hashes' {YASQE_TOOLTIP_STYLE}; img-src 'self'; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")
NAVIGATION = (("pages.landing", "Home"), ("pages.query", "Query"), ("pages.chronology", "Chronology"), ("pages.norms", "Norms"),
              ("pages.treaties", "Treaties"), ("pages.votes", "Votes"), ("linked_data.ontology", "Ontology"),
              ("pages.validation", "Validation"))
Alternate = tuple[str, str, str]  # (media type, name, href)


def dataset() -> ServedDataset:
    return served().dataset


def render_page(template: str, status: int = 200, alternates: Sequence[Alternate] = (), **context: Any) -> Response:
    """Render a page template; `alternates` become <link rel="alternate"> and visible download links."""
    body = render_template(template, alternates=list(alternates), **context)
    return Response(body, status=status, mimetype="text/html")


@pages.after_app_request
def secure_html(response: Response) -> Response:
    """Every HTML answer of the app carries the content security policy, whichever blueprint made it."""
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
    return response


@pages.app_context_processor
def page_globals() -> dict[str, Any]:
    return {"release": served().dataset.version, "current_endpoint": request.endpoint or "",
            "navigation": [(endpoint, title, url_for(endpoint)) for endpoint, title in NAVIGATION]}


def select(query: str, **bindings: str) -> list[dict[str, Any]]:
    """Rows of one of the pages' own SELECT queries over the union of all graphs; `bindings` bind projected variables to IRIs."""
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(name): ox.NamedNode(iri) for name, iri in bindings.items()}
    result = dataset().store.query(query, prefixes=PREFIXES, substitutions=substitutions, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [variable.value for variable in result.variables]
    return [{name: row[name] for name in names} for row in result]


def value(term: Any) -> str:
    """The IRI or lexical form of a term of a row; '' for an unbound variable."""
    return "" if term is None else str(term.value)
