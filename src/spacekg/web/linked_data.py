"""Linked data: every entity IRI dereferences, by content negotiation, to RDF or to a page.

The pattern is the W3C "Cool URIs for the Semantic Web" one, per kind of IRI:

- Entities have slash IRIs, `{base}id/{kind}/{slug}`. They name things, not documents, so
  `/id/{kind}/{slug}` answers 303 See Other (with `Vary: Accept`) to a document about the thing:
  `/doc/{kind}/{slug}` for the HTML page, `/doc/{kind}/{slug}.{ext}` for RDF (ttl, nt, rdf, jsonld,
  trig, nq). The documents have fixed formats, so they can be cached and linked to as they are.
- Ontology terms have hash IRIs, `…/ontology#Term`; a client asks for `/ontology` (the fragment
  never reaches the server), which answers 200 with the documentation page or the ontology graph
  by content negotiation (`Vary: Accept`, `Content-Location` naming the fixed-format document).

An entity's RDF is its description: every statement with the entity as subject or object, from
every named graph, plus the labels of its neighbours and the description of its sources. Quad
formats (TriG, N-Quads) keep each statement in its graph, so asserted, inferred (graph/inferred)
and provenance (graph/meta) statements stay apart; triple formats carry the merge. RDF keeps the
canonical IRIs: a local server describes `https://w3id.org/spacekg/id/state/USA`, not itself.
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as BaseResponse

from spacekg.errors import UsageError
from spacekg.settings import Settings
from spacekg.store.serving import ServedDataset, ServedStore
from spacekg.web.mediatypes import DOCUMENT_TYPES, QUAD_FORMATS, negotiate
from spacekg.web.pages.site import LABEL_PROPERTIES, site
from spacekg.web.state import served

linked_data = Blueprint("linked_data", __name__)

HTML = "text/html"
EXTENSION_OF = {media: extension for extension, (media, _) in DOCUMENT_TYPES.items()}
DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, Location, Content-Location, SpaceKG-Release"}


class NotAcceptable(UsageError):
    http_status = 406


def _dataset() -> ServedDataset:
    return served().dataset


def entity_node(iri: str) -> ox.NamedNode | None:
    """The entity as an Oxigraph term if the served dataset says anything about it, else None."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return None
    return node if next(iter(_dataset().store.quads_for_pattern(node, None, None, None)), None) is not None else None


