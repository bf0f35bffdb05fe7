"""The SHACL shapes: every shape has a conforming and a non-conforming case, and the tiny project's rows conform.

Fixtures live in tests/fixtures/shapes/. `valid.ttl` conforms to every shape; each other file is read
together with it and lists, in `# expect:` lines, the exact results it must produce: severity, focus
node, result path ('-' for none), source shape, and the file:line the report names.

The checks about the curated data itself (no violation, every warning listed in shapes/WARNINGS.md, every
result placed at a source line) are in tests/test_data_acceptance_validation.py, read from the session's
one curated build.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from conftest import TINY, tiny_settings
from spacekg.errors import SourcePosition
from spacekg.namespaces import RDF, RDFS, SH
from spacekg.pipeline import assemble, load_ontology
from spacekg.store.releases import Release
from spacekg.validate import ValidationReport, load_shapes, results_from_graph, validate
from spacekg.validate.engine import focus_nodes
from spacekg.validate.positions import turtle_positions

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "tests" / "fixtures" / "shapes"
DATA_SHAPES = PROJECT / "shapes" / "spacekg-shapes.ttl"
ONTOLOGY_SHAPES = PROJECT / "shapes" / "ontology-shapes.ttl"
SKGSH = "https://w3id.org/spacekg/shapes#"
DATA_CASES = sorted(path.name for path in FIXTURES.glob("*.ttl") if path.name != "valid.ttl")
ONTOLOGY_CASES = sorted(path.name for path in (FIXTURES / "ontology").glob("*.ttl") if path.name != "valid.ttl")
EXPECT = re.compile(r"^# expect: (Violation|Warning|Info) (\S+) (\S+) (\S+) at (\S+):(\d+)$")
PREFIX = re.compile(r"@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>")

Expected = tuple[str, str, str, str, str]  # severity, focus node IRI, path text, source shape IRI, "file:line"


@cache
def ontology() -> Graph:
    return load_ontology(PROJECT / "ontology")


@cache
def data_shapes() -> Graph:
    return load_shapes(DATA_SHAPES)


@cache
def ontology_shapes() -> Graph:
    return load_shapes(ONTOLOGY_SHAPES)


@cache
def ontology_report() -> ValidationReport:
    text = (PROJECT / "ontology" / "spacekg.ttl").read_text(encoding="utf-8")
    return validate(ontology(), ontology_shapes(), Graph(), turtle_positions(text, "ontology/spacekg.ttl"))


def read_fixtures(folder: Path, *names: str) -> tuple[Graph, dict[URIRef, SourcePosition]]:
    """Parse fixture files into one graph, each subject placed at the first line that writes it."""
    graph = Graph()
    positions: dict[URIRef, SourcePosition] = {}
    for name in names:
        text = (folder / name).read_text(encoding="utf-8")
        graph.parse(data=text, format="turtle")
        for subject, position in turtle_positions(text, name).items():
            positions.setdefault(subject, position)
    return graph, positions


def expected_results(path: Path) -> Counter[Expected]:
    """The `# expect:` lines of a fixture, with prefixed names expanded by the fixture's own prefixes."""
    text = path.read_text(encoding="utf-8")
    prefixes = dict(PREFIX.findall(text)) | {"skgsh": SKGSH}

    def expand(name: str) -> str:
        if name.startswith("<") and name.endswith(">"):
            return name[1:-1]
        prefix, _, local = name.partition(":")
        return prefixes[prefix] + local

    expected: Counter[Expected] = Counter()
    for line in text.splitlines():
        match = EXPECT.match(line)
        if match:
            severity, focus, path_text, shape, file, number = match.groups()
            expected[(severity, expand(focus), "" if path_text == "-" else path_text, expand(shape), f"{file}:{number}")] += 1
        elif line.startswith("# expect:"):
            raise AssertionError(f"{path.name}: malformed expectation {line!r}")
    assert expected, f"{path.name} expects no result"
    return expected


def actual_results(report: ValidationReport) -> Counter[Expected]:
    return Counter((r.severity, str(r.focus_node), r.path_text, str(r.source_shape), r.where) for r in report.results)


def shapes_of(shapes: Graph) -> tuple[set[Node], set[Node]]:
    """The node shapes and property shapes named by IRI (anonymous shapes inside sh:or etc. are parts of these)."""
    node_shapes = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    property_shapes = {s for s in shapes.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)}
    return node_shapes, property_shapes


