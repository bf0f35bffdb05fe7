"""The orchestrator: sources -> asserted graph -> (validation, reasoning) -> release. CLI and web call only this and the store."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.term import Node

from spacekg import __version__
from spacekg.checks import shapes_checksums, start_check
from spacekg.errors import InconsistencyError, NoReleaseError, SourceDataError, SourceDataErrors, SourcePosition
from spacekg.formats import DUMPS
from spacekg.kinds import RECORD_KINDS, record_columns
from spacekg.namespaces import RDFS, Minter
from spacekg.parsed_files import parsed_once
from spacekg.rdf import AssertedGraph, map_sources
from spacekg.reason import Reasoning, reason
from spacekg.settings import Settings
from spacekg.sources import read_sources
from spacekg.store.changes import stable_blank_nodes, write_changes
from spacekg.store.loading import disk_store, graph_sizes, memory_store
from spacekg.store.provenance import provenance_graph, source_positions
from spacekg.store.releases import Release, current_release, forget_attempt, publish, record_attempt, write_dumps
from spacekg.terms import quads, statements
from spacekg.validate import ValidationReport, diff, ensure_conforms, render, report_graph
from spacekg.validate.engine import choose_engine
from spacekg.validate.incremental import SUBJECTS_FILE, write_digests

GRAPH_NAMES = ("ontology", "asserted", "inferred", "meta", "validation")
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


class Timings:
    """Seconds spent in each stage of a build, recorded in the release manifest for benchmarks."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - started, 4)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a stage makes millions of objects.

    The graph is made of tuples and terms without reference cycles, but every few thousand new objects
    the collector walks all that exist: at a million triples that made converting terms 3x slower and
    reasoning 1.6x. Reference counting still frees everything; cycles wait until the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def tool_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "spacekg": __version__}
    for package in ("rdflib", "pyoxigraph", "pycountry", "owlrl", "pyshacl"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            continue
    return versions


def load_ontology(ontology_dir: Path) -> Graph:
    """Parse every Turtle file of the ontology folder into one graph."""
    graph = Graph()
    files = sorted(ontology_dir.glob("*.ttl"))
    if not files:
        raise SourceDataErrors([SourceDataError(SourcePosition(str(ontology_dir), 0), "no ontology file found",
                                                "restore ontology/spacekg.ttl")])
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as error:  # rdflib raises many parser exception types; all mean the same here
            raise SourceDataErrors([SourceDataError(SourcePosition(str(path), 0), f"ontology does not parse: {error}",
                                                    "fix the Turtle syntax")]) from error
    return graph


def assemble(settings: Settings, progress: Progress = _quiet, timings: Timings | None = None) -> tuple[Graph, AssertedGraph, dict[str, str]]:
    """Read and map the curated sources: the ontology, the asserted graph, and source checksums."""
    timings = timings or Timings()
    progress("reading ontology/ and data/")
    with timings.stage("read"):
        # blank nodes relabelled by content, so that an unchanged ontology dumps the same lines
        ontology_files = sorted(settings.ontology.glob("*.ttl"))
        ontology = parsed_once("ontology, blank nodes by content", ontology_files, lambda: stable_blank_nodes(load_ontology(settings.ontology)))
        sources = read_sources(settings.data, settings.project_dir, record_columns(), settings.max_source_bytes)
    progress(f"mapping {sum(len(t) for t in sources.tables.values())} records from {len(sources.checksums)} files")
    with timings.stage("map"):
        asserted = map_sources(sources, ontology, Minter(settings.base_iri), RECORD_KINDS)
    checksums = dict(sources.checksums)
    for path in ontology_files:
        checksums[str(path.relative_to(settings.project_dir)) if path.is_relative_to(settings.project_dir) else str(path)] = \
            hashlib.sha256(path.read_bytes()).hexdigest()
    return ontology, asserted, checksums


def _without_labels(report: Graph) -> set[tuple[Node, Node, Node]]:
    """The report as stored in the release's graph: without the copies of focus nodes' labels that
    validation.ttl keeps for diffs, so that the union default graph gains no duplicate labels."""
    return {(s, p, o) for s, p, o in report if p != RDFS.label}


REJECTED_REPORT = "validation.txt"


def keep_rejected_report(settings: Settings, report: ValidationReport) -> Path:
    """Write the whole report of a build that is refused to reports/validation.txt (outside the releases, which stay as they were)."""
    target = settings.reports / REJECTED_REPORT
    try:
        settings.reports.mkdir(parents=True, exist_ok=True)
        target.write_text(render(report, "text"), encoding="utf-8")
    except OSError:
        pass  # the refusal itself still reaches the curator, with the first violations; only the long form is lost
    return target


def record_refused_attempt(settings: Settings, report: ValidationReport, started: dt.datetime, served: Release | None) -> None:
    """Keep a refused build's report beside the releases (releases/last-attempt.json), for /validation to show as not published.

    The report is its standard Turtle (the form the releases keep), so the page reads it back as it reads theirs.
    """
    try:
        record_attempt(settings.releases, {"attempted": started.isoformat(), "outcome": "refused",
                                           "reason": f"validation found {report.count('Violation')} violations",
                                           "served_release": served.release_id if served is not None else None,
                                           "counts": {severity.lower() + "s": report.count(severity) for severity in ("Violation", "Warning", "Info")},
                                           "report": render(report, "ttl")})
    except OSError:
        pass  # the refusal still reaches the curator on the terminal and in reports/; only the page's copy is lost


def _previous_release(settings: Settings) -> Release | None:
    try:
        return current_release(settings.releases)
    except NoReleaseError:
        return None


def ensure_nothing_vanished(previous: Release, asserted: AssertedGraph) -> None:
    """Refuse a build after which an IRI the previous release served would answer 404: it needs a row in data/redirects.csv."""
    before = set(previous.positions())  # its minted and its retired IRIs
    now = {str(iri) for iri in (*asserted.positions, *asserted.meta_positions)}
    # a fragment IRI (a status period) dereferences through its document, whose IRI is checked itself
    vanished = sorted(iri for iri in before - now if "#" not in iri)
    if not vanished:
        return
    by_place = {(where.path, where.line): str(iri) for iri, where in asserted.positions.items()}
    old_places = previous.positions()
    errors = []
    for iri in vanished:
        place = old_places.get(iri)
        successor = by_place.get(place) if place else None
        same_kind = successor is not None and successor.rsplit("/", 2)[-2] == iri.rsplit("/", 2)[-2]
        hint = f" (its record, {place[0]}:{place[1]}, now mints {successor})" if place and same_kind else ""
        errors.append(SourceDataError(SourcePosition("data/redirects.csv", 0), f"{iri} was published in release {previous.release_id} "
                                      f"and this build no longer mints it{hint}",
                                      "add a row old,new,reason to data/redirects.csv: new is the IRI that replaces it, or empty if it is gone; "
                                      "the old IRI then answers 301 (or 410) instead of 404"))
    raise SourceDataErrors(errors)


def infer(settings: Settings, ontology: Graph, asserted: AssertedGraph) -> Reasoning:
    """The reasoning stage: OWL 2 RL closure of ontology + asserted graph; raises InconsistencyError on a clash."""
    statements: dict[Any, SourcePosition] = dict(asserted.statement_positions)
    return reason(ontology, asserted.triples, settings.reasoner, positions=asserted.positions, statement_positions=statements)


def build(settings: Settings, progress: Progress = _quiet, now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> Release:
    """Build a new release from the curated sources and switch to it; on any error the old release stays."""
    with collection_paused():
        return _build(settings, progress, now)


def _build(settings: Settings, progress: Progress, now: Callable[[], dt.datetime]) -> Release:
    """The build (see `build`).

    Validation and reasoning run side by side: Jena validates in its own process while this one reasons
    and loads the store. Nothing is published unless the validation finds no Violation; a Violation is
    reported before a contradiction that reasoning found, since it names the rows to fix.
    """
    started = now()
    timings = Timings()
    ontology, asserted, checksums = assemble(settings, progress, timings)
    progress(f"asserted graph: {len(asserted.triples)} triples, {len(asserted.positions)} subjects with a source line")
    previous = _previous_release(settings)
    engine, notice = choose_engine(settings.shacl_engine, settings.cache, settings.jena_classpath)
    if notice:
        progress(notice)
    minter = Minter(settings.base_iri)
    with timings.stage("load"):  # once, for both the store and Jena's input
        ontology_statements, asserted_statements = statements(ontology), statements(asserted.triples)
    progress("validating against shapes/")
    with timings.stage("validate"):
        pending = start_check(settings, ontology, asserted, checksums, previous, engine, [*ontology_statements, *asserted_statements])
    how = {"reused": "unchanged inputs: the previous release's report",
           "incremental": f"incremental ({pending.engine}): {pending.revalidated} focus nodes the edit can reach, the previous results for the rest",
           "full": f"in full ({pending.engine})"}
    progress(f"validation {how[pending.how]}")
    try:
        progress(f"reasoning ({settings.reasoner})")
        clash: InconsistencyError | None = None
        with timings.stage("reason"):
            try:
                inferred = infer(settings, ontology, asserted).triples
            except InconsistencyError as error:
                clash, inferred = error, frozenset()
        if clash is None:
            progress(f"inferred graph: {len(inferred)} new facts")
            progress("loading the store")
            with timings.stage("load"):
                store = memory_store({str(minter.graph("ontology")): ontology_statements, str(minter.graph("asserted")): asserted_statements,
                                      str(minter.graph("inferred")): statements(inferred),
                                      str(minter.graph("meta")): statements([*source_positions({**asserted.positions, **asserted.meta_positions}),
                                                                              *asserted.meta])})
            del ontology_statements, asserted_statements
        with timings.stage("validate"):
            checked = pending.result()
    except BaseException:
        pending.cancel()
        raise
    report = checked.report
    progress(f"validation: {report.count('Violation')} violations, {report.count('Warning')} warnings, {report.count('Info')} infos"
             + (" (unchanged inputs: report of the previous release reused)" if checked.how == "reused" else f" ({checked.engine})"))
    if not report.conforms:
        keep_rejected_report(settings, report)
        record_refused_attempt(settings, report, started, previous)
    ensure_conforms(report)
    if clash is not None:
        raise clash
    if previous is not None:  # after validation: a curator sees what is wrong with the data first
        ensure_nothing_vanished(previous, asserted)
    validation_graph = report_graph(report)
    changes = diff(Graph().parse(previous.path / "validation.ttl"), validation_graph) \
        if previous is not None and (previous.path / "validation.ttl").exists() else None
    content_hash = hashlib.sha256("".join(f"{k}{v}" for k, v in sorted(checksums.items())).encode()).hexdigest()[:8]
    release_id = f"{started.strftime('%Y%m%dT%H%M%S%fZ')}-{content_hash}"

    def fill(folder: Path) -> dict[str, Any]:
        sizes = {str(minter.graph("ontology")): len(set(ontology)), str(minter.graph("asserted")): len(asserted.triples),
                 str(minter.graph("inferred")): len(inferred)}
        validation = _without_labels(validation_graph)
        sizes[str(minter.graph("validation"))] = len(validation)
        meta = provenance_graph(minter, release_id, started, now(), checksums, {**tool_versions(), "shacl-engine": checked.engine}, sizes,
                                [dump.dump_name for dump in DUMPS])
        with timings.stage("load"):
            store.bulk_extend(quads(validation, str(minter.graph("validation"))))
            store.bulk_extend(quads(meta, str(minter.graph("meta"))))
        progress("writing dumps")
        with timings.stage("dumps"):  # and the on-disk store, loaded from the N-Quads dump beside the other dumps
            dumps = write_dumps(store, folder / "dumps", after_nquads=lambda nquads: disk_store(folder / "store", nquads))
        counted = graph_sizes(store)
        final_sizes = {str(minter.graph(name)): counted.get(str(minter.graph(name)), 0) for name in GRAPH_NAMES}
        with timings.stage("changes"):  # against the release current now: publish holds the lock, so it is the one this one follows
            base = _previous_release(settings)
            published_changes = write_changes(base.path, base.manifest, folder, final_sizes) if base is not None else None
        (folder / "positions.json").write_text(json.dumps(
            {str(s): [p.path, p.line] for s, p in sorted({**asserted.positions, **asserted.meta_positions}.items())}, indent=0),
            encoding="utf-8")
        # Single statements written apart from their subject's record (links, Turtle), for explanations.
        (folder / "statement_positions.nt").write_text("".join(
            f"{s.n3()} {p.n3()} {o.n3()} . # {where.path}:{where.line}\n"
            for (s, p, o), where in sorted(asserted.statement_positions.items(), key=lambda item: str(item[0]))), encoding="utf-8")
        validation_graph.serialize(folder / "validation.ttl", format="turtle")
        (folder / "validation.txt").write_text(render(report, "text"), encoding="utf-8")
        write_digests(checked.digests, folder / SUBJECTS_FILE)
        summary = {"key": checked.key, "frame": checked.frame, "conforms": report.conforms, "reused": checked.how == "reused",
                   "how": checked.how, "revalidated": checked.revalidated, "engine": checked.engine, "seconds": round(report.seconds, 3),
                   **{severity.lower() + "s": report.count(severity) for severity in ("Violation", "Warning", "Info")}}
        if changes is not None and previous is not None:
            summary.update(previous_release=previous.release_id, new=len(changes.new), fixed=len(changes.fixed),
                           new_results=[f"{r.where}: {r.severity}: {r.message}" for r in changes.new[:200]],
                           fixed_results=[f"{r.where}: {r.severity}: {r.message}" for r in changes.fixed[:200]])
        return {"created": now().isoformat(), "base_iri": settings.base_iri, "graphs": final_sizes, "reasoner": settings.reasoner,
                "dumps": dumps, "sources": {**checksums, **shapes_checksums(settings)}, "tools": tool_versions(),
                "timings": timings.seconds, "validation": summary, **({"changes": published_changes} if published_changes else {})}

    release = publish(settings.releases, release_id, fill, keep=settings.keep_releases)
    forget_attempt(settings.releases)  # the published release's report is now the one to read
    progress(f"published release {release.release_id}")
    return release