def describe(store: ServedStore, node: ox.NamedNode) -> list[ox.Quad]:
    """The entity's description: its statements both ways, its neighbours' labels, its sources' descriptions.

    A blank node pointing at the entity (a SHACL result of graph/validation) comes with its own statements,
    so that the description is self-contained.

    Quads keep their graph; the list is sorted so that a document is byte-for-byte stable within a release.
    """
    outgoing = list(store.quads_for_pattern(node, None, None, None))
    incoming = list(store.quads_for_pattern(None, None, node, None))
    sources = {q.object for q in outgoing if q.predicate == DCT_SOURCE and isinstance(q.object, ox.NamedNode)}
    neighbours = {q.object for q in outgoing if isinstance(q.object, ox.NamedNode)} | {q.subject for q in incoming}
    neighbours |= {q.predicate for q in outgoing + incoming}
    neighbours.discard(node)
    extra: list[ox.Quad] = []
    for neighbour in neighbours:
        if neighbour in sources:
            extra.extend(store.quads_for_pattern(neighbour, None, None, None))
        else:
            for label in LABEL_PROPERTIES:
                extra.extend(store.quads_for_pattern(neighbour, ox.NamedNode(label), None, None))
    for anonymous in {q.subject for q in incoming if isinstance(q.subject, ox.BlankNode)}:
        extra.extend(store.quads_for_pattern(anonymous, None, None, None))  # e.g. a validation result about the entity
    unique = {quad: None for quad in outgoing + incoming + extra}
    return sorted(unique, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def rdf_bytes(quads: list[ox.Quad], rdf_format: ox.RdfFormat) -> bytes:
    """Serialise quads: with their graphs in a quad format, else as the merge of their triples."""
    prefixes = site().prefixes if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None
    if rdf_format in QUAD_FORMATS:
        return ox.serialize(quads, format=rdf_format, prefixes=prefixes) or b""
    triples = list(dict.fromkeys(quad.triple for quad in quads))
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""


def _cacheable(response: BaseResponse, key: str) -> BaseResponse:
    """A release never changes: tag the answer with the release and the request, and let caches keep it."""
    version = _dataset().version
    response.set_etag(f"{version}-{hashlib.sha256(key.encode()).hexdigest()[:20]}")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["SpaceKG-Release"] = version
    response.headers.update(CORS)
    return response.make_conditional(request)


def _offered(*first: str) -> list[str]:
    return [*first, *(media for media, _ in DOCUMENT_TYPES.values())]


def _chosen(default: str = HTML) -> str:
    media = negotiate(request.headers.get("Accept"), _offered(HTML), default)
    if media is None:
        raise NotAcceptable(f"none of the types in Accept: {request.headers.get('Accept')} is available here",
                            f"accept one of: {', '.join(_offered(HTML))}")
    return media


def _unknown(path: str) -> NotFound:
    return NotFound(f"SpaceKG has no entity {site().entity_iri(path)}; see the landing page for what it describes")


@linked_data.get("/id/<path:path>")
def thing(path: str) -> BaseResponse:
    """An entity IRI: 303 See Other to the document about it, HTML or RDF by the Accept header."""
    if entity_node(site().entity_iri(path)) is None:
        raise _unknown(path)
    media = _chosen()
    document = path if media == HTML else f"{path}.{EXTENSION_OF[media]}"
    location = url_for("linked_data.document", path=document, _external=True)
    response = redirect(location, code=303)
    response.headers["Vary"] = "Accept"
    return _cacheable(response, f"303:{location}")


@linked_data.get("/doc/<path:path>")
def document(path: str) -> BaseResponse:
    """The document about an entity: its page, or its description in the format its extension names."""
    from spacekg.web.pages.entity import entity_page

    stem, dot, extension = path.rpartition(".")
    if dot and extension in DOCUMENT_TYPES:
        node = entity_node(site().entity_iri(stem))
        if node is not None:
            media, rdf_format = DOCUMENT_TYPES[extension]
            response = Response(rdf_bytes(describe(_dataset().store, node), rdf_format), mimetype=media)
            return _cacheable(response, f"doc:{path}")
    node = entity_node(site().entity_iri(path))
    if node is None:
        raise _unknown(path)
    return entity_page(node.value)


def ontology_quads() -> list[ox.Quad]:
    settings: Settings = current_app.config["SPACEKG_SETTINGS"]
    graph = ox.NamedNode(f"{settings.base_iri}graph/ontology")
    return sorted(_dataset().store.quads_for_pattern(None, None, None, graph), key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))


@linked_data.get("/ontology")
def ontology() -> BaseResponse:
    """The ontology (and, through its fragment, each term): its documentation page or its graph, by Accept."""
    from spacekg.web.pages.ontology import ontology_page

    media = _chosen()
    if media == HTML:
        response = ontology_page()
    else:
        extension = EXTENSION_OF[media]
        response = Response(rdf_bytes(ontology_quads(), DOCUMENT_TYPES[extension][1]), mimetype=media)
        response.headers["Content-Location"] = url_for("linked_data.ontology_document", extension=extension)
    response.headers["Vary"] = "Accept"
    return _cacheable(response, f"ontology:{media}") if media != HTML else response


@linked_data.get("/ontology.<extension>")
def ontology_document(extension: str) -> BaseResponse:
    if extension not in DOCUMENT_TYPES:
        raise NotFound(f"no ontology document in format {extension!r}; use one of: {', '.join(DOCUMENT_TYPES)}")
    media, rdf_format = DOCUMENT_TYPES[extension]
    return _cacheable(Response(rdf_bytes(ontology_quads(), rdf_format), mimetype=media), f"ontology.{extension}")


def alternates(path: str) -> list[tuple[str, str, str]]:
    """(media type, name, href) of the RDF documents about the entity at /doc/{path}, for <link rel=alternate>."""
    names = {"ttl": "Turtle", "nt": "N-Triples", "rdf": "RDF/XML", "jsonld": "JSON-LD", "trig": "TriG", "nq": "N-Quads"}
    return [(media, names[extension], url_for("linked_data.document", path=f"{path}.{extension}"))
            for extension, (media, _) in DOCUMENT_TYPES.items()]

