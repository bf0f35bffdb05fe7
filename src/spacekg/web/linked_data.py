"""Linked data: every entity IRI dereferences, by content negotiation, to RDF or to a page.

The pattern is the W3C "Cool URIs for the Semantic Web" one, per kind of IRI:

- Entities have slash IRIs, `{base}id/{kind}/{slug}`. They name things, not documents, so
  `/id/{kind}/{slug}` answers 303 See Other (with `Vary: Accept`) to a document about the thing:
  `/doc/{kind}/{slug}` for the HTML page, `/doc/{kind}/{slug}.{ext}` for RDF (ttl, nt, rdf, jsonld,
  trig, nq: the formats of spacekg.formats.RDF_DOCUMENTS). The documents have fixed formats, so they
  can be cached and linked to as they are.
- Ontology terms have hash IRIs, `…/ontology#Term`; a client asks for `/ontology` (the fragment
  never reaches the server), which answers 200 with the documentation page or the ontology graph
  by content negotiation (`Vary: Accept`, `Content-Location` naming the fixed-format document).

An entity's RDF is its description (spacekg.web.documents.describe): every statement with the entity
as subject or object, from every named graph, plus the labels of its neighbours and the description
of its sources. Quad formats (TriG, N-Quads) keep each statement in its graph, so asserted, inferred
(graph/inferred) and provenance (graph/meta) statements stay apart; triple formats carry the merge.
RDF keeps the canonical IRIs: a local server describes `https://w3id.org/spacekg/id/state/USA`, not itself.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.exceptions import Gone, NotFound
from werkzeug.wrappers import Response as BaseResponse

from spacekg.errors import NotAcceptable
from spacekg.formats import RDF_DOCUMENTS, Format, by_extension, by_media_type
from spacekg.web.documents import describe, entity_node, ontology_quads, quads_bytes, retired
from spacekg.web.mediatypes import negotiate
from spacekg.web.pages.entity import entity_page
from spacekg.web.pages.ontology import ontology_page
from spacekg.web.state import served, site

linked_data = Blueprint("linked_data", __name__)

HTML = "text/html"
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, Location, Content-Location, SpaceKG-Release"}


def _document_format(extension: str) -> Format | None:
    """The RDF format a document's extension names (only each format's own extension: .ttl, not .owl)."""
    chosen = by_extension(extension, RDF_DOCUMENTS)
    return chosen if chosen is not None and chosen.extension == extension else None


def _cacheable(response: BaseResponse, key: str) -> BaseResponse:
    """A release never changes: tag the answer with the release and the request, and let caches keep it."""
    version = served().dataset.version
    response.set_etag(f"{version}-{hashlib.sha256(key.encode()).hexdigest()[:20]}")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["SpaceKG-Release"] = version
    response.headers.update(CORS)
    return response.make_conditional(request)


def _offered() -> list[str]:
    return [HTML, *(f.media_type for f in RDF_DOCUMENTS), *(other for f in RDF_DOCUMENTS for other in f.other_media_types)]


def _chosen() -> str:
    media = negotiate(request.headers.get("Accept"), _offered(), HTML)
    if media is None:
        raise NotAcceptable(f"none of the types in Accept: {request.headers.get('Accept')} is available here",
                            f"accept one of: {', '.join(_offered())}")
    return media


def _unknown(path: str) -> NotFound:
    return NotFound(f"SpaceKG has no entity {site().entity_iri(path)}; see the landing page for what it describes")


def _moved(endpoint: str, path: str, extension: str = "") -> BaseResponse | None:
    """A retired IRI (data/redirects.csv): 301 Moved Permanently to its successor's, 410 Gone without one; None if not retired."""
    is_retired, successor = retired(site().entity_iri(path))
    if not is_retired:
        return None
    if successor is None:
        raise Gone(f"{site().entity_iri(path)} was retired and has no successor; see the landing page for what SpaceKG describes")
    target = site().entity_path(successor) + (f".{extension}" if extension else "")
    location = url_for(endpoint, path=target, _external=True)
    return _cacheable(redirect(location, code=301), f"301:{location}")


@linked_data.get("/id/<path:path>")
def thing(path: str) -> BaseResponse:
    """An entity IRI: 303 See Other to the document about it, HTML or RDF by the Accept header (301 if it was retired)."""
    moved = _moved("linked_data.thing", path)
    if moved is not None:
        return moved
    if entity_node(site().entity_iri(path)) is None:
        raise _unknown(path)
    media = _chosen()
    document = path if media == HTML else f"{path}.{by_media_type(media).extension}"
    location = url_for("linked_data.document", path=document, _external=True)
    response = redirect(location, code=303)
    response.headers["Vary"] = "Accept"
    return _cacheable(response, f"303:{location}")


@linked_data.get("/doc/<path:path>")
def document(path: str) -> BaseResponse:
    """The document about an entity: its page, or its description in the format its extension names (301 if it was retired)."""
    stem, dot, extension = path.rpartition(".")
    chosen = _document_format(extension) if dot else None
    moved = _moved("linked_data.document", stem, extension) if chosen is not None else _moved("linked_data.document", path)
    if moved is not None:
        return moved
    if chosen is not None:
        node = entity_node(site().entity_iri(stem))
        if node is not None:
            response = Response(quads_bytes(describe(served().dataset.store, node), chosen), mimetype=chosen.media_type)
            return _cacheable(response, f"doc:{path}")
    node = entity_node(site().entity_iri(path))
    if node is None:
        raise _unknown(path)
    return entity_page(node.value)


@linked_data.get("/ontology")
def ontology() -> BaseResponse:
    """The ontology (and, through its fragment, each term): its documentation page or its graph, by Accept."""
    media = _chosen()
    if media == HTML:
        response = ontology_page()
    else:
        chosen = by_media_type(media)
        response = Response(quads_bytes(ontology_quads(), chosen), mimetype=media)
        response.headers["Content-Location"] = url_for("linked_data.ontology_document", extension=chosen.extension)
    response.headers["Vary"] = "Accept"
    return _cacheable(response, f"ontology:{media}") if media != HTML else response


@linked_data.get("/ontology.<extension>")
def ontology_document(extension: str) -> BaseResponse:
    chosen = _document_format(extension)
    if chosen is None:
        raise NotFound(f"no ontology document in format {extension!r}; use one of: {', '.join(f.extension for f in RDF_DOCUMENTS)}")
    return _cacheable(Response(quads_bytes(ontology_quads(), chosen), mimetype=chosen.media_type), f"ontology.{extension}")
