"""VoID and DCAT at /.well-known/void (the dataset IRI {base}dataset dereferences to it), and the release's dumps at /dumps/<name>."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, request, send_file, url_for
from werkzeug.wrappers import Response as BaseResponse

from spacekg.formats import DUMPS
from spacekg.settings import Settings
from spacekg.web.answers import etag, finish, graph_format, rdflib_bytes
from spacekg.web.dataset_description import describe_dataset
from spacekg.web.state import served

void = Blueprint("void", __name__)
DUMP_TYPES = {**{f.dump_name: f.media_type for f in DUMPS}, "SHA256SUMS": "text/plain"}


@void.get("/.well-known/void")
def void_document() -> Response:
    release = served()
    dataset = release.dataset
    settings: Settings = current_app.config["SPACEKG_SETTINGS"]
    chosen = graph_format()
    site = request.url_root  # the public URL, with its path prefix
    description = release.site.cached("void:" + site, lambda: describe_dataset(site, settings.base_iri, dataset, dataset.manifest.get("dumps", {})))
    return finish(Response(rdflib_bytes(description, chosen), mimetype=chosen.media_type), etag(dataset.version, "void:" + site + chosen.media_type))


@void.get("/dataset")
def dataset_iri() -> BaseResponse:
    """The dataset's canonical IRI, {base}dataset, names the dataset, not a document: 303 to its description."""
    response = redirect(url_for("void.void_document", _external=True), code=303)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@void.get("/dumps/<name>")
def dump(name: str) -> Response:
    dataset = served().dataset
    if dataset.release is None or name not in DUMP_TYPES:
        abort(404, description=f"no dump called {name!r}; see /.well-known/void for the list")
    response = send_file(dataset.release.path / "dumps" / name, mimetype=DUMP_TYPES[name], etag=True, conditional=True)
    return finish(response)
