"""The change feed: an Atom feed of the releases kept on disk, and each kept release's dumps and change files.

`/releases.atom` lists one entry per release, newest first; each links its dumps (alternate), its change
files (related) and the release it follows (predecessor-version, RFC 5829). `/releases/<id>/dumps/<name>`
and `/releases/<id>/changes/<name>` serve the files of any kept release: a release never changes, so they
are cached for a year under their SHA-256. Why Atom, and how a harvester syncs: docs/change-feed.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, request, send_file, url_for
from werkzeug.exceptions import NotFound

from spacekg import __version__
from spacekg.formats import DUMPS
from spacekg.namespaces import Minter
from spacekg.settings import Settings
from spacekg.store.changes import CHANGES_DIR, NQUADS, SUMS, short_name
from spacekg.store.releases import Release, release_ids
from spacekg.web.answers import CORS_HEADERS

feed = Blueprint("feed", __name__)
ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml"
N_TRIPLES = "application/n-triples"
DUMP_TYPES = {**{dump.dump_name: dump.media_type for dump in DUMPS}, SUMS: "text/plain"}
RELEASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")  # checked before the id reaches the file system
IMMUTABLE = "public, max-age=31536000, immutable"
FEED_MAX_AGE_S = 60  # the feed changes when a release is published or pruned


def _releases_dir() -> Path:
    settings: Settings = current_app.config["SPACEKG_SETTINGS"]
    return settings.releases


def _kept(release_id: str) -> Release:
    """The kept release of that id; 404 for anything else (an unknown, pruned or malformed id)."""
    folder = _releases_dir()
    if not RELEASE_ID.fullmatch(release_id) or release_id not in release_ids(folder):
        raise NotFound(f"no release {release_id!r} is kept on this server; /releases.atom lists those that are")
    try:
        return Release(folder / release_id, json.loads((folder / release_id / "release.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):  # pruned between the listing and the read
        raise NotFound(f"release {release_id!r} is no longer kept on this server; /releases.atom lists those that are") from None


def _immutable_file(path: Path, media_type: str, digest: str | None) -> Response:
    """A file of a release, tagged with its SHA-256: conditional requests get 304, caches keep it for a year."""
    try:
        response = send_file(path, mimetype=media_type, etag=digest or True, conditional=True, max_age=31536000)
    except FileNotFoundError:  # its release was pruned a moment ago
        raise NotFound(f"{path.name} is no longer kept on this server; /releases.atom lists the releases that are") from None
    response.headers.update(CORS_HEADERS)
    response.headers["Cache-Control"] = IMMUTABLE
    return response


@feed.get("/releases/<release_id>/dumps/<name>")
def release_dump(release_id: str, name: str) -> Response:
    release = _kept(release_id)
    path = release.path / "dumps" / name
    if name not in DUMP_TYPES or not path.is_file():
        raise NotFound(f"release {release_id} has no dump called {name!r}; dumps: {', '.join(DUMP_TYPES)}")
    return _immutable_file(path, DUMP_TYPES[name], release.manifest.get("dumps", {}).get(name))


@feed.get("/releases/<release_id>/changes/<name>")
def release_changes(release_id: str, name: str) -> Response:
    release = _kept(release_id)
    files: dict[str, Any] = release.manifest.get("changes", {}).get("files", {})
    if not files:
        raise NotFound(f"release {release_id} has no change files (the first release, or built before change feeds); use its dumps")
    if name not in files and name != SUMS:
        raise NotFound(f"release {release_id} has no change file called {name!r}; files: {', '.join([*files, SUMS])}")
    digest = files[name]["sha256"] if name in files else None
    return _immutable_file(release.path / CHANGES_DIR / name, N_TRIPLES if name in files else "text/plain", digest)


@feed.get("/releases.atom")
def releases_feed() -> Response:
    releases = []
    for release_id in reversed(release_ids(_releases_dir())):  # newest first
        try:
            releases.append(_kept(release_id))
        except NotFound:
            continue  # pruned while listing
    settings: Settings = current_app.config["SPACEKG_SETTINGS"]
    response = Response(atom_feed(releases, settings.base_iri), mimetype=ATOM_TYPE)
    # the same releases under the same public URL give the same document
    response.set_etag(hashlib.sha256("\n".join([url_for("feed.releases_feed", _external=True), *(r.release_id for r in releases)])
                                     .encode()).hexdigest()[:32])
    response.headers.update(CORS_HEADERS)
    response.headers["Cache-Control"] = f"public, max-age={FEED_MAX_AGE_S}"
    response.make_conditional(request)  # a 304 without the body when the client has this one
    return response


def _element(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, name, attributes)  # in the Atom namespace, the root's default
    if text is not None:
        element.text = text
    return element


def atom_feed(releases: list[Release], base_iri: str) -> bytes:
    """The Atom document (RFC 4287) of the releases, newest first; every URL through url_for under the public URL."""
    root = ET.Element("feed", xmlns=ATOM)
    _element(root, "id", str(Minter(base_iri).dataset()))  # the feed is the dataset's history: its IRI never moves
    _element(root, "title", "SpaceKG releases")
    _element(root, "subtitle", "Each release of SpaceKG, with its dumps and the triples added and removed per named graph since the release before")
    newest = releases[0].manifest.get("created") if releases else None
    _element(root, "updated", newest or dt.datetime.now(dt.UTC).isoformat())
    author = _element(root, "author")
    _element(author, "name", "SpaceKG")
    _element(root, "link", rel="self", type=ATOM_TYPE, href=url_for("feed.releases_feed", _external=True))
    _element(root, "generator", "SpaceKG", version=__version__)
    for release in releases:
        _entry(root, release, base_iri)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _entry(root: ET.Element, release: Release, base_iri: str) -> None:
    manifest, release_id = release.manifest, release.release_id
    minter = Minter(str(manifest.get("base_iri") or base_iri))
    entry = _element(root, "entry")
    _element(entry, "id", str(minter.release(release_id)))
    _element(entry, "title", f"SpaceKG release {release_id}")
    created = str(manifest.get("created", ""))
    _element(entry, "updated", created)
    _element(entry, "published", created)
    _element(entry, "summary", summary(manifest), type="text")
    for name, media_type in DUMP_TYPES.items():
        path = release.path / "dumps" / name
        if name != SUMS and path.is_file():
            _element(entry, "link", rel="alternate", type=media_type, length=str(path.stat().st_size), title=f"dump: {name}",
                     href=url_for("feed.release_dump", release_id=release_id, name=name, _external=True))
    changes = manifest.get("changes") or {}
    for name, described in changes.get("files", {}).items():
        _element(entry, "link", rel="related", type=N_TRIPLES, length=str(described["bytes"]),
                 title=f"{short_name(described['graph'])}: {described['triples']} {described['change']} triples ({described['graph']})",
                 href=url_for("feed.release_changes", release_id=release_id, name=name, _external=True))
    if changes.get("files"):
        _element(entry, "link", rel="related", type="text/plain", title="SHA-256 of the change files",
                 href=url_for("feed.release_changes", release_id=release_id, name=SUMS, _external=True))
    if changes.get("previous"):
        _element(entry, "link", rel="predecessor-version", href=str(minter.release(str(changes["previous"]))),
                 title=f"SpaceKG release {changes['previous']}")


def summary(manifest: dict[str, Any]) -> str:
    """One line a feed reader shows: the triples added and removed per graph, or the size of a release without changes."""
    changes = manifest.get("changes")
    total = sum(int(n) for n in manifest.get("graphs", {}).values())
    if not changes:
        return (f"{total} triples in {len(manifest.get('graphs', {}))} named graphs; no change files (the first release, "
                f"or one built without them): load its {NQUADS} dump.")
    counts = changes.get("graphs", {})
    changed = [f"{short_name(g)} +{c['added']} -{c['removed']}" for g, c in counts.items() if c["added"] or c["removed"]]
    same = [short_name(g) for g, c in counts.items() if not (c["added"] or c["removed"])]
    return (f"Since release {changes['previous']}: " + ("; ".join(changed) or "no triple changed")
            + (f"; unchanged: {', '.join(same)}" if same else "") + f". {total} triples in all.")