def covered_shapes(shapes: Graph, source_shapes: set[str]) -> set[Node]:
    """Shapes with a non-conforming case: the source shape itself, or a node shape one of whose property shapes failed."""
    covered: set[Node] = {URIRef(shape) for shape in source_shapes}
    for node_shape, property_shape in shapes.subject_objects(SH.property):
        if property_shape in covered:
            covered.add(node_shape)
    return covered


def path_has_value(shapes: Graph, data: Graph, path: Node, focus: Node) -> bool:
    """Whether the focus node has a value for a predicate, inverse or alternative path."""
    if isinstance(path, URIRef):
        return (focus, path, None) in data
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return (None, inverse, focus) in data
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return any(path_has_value(shapes, data, item, focus) for item in shapes.items(alternatives))
    raise AssertionError(f"path {path} is of a kind this test does not read")


# -- the conforming cases ------------------------------------------------------------------------


def test_conforming_fixture_raises_no_result_of_any_severity() -> None:
    graph, positions = read_fixtures(FIXTURES, "valid.ttl")
    report = validate(graph, data_shapes(), ontology(), positions)
    assert report.conforms
    assert [(r.severity, str(r.focus_node), str(r.source_shape)) for r in report.results] == []


@pytest.mark.parametrize("kind", ["data", "ontology"])
def test_every_shape_is_exercised_by_the_conforming_fixture(kind: str) -> None:
    shapes = data_shapes() if kind == "data" else ontology_shapes()
    graph, _ = read_fixtures(FIXTURES if kind == "data" else FIXTURES / "ontology", "valid.ttl")
    data = graph + ontology() if kind == "data" else graph
    selected = focus_nodes(shapes, data)
    node_shapes, property_shapes = shapes_of(shapes)
    assert {shape for shape in node_shapes if not selected.get(shape)} == set(), "node shapes without a focus node"
    unexercised = set()
    for shape in property_shapes:
        parents = set(shapes.subjects(SH.property, shape))
        path = shapes.value(shape, SH.path)
        assert path is not None
        if not any(path_has_value(shapes, data, path, focus) for parent in parents for focus in selected.get(parent, ())):
            unexercised.add(shape)
    assert unexercised == set(), "property shapes whose path has no value in valid.ttl"


def test_conforming_ontology_fixture_raises_no_result_of_any_severity() -> None:
    graph, positions = read_fixtures(FIXTURES / "ontology", "valid.ttl")
    report = validate(graph, ontology_shapes(), Graph(), positions)
    assert [(r.severity, str(r.focus_node), str(r.source_shape)) for r in report.results] == []
    assert report.unmatched_shapes == ()


# -- the non-conforming cases --------------------------------------------------------------------


@pytest.mark.parametrize("case", DATA_CASES)
def test_non_conforming_case_reports_exactly_the_expected_results(case: str) -> None:
    graph, positions = read_fixtures(FIXTURES, "valid.ttl", case)
    report = validate(graph, data_shapes(), ontology(), positions)
    assert actual_results(report) == expected_results(FIXTURES / case)
    assert report.conforms == (not any(r.severity == "Violation" for r in report.results))


@pytest.mark.parametrize("case", ONTOLOGY_CASES)
def test_non_conforming_ontology_case_reports_exactly_the_expected_results(case: str) -> None:
    graph, positions = read_fixtures(FIXTURES / "ontology", "valid.ttl", case)
    report = validate(graph, ontology_shapes(), Graph(), positions)
    assert actual_results(report) == expected_results(FIXTURES / "ontology" / case)


@pytest.mark.parametrize(("shapes_file", "folder"), [(DATA_SHAPES, FIXTURES), (ONTOLOGY_SHAPES, FIXTURES / "ontology")])
def test_every_shape_has_a_non_conforming_case(shapes_file: Path, folder: Path) -> None:
    shapes = load_shapes(shapes_file)
    expected_shapes = {shape for path in folder.glob("*.ttl") if path.name != "valid.ttl" for _, _, _, shape, _ in expected_results(path)}
    node_shapes, property_shapes = shapes_of(shapes)
    assert (node_shapes | property_shapes) - covered_shapes(shapes, expected_shapes) == set()


