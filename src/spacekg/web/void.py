"""VoID at /.well-known/void and the release's dumps at /dumps/<name>."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request, send_file

from spacekg.formats import DUMPS
from spacekg.settings import Settings
from spacekg.web.answers import etag, finish, graph_format, rdflib_bytes
from spacekg.web.description import void_description
from spacekg.web.state import served

void = Blueprint("void", __name__)
DUMP_TYPES = {**{f.dump_name: f.media_type for f in DUMPS}, "SHA256SUMS": "text/plain"}


@void.get("/.well-known/void")
def void_document() -> Response:
    release = served()
    dataset = release.dataset
    settings: Settings = current_app.config["SPACEKG_SETTINGS"]
    chosen = graph_format()
    site = request.host_url
    description = release.site.cached("void:" + site, lambda: void_description(
        site, settings.base_iri, dataset, site + "sparql", dataset.manifest.get("dumps", {})))
    return finish(Response(rdflib_bytes(description, chosen), mimetype=chosen.media_type), etag(dataset.version, "void:" + site + chosen.media_type))


@void.get("/dumps/<name>")
def dump(name: str) -> Response:
    dataset = served().dataset
    if dataset.release is None or name not in DUMP_TYPES:
        abort(404, description=f"no dump called {name!r}; see /.well-known/void for the list")
    response = send_file(dataset.release.path / "dumps" / name, mimetype=DUMP_TYPES[name], etag=True, conditional=True)
    return finish(response)
