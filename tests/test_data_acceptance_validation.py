"""Acceptance of the curated data by its shapes and its reasoning: checks about data/ itself, not about the code.

Everything here reads the session's one build of the real data/ (`curated_release`): its validation.ttl
holds the report on the data and on the ontology, and the build itself would have stopped on a
Violation or a reasoning clash. Nothing is reasoned again, and the one validation here is of what the store serves, by
the engine that did not build the release. No count of the curated data is written here: the expectations come from
the data and from shapes/WARNINGS.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from conftest import PROJECT
from spacekg.errors import UsageError
from spacekg.namespaces import OPENGOV, RDFS
from spacekg.store.releases import Release
from spacekg.validate import ValidationResult, load_shapes, results_from_graph, validate
from spacekg.validate.engine import PYSHACL, choose_engine
from test_served_is_validated import data_results, from_store, graph_iri
from test_shapes import shape_targets

# One worker of a parallel run (pytest-xdist, --dist loadgroup) takes every check of the curated data: the curated
# release is then built once, not once per worker.
pytestmark = pytest.mark.xdist_group("curated")

SKGSH = "https://w3id.org/spacekg/shapes#"
DATA_SHAPES = PROJECT / "shapes" / "spacekg-shapes.ttl"
LISTED = re.compile(r"^- `skgsh:([\w-]+)` `([^`]+)` \(([^)]+)\)$", re.MULTILINE)


@pytest.fixture(scope="module")
def curated_results(curated_release: Release) -> list[ValidationResult]:
    """The results of the curated build's validation (data and ontology), read back from its validation.ttl."""
    return results_from_graph(Graph().parse(curated_release.path / "validation.ttl", format="turtle"))


@pytest.fixture(scope="module")
def data_shapes() -> Graph:
    return load_shapes(DATA_SHAPES)


def select(store: ox.Store, query: str) -> list[tuple[URIRef, ...]]:
    """The rows of a SELECT whose every value is an IRI."""
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return [tuple(URIRef(term.value) for term in row) for row in solutions]


def test_the_curated_data_has_no_violation(curated_release: Release, curated_results: list[ValidationResult]) -> None:
    summary = curated_release.manifest["validation"]
    assert (summary["conforms"], summary["violations"], summary["reused"]) == (True, 0, False)
    assert [(r.where, str(r.focus_node), str(r.source_shape), r.message) for r in curated_results if r.severity == "Violation"] == []
    assert len(curated_results) == summary["warnings"] + summary["infos"]


def test_every_result_on_the_curated_data_names_a_source_line(curated_results: list[ValidationResult], data_shapes: Graph) -> None:
    shapes = set(data_shapes.subjects())
    on_data = [r for r in curated_results if r.source_shape in shapes]
    assert [str(r.focus_node) for r in on_data if r.position is None] == []
    lines: dict[str, int] = {}
    for result in on_data:
        assert result.position is not None and result.position.path.startswith("data/"), result.where
        if result.position.path not in lines:
            lines[result.position.path] = len((PROJECT / result.position.path).read_text(encoding="utf-8").splitlines())
        assert 1 <= result.position.line <= lines[result.position.path], result.where


def listed_warnings() -> set[tuple[str, str, str]]:
    """(shape IRI, focus node IRI, file) of each warning shapes/WARNINGS.md accepts."""
    text = (PROJECT / "shapes" / "WARNINGS.md").read_text(encoding="utf-8")
    return {(SKGSH + shape, focus, file) for shape, focus, file in LISTED.findall(text)}


def test_every_warning_is_listed_with_its_reason_and_every_listed_warning_still_occurs(curated_results: list[ValidationResult]) -> None:
    warnings = {(str(r.source_shape), str(r.focus_node), r.position.path if r.position else "(no source file)")
                for r in curated_results if r.severity == "Warning"}
    listed = listed_warnings()
    assert warnings - listed == set(), "warnings to fix or to explain in shapes/WARNINGS.md (with the file of the record)"
    assert listed - warnings == set(), "fixed warnings still listed in shapes/WARNINGS.md"