def test_every_shape_and_property_shape_has_its_own_iri_and_a_message() -> None:
    for shapes in (data_shapes(), ontology_shapes()):
        for parent, property_shape in shapes.subject_objects(SH.property):
            assert isinstance(property_shape, URIRef), f"anonymous property shape in {parent}"
        node_shapes, property_shapes = shapes_of(shapes)
        for shape in node_shapes | property_shapes:
            messages = list(shapes.objects(shape, SH.message)) + [m for c in shapes.objects(shape, SH.sparql) for m in shapes.objects(c, SH.message)]
            own_constraints = {p for p in shapes.predicates(shape, None)} - {RDF.type, SH.property, SH.targetClass, SH.targetNode,
                                                                            SH.targetSubjectsOf, SH.targetObjectsOf, SH.severity,
                                                                            URIRef("http://www.w3.org/2000/01/rdf-schema#label"), SH.path}
            if own_constraints - {SH.message}:
                assert messages, f"{shape} has constraints but no sh:message"


# -- the tiny project (verbatim curated rows) and the ontology -------------------------------------


def test_the_tiny_project_has_no_violation_and_every_result_names_the_line_of_its_record(built_tiny: Release) -> None:
    """Read from the session's tiny release (its validation.ttl), not validated again."""
    assert built_tiny.manifest["validation"]["conforms"] is True
    results = results_from_graph(Graph().parse(built_tiny.path / "validation.ttl", format="turtle"))
    assert {r.severity for r in results} == {"Warning", "Info"}  # the tiny README promises both, and no Violation
    assert [str(r.focus_node) for r in results if r.position is None] == []
    data_files = {f"data/{path.name}": len(path.read_text(encoding="utf-8").splitlines()) for path in (TINY / "data").iterdir()}
    for result in results:
        assert result.position is not None
        if result.position.path.startswith("data/"):
            assert 1 < result.position.line <= data_files[result.position.path], result.where
    # participation_actions.csv:14 is Ukraine's undated signature of the Rescue Agreement
    assert ("Warning", "https://w3id.org/spacekg/id/participation/UKR-arra-signature", SKGSH + "DatedAct-date",
            "data/participation_actions.csv:14") in {(r.severity, str(r.focus_node), str(r.source_shape), r.where) for r in results}


def test_the_ontology_has_no_violation() -> None:
    report = ontology_report()
    assert [(r.where, str(r.focus_node), str(r.source_shape)) for r in report.results if r.severity == "Violation"] == []
    assert all(r.position is not None and r.position.path == "ontology/spacekg.ttl" for r in report.results)


def shape_targets(shapes: Graph) -> tuple[set[Node], set[Node]]:
    """The classes the shapes target and the predicates their paths name (through inverse and alternative paths)."""
    paths: set[Node] = set()
    for path in shapes.objects(None, SH.path):
        if isinstance(path, URIRef):
            paths.add(path)
        elif isinstance(path, BNode):
            paths.update(p for p in (shapes.value(path, SH.inversePath),) if isinstance(p, URIRef))
            alternatives = shapes.value(path, SH.alternativePath)
            if alternatives is not None:
                paths.update(p for p in shapes.items(alternatives) if isinstance(p, URIRef))
    return set(shapes.objects(None, SH.targetClass)), paths


def unchecked_terms(asserted: Graph, ontology: Graph, shapes: Graph) -> tuple[set[Node], set[Node]]:
    """Classes of the asserted graph no shape targets (nor a superclass of them), and predicates no shape path names."""
    targeted, paths = shape_targets(shapes)
    schema = asserted + ontology
    classes = set(asserted.objects(None, RDF.type))
    untargeted = {c for c in classes if not any(t in targeted for t in schema.transitive_objects(c, RDFS.subClassOf))}
    return untargeted, set(asserted.predicates()) - paths


def test_every_class_and_property_the_mapper_wrote_is_checked_by_a_shape(tmp_path: Path) -> None:
    _, asserted, _ = assemble(tiny_settings(tmp_path))
    classes, predicates = set(asserted.graph.objects(None, RDF.type)), set(asserted.graph.predicates())
    assert len(classes) > 10 and len(predicates) > 30  # the tiny project has every record kind
    assert unchecked_terms(asserted.graph, ontology(), data_shapes()) == (set(), set())


def test_a_class_or_property_no_shape_checks_is_found() -> None:
    graph = Graph()
    graph.add((URIRef("https://w3id.org/spacekg/id/x/1"), RDF.type, URIRef("https://example.org/Unshaped")))
    graph.add((URIRef("https://w3id.org/spacekg/id/x/1"), URIRef("https://example.org/unshaped"), URIRef("https://w3id.org/spacekg/id/x/2")))
    assert unchecked_terms(graph, ontology(), data_shapes()) == ({URIRef("https://example.org/Unshaped")}, {URIRef("https://example.org/unshaped")})
