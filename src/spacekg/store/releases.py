"""Releases on disk: built in a scratch folder, then switched in atomically with a symlink.

Layout of the releases folder:
    current -> 20261121T230000Z-1a2b3c4d     (symlink, replaced atomically by os.replace)
    20261121T230000Z-1a2b3c4d/
        store/            embedded Oxigraph store (named graphs ontology, asserted, inferred, meta)
        dumps/            spacekg.nq, spacekg.trig, spacekg.ttl, spacekg.jsonld and SHA256SUMS
        changes/          per named graph, the triples added and removed since the previous release (store/changes.py)
        release.json      manifest: counts, checksums, source files, tool versions
        positions.json    file:line of every minted subject
    last-attempt.json     the last build that validation refused: when, what, and its report (removed by the next publish)
    .building-*/          a build in progress (removed on failure; stale ones removed by the next build)
    .current-*            the new `current` link just before it is renamed over the old one (stale ones removed too)

A build killed at any point (SIGKILL, power loss) leaves `current` on a complete release: the release
folder is written and flushed to disk before it is renamed into place, and the link is switched by one
rename after that rename is itself on disk.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from spacekg.errors import BuildInProgress, NoReleaseError, ReleaseNotWritable
from spacekg.formats import DUMPS, Format

CURRENT = "current"
BUILDING_PREFIX = ".building-"
LOCK_FILE = ".publish.lock"  # held by the build that is publishing
LAST_ATTEMPT = "last-attempt.json"


@dataclass(frozen=True)
class Release:
    """A published release: its folder and manifest."""

    path: Path
    manifest: dict[str, Any]

    @property
    def release_id(self) -> str:
        return str(self.manifest["release_id"])

    @property
    def store_path(self) -> Path:
        return self.path / "store"

    def open_store(self) -> ox.Store:
        return ox.Store.read_only(str(self.store_path))

    def positions(self) -> dict[str, tuple[str, int]]:
        raw = json.loads((self.path / "positions.json").read_text(encoding="utf-8"))
        return {iri: (where[0], where[1]) for iri, where in raw.items()}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def current_release(releases_dir: Path) -> Release:
    """The release that is served now; NoReleaseError if none was ever built."""
    link = releases_dir / CURRENT
    if not link.exists():
        raise NoReleaseError(f"no release has been built in {releases_dir}", "run 'spacekg build' first")
    path = link.resolve()
    try:
        manifest = json.loads((path / "release.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise NoReleaseError(f"the current release {path.name} in {releases_dir} has no readable release.json: it is incomplete",
                             "run 'spacekg build' to publish a complete release") from error
    return Release(path, manifest)


def remove_stale_builds(releases_dir: Path) -> None:
    """Remove what interrupted builds left: scratch folders and links that were never switched in."""
    if releases_dir.is_dir():
        for leftover in releases_dir.glob(BUILDING_PREFIX + "*"):
            shutil.rmtree(leftover, ignore_errors=True)
        for pending in releases_dir.glob(f".{CURRENT}-*"):
            if pending.is_symlink():
                pending.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Flush a file or a folder's entries to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_tree(folder: Path) -> None:
    """Flush every file under `folder`, then every folder bottom-up, so that a rename of `folder` made
    after this cannot reach the disk before the contents do (ext4 and XFS may reorder otherwise)."""
    folders = []
    for root, _, files in os.walk(folder):
        folders.append(Path(root))
        for name in files:
            _fsync(Path(root) / name)
    for path in reversed(folders):
        _fsync(path)


def write_dumps(store: ox.Store, dumps_dir: Path, after_nquads: Callable[[Path], None] | None = None) -> dict[str, str]:
    """Write the standard dumps of the store and return their SHA-256 checksums by file name.

    The N-Quads dump comes first; then the others, and `after_nquads` with its path (the on-disk store loads
    from it), run side by side: Oxigraph writes without holding the interpreter, so two cores share the work.
    """
    dumps_dir.mkdir()
    ordered = sorted(DUMPS, key=lambda dump: dump.name != "nquads")
    checksums = {ordered[0].dump_name: _write_dump(store, dumps_dir, ordered[0])}
    with ThreadPoolExecutor(max_workers=2) as pool:
        # the longest job first (loading the on-disk store takes about as long as the other dumps together)
        loaded = pool.submit(after_nquads, dumps_dir / ordered[0].dump_name) if after_nquads is not None else None
        written = {dump.dump_name: pool.submit(_write_dump, store, dumps_dir, dump) for dump in ordered[1:]}
        checksums.update((name, future.result()) for name, future in written.items())
        if loaded is not None:
            loaded.result()
    checksums = {dump.dump_name: checksums[dump.dump_name] for dump in DUMPS}
    (dumps_dir / "SHA256SUMS").write_text("".join(f"{digest}  {name}\n" for name, digest in checksums.items()), encoding="utf-8")
    return checksums


def _write_dump(store: ox.Store, dumps_dir: Path, dump: Format) -> str:
    target = dumps_dir / dump.dump_name
    if dump.keeps_graphs:
        store.dump(str(target), format=dump.rdf_format)
    else:  # Turtle has no named graphs: publish the merge of all graphs (twice as fast as a CONSTRUCT query of them)
        ox.serialize((quad.triple for quad in store), str(target), format=dump.rdf_format)
    return sha256_of(target)


def _unwritable(releases_dir: Path, error: OSError) -> ReleaseNotWritable:
    return ReleaseNotWritable(f"the release could not be written in {releases_dir}: {error.strerror or error}"
                        + (f" ({error.filename})" if error.filename else ""),
                        "check the free space and permissions of the releases folder (--releases or SPACEKG_RELEASES_DIR); "
                        "the current release was not switched")


def publish(releases_dir: Path, release_id: str, fill: Callable[[Path], Mapping[str, Any]], keep: int = 0) -> Release:
    """Build a release in a scratch folder with `fill`, then switch `current` to it atomically.

    `fill(folder)` writes the store, dumps and positions and returns the manifest. If it raises, the
    scratch folder is removed and `current` still points at the previous release. A folder that cannot
    be written (no space, no permission, a file in the way) is a ReleaseNotWritable naming it, not a traceback.
    """
    try:
        releases_dir.mkdir(parents=True, exist_ok=True)
        lock = open(releases_dir / LOCK_FILE, "a")  # noqa: SIM115  (held for the whole publish; closed below)
    except OSError as error:
        raise _unwritable(releases_dir, error) from error
    with lock:
        try:
            # Two builds at once would remove each other's scratch folder; the lock goes with the process, even on SIGKILL.
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildInProgress(f"another build is publishing into {releases_dir}",
                                  "wait for it to finish, then build again (its lock ends with it, even if it is killed)") from None
        release = _publish_locked(releases_dir, release_id, fill)
        if keep > 0:
            prune_releases(releases_dir, keep)
        return release


def release_ids(releases_dir: Path) -> list[str]:
    """The ids of the published releases in the folder, oldest first (ids begin with their build time)."""
    if not releases_dir.is_dir():
        return []
    return sorted(path.name for path in releases_dir.iterdir()
                  if path.is_dir() and not path.is_symlink() and not path.name.startswith(".") and (path / "release.json").is_file())


def prune_releases(releases_dir: Path, keep: int) -> list[str]:
    """Remove all but the `keep` newest releases (never the current one); return the ids removed.

    Release ids begin with their build time, so name order is age order. Replicas that still serve an
    older release hold it in memory; only its dumps would go, and they switch within seconds anyway.
    """
    current = os.readlink(releases_dir / CURRENT) if (releases_dir / CURRENT).is_symlink() else ""
    releases = release_ids(releases_dir)
    removed = [name for name in releases[:-keep] if name != current]
    for name in removed:
        # Renamed first, so that a build killed while deleting leaves a scratch folder the next build removes, not half a release.
        doomed = releases_dir / f"{BUILDING_PREFIX}pruned-{name}"
        os.rename(releases_dir / name, doomed)
        shutil.rmtree(doomed, ignore_errors=True)
    return removed


def _publish_locked(releases_dir: Path, release_id: str, fill: Callable[[Path], Mapping[str, Any]]) -> Release:
    try:
        remove_stale_builds(releases_dir)
        scratch = releases_dir / f"{BUILDING_PREFIX}{release_id}"
        scratch.mkdir()
    except OSError as error:
        raise _unwritable(releases_dir, error) from error
    try:
        manifest = dict(fill(scratch))
        manifest["release_id"] = release_id
        (scratch / "release.json").write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        fsync_tree(scratch)
        final = releases_dir / release_id
        os.rename(scratch, final)
        _fsync(releases_dir)
    except OSError as error:
        shutil.rmtree(scratch, ignore_errors=True)
        raise _unwritable(releases_dir, error) from error
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    # Replace the symlink in one rename so readers see either the old or the new release, never none.
    pending = releases_dir / f".{CURRENT}-{release_id}"
    try:
        if pending.is_symlink():
            pending.unlink()
        os.symlink(release_id, pending)
        os.replace(pending, releases_dir / CURRENT)
    except OSError as error:
        raise _unwritable(releases_dir, error) from error
    _fsync(releases_dir)
    return Release(final, manifest)


def record_attempt(releases_dir: Path, attempt: Mapping[str, Any]) -> Path:
    """Keep the record of a build that was not published (its time, outcome and report) beside the releases.

    It sits beside the releases rather than in the project's reports/ so that every server of the folder (replicas
    included) shows the curator what the last build found. Written to a scratch file and renamed over the old
    record, so that a reader sees the old record or the new one, never half of one.
    """
    releases_dir.mkdir(parents=True, exist_ok=True)
    target = releases_dir / LAST_ATTEMPT
    scratch = releases_dir / f".{LAST_ATTEMPT}-{os.getpid()}"
    try:
        scratch.write_text(json.dumps(attempt, indent=1, sort_keys=True), encoding="utf-8")
        _fsync(scratch)
        os.replace(scratch, target)
    finally:
        scratch.unlink(missing_ok=True)
    return target


def last_attempt(releases_dir: Path) -> dict[str, Any] | None:
    """The record of the last build that was not published, or None (none kept, or unreadable: the pages do without)."""
    try:
        record = json.loads((releases_dir / LAST_ATTEMPT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def forget_attempt(releases_dir: Path) -> None:
    """Remove the record of a refused build: a newer build was published, so its report is the one to read."""
    try:
        (releases_dir / LAST_ATTEMPT).unlink(missing_ok=True)
    except OSError:
        pass  # the release is published all the same; the page ignores a record older than the release it serves