def test_every_class_and_property_of_the_curated_data_is_checked_by_a_shape(curated_release: Release, curated_store: ox.Store,
                                                                              data_shapes: Graph) -> None:
    """The Turtle files of data/ may use any term, so this is checked on the data too (test_shapes checks the mapper's terms)."""
    asserted = graph_iri(curated_release, "asserted")
    ontology = Graph()  # the subclass axioms of the ontology graph the release published
    for sub, superclass in select(curated_store, f"SELECT ?sub ?super WHERE {{ GRAPH <{graph_iri(curated_release, 'ontology')}> "
                                                 f"{{ ?sub <{RDFS.subClassOf}> ?super }} }}"):
        ontology.add((sub, RDFS.subClassOf, superclass))
    targeted, paths = shape_targets(data_shapes)
    classes = {c for (c,) in select(curated_store, f"SELECT DISTINCT ?c WHERE {{ GRAPH <{asserted}> {{ ?s a ?c }} }}")}
    assert classes
    assert {c for c in classes if not any(t in targeted for t in ontology.transitive_objects(c, RDFS.subClassOf))} == set()
    predicates = {p for (p,) in select(curated_store, f"SELECT DISTINCT ?p WHERE {{ GRAPH <{asserted}> {{ ?s ?p ?o }} }}")}
    assert predicates and predicates - paths == set()


def test_the_curated_data_reasons_without_a_clash_into_new_facts_only(curated_release: Release, curated_store: ox.Store) -> None:
    """A clash would have stopped the build; the inferred graph it published repeats no asserted or ontology triple."""
    graphs = curated_release.manifest["graphs"]
    inferred, asserted, ontology = (graph_iri(curated_release, name) for name in ("inferred", "asserted", "ontology"))
    assert curated_release.manifest["reasoner"] == "rules" and graphs[inferred] > 0
    repeated = curated_store.query(f"ASK {{ GRAPH <{inferred}> {{ ?s ?p ?o }} {{ GRAPH <{asserted}> {{ ?s ?p ?o }} }} "
                                   f"UNION {{ GRAPH <{ontology}> {{ ?s ?p ?o }} }} }}")
    assert bool(repeated) is False


def test_the_served_graph_validated_by_the_other_shacl_engine_gives_the_builds_results(
        curated_release: Release, curated_results: list[ValidationResult], data_shapes: Graph, tmp_path: Path) -> None:
    """Two checks in one validation. What the store serves (the asserted graph and the ontology, read back from it) is
    what was validated; and the build validated with one engine (Jena where it runs, as in CI) while the other finds the
    same results on the same data (test_served_is_validated.py runs both engines on the whole tiny release)."""
    built_with = curated_release.manifest["validation"]["engine"]
    if built_with.startswith("jena"):
        other = PYSHACL
    else:
        try:
            other, _ = choose_engine("jena", tmp_path)
        except UsageError as error:
            pytest.skip(f"the release was validated by pySHACL and Jena cannot run here: {error.message}")
    served, ontology = from_store(curated_release, "asserted"), from_store(curated_release, "ontology")
    vote_event = OPENGOV.voteEvent  # looked up once: a Namespace attribute makes a new term on every access
    # Of the ~16,000 votes (one kind of row, whose every shape both engines check on tests/fixtures/shapes), only those of
    # every twentieth roll call: pySHACL took 85 s on all of them (40 s on every tenth under coverage), most of this module's time.
    roll_call_of = {s: o for s, p, o in served if p == vote_event}  # vote -> its roll call
    kept_calls = set(sorted(set(roll_call_of.values()))[::20])
    dropped = {vote for vote, roll_call in roll_call_of.items() if roll_call not in kept_calls}
    assert dropped and not {r.focus_node for r in curated_results} & dropped, "a result about a vote left out of the comparison"
    report = validate({t for t in served if t[0] not in dropped}, data_shapes, ontology, {}, curated_release.manifest["base_iri"], other)
    assert report.count("Violation") == 0
    assert data_results(report.results, data_shapes) == data_results(curated_results, data_shapes)
