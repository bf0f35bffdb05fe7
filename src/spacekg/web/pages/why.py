"""Why an inferred statement holds: the explanation tree of `spacekg why`, as a page and as JSON.

The statement is named by ?s=, ?p= and ?o= (IRIs; a literal object in N-Triples syntax, e.g.
"1967"^^<http://www.w3.org/2001/XMLSchema#gYear>). The release's ReleaseExplainer re-runs the rule
engine once per worker, on the first question, and answers every later one from memory.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Response, jsonify, request, url_for
from rdflib.term import Node

from spacekg.errors import ExplanationsUnavailable, UsageError
from spacekg.store.explanations import ReleaseExplainer, from_oxigraph
from spacekg.web.pages.common import dataset, pages, render_page
from spacekg.web.state import site


def _iri(name: str) -> ox.NamedNode:
    text = request.args.get(name, "").strip()
    try:
        return ox.NamedNode(text)
    except ValueError:
        raise UsageError(f"{name}={text!r} is not an IRI", "give the statement's subject and predicate as full IRIs") from None


def _object() -> ox.NamedNode | ox.Literal | ox.BlankNode:
    text = request.args.get("o", "").strip()
    if not text.startswith(('"', "<")):
        return _iri("o")
    try:
        (quad,) = list(ox.parse(f"<urn:spacekg:s> <urn:spacekg:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES))
    except (SyntaxError, ValueError):
        raise UsageError(f"o={text!r} is neither an IRI nor a literal in N-Triples syntax", 'e.g. o="1967"^^<http://www.w3.org/2001/XMLSchema#gYear>') from None
    return quad.object


def _statement() -> tuple[Node, Node, Node]:
    return (from_oxigraph(_iri("s")), from_oxigraph(_iri("p")), from_oxigraph(_object()))


def explanation() -> dict[str, Any]:
    """The explanation tree (JSON) of the statement in the request; NotInferredError (404) for one that is not inferred."""
    release = dataset().release
    if release is None:
        raise ExplanationsUnavailable("this server serves RDF files, not a release, so it cannot explain inferences",
                                      "serve a release built by 'spacekg build'")
    triple = _statement()
    explainer = site().cached("explainer", lambda: ReleaseExplainer(release, dataset().store))
    return explainer.explain(triple)


def _node(tree: dict[str, Any]) -> dict[str, Any]:
    """The tree with its terms made ready for the page (labels and links)."""
    return {"subject": site().json_term(tree["subject"]), "predicate": site().json_term(tree["predicate"]),
            "object": site().json_term(tree["object"]), "text": tree["text"], "asserted": tree["asserted"], "rule": tree["rule"],
            "rule_title": tree["rule_title"], "source": tree["source"], "premises": [_node(premise) for premise in tree["premises"]]}


@pages.get("/why")
def why() -> Response:
    tree = explanation()
    as_json = url_for("pages.why_json") + "?" + request.query_string.decode("ascii", "replace")
    return render_page("why.html", tree=_node(tree), alternates=[("application/json", "JSON", as_json)])


@pages.get("/why.json")
def why_json() -> Response:
    response = jsonify(explanation())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
