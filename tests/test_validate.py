"""The validate stage's entry function: pure, mapped back to file:line, base-aware, and diffable across releases."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import rdflib
import rdflib.term
from rdflib import Graph, Literal, URIRef

from spacekg.checks import ontology_check
from spacekg.errors import DataDoesNotConform, ShapesNotEvaluable, SourceDataErrors, SourcePosition
from spacekg.namespaces import SH, SKG, XSD
from spacekg.pipeline import load_ontology
from spacekg.settings import Settings
from spacekg.validate import (
    ValidationReport,
    diff,
    ensure_conforms,
    load_shapes,
    report_graph,
    results_from_graph,
    turtle_positions,
    validate,
)

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "tests" / "fixtures" / "shapes"
SHAPES = PROJECT / "shapes" / "spacekg-shapes.ttl"
SKGSH = "https://w3id.org/spacekg/shapes#"
ID = "https://w3id.org/spacekg/id/"


@cache
def ontology() -> Graph:
    return load_ontology(PROJECT / "ontology")


@cache
def shapes() -> Graph:
    return load_shapes(SHAPES)


def fixture(*names: str) -> tuple[Graph, dict[URIRef, SourcePosition]]:
    graph, positions = Graph(), {}
    for name in names:
        text = (FIXTURES / name).read_text(encoding="utf-8")
        graph.parse(data=text, format="turtle")
        for subject, position in turtle_positions(text, name).items():
            positions.setdefault(subject, position)
    return graph, positions


@cache
def norms_report() -> ValidationReport:
    graph, positions = fixture("valid.ttl", "norms.ttl")
    return validate(graph, shapes(), ontology(), positions)


def test_validation_does_not_change_its_inputs() -> None:
    graph, positions = fixture("valid.ttl", "records.ttl")
    inputs = (graph, shapes(), ontology())
    copies = [Graph() + g for g in inputs]
    frozen = dict(positions)
    validate(*inputs, positions)
    # the same triples, blank nodes and all (each copy shares its graph's terms): stricter than isomorphism, and 14 s faster
    assert all(set(before) == set(after) for before, after in zip(copies, inputs, strict=True))
    assert positions == frozen


def test_validation_leaves_rdflib_literal_handling_as_it_found_it() -> None:
    boolean = rdflib.term._toPythonMapping.get(XSD.boolean)
    graph, positions = fixture("valid.ttl")
    for setting in (False, True):  # pySHACL sets it to True when done, whatever it was before
        rdflib.NORMALIZE_LITERALS = setting
        try:
            validate(graph, shapes(), ontology(), positions)
            assert rdflib.NORMALIZE_LITERALS is setting
            assert rdflib.term._toPythonMapping.get(XSD.boolean) is boolean
        finally:
            rdflib.NORMALIZE_LITERALS = True


def test_a_result_names_the_label_of_its_focus_node_and_its_file_and_line() -> None:
    [result] = [r for r in norms_report().results if r.source_shape == URIRef(SKGSH + "Norm-codifiedIn")]
    assert result.focus_label == "Codified in an organisation"
    assert result.position == SourcePosition("norms.ttl", 40)
    assert result.value == URIRef(ID + "org/stimson")
    assert "codified in instruments or UN documents" in result.message


def test_a_node_without_a_record_of_its_own_is_placed_at_the_record_it_belongs_to() -> None:
    graph, positions = fixture("valid.ttl", "norms.ttl")
    assessment = URIRef(ID + "norm/a5/assessment")
    without_assessments = {s: p for s, p in positions.items() if not str(s).endswith("/assessment")}
    report = validate(graph, shapes(), ontology(), without_assessments)
    [result] = [r for r in report.results if r.focus_node == assessment]
    assert result.position == positions[URIRef(ID + "norm/a5")]


def test_a_source_cited_by_records_is_not_placed_at_the_records_that_cite_it() -> None:
    graph, positions = fixture("valid.ttl")
    citation = URIRef(ID + "citation/iso-3166")
    graph.add((citation, SKG.place, Literal("Geneva", lang="fr")))
    report = validate(graph, shapes(), ontology(), {s: p for s, p in positions.items() if s != citation})
    [result] = report.results
    assert result.focus_node == citation and result.position is None and result.where == "(no source line)"


def test_shapes_follow_the_base_iri_of_a_deployment() -> None:
    graph, positions = fixture("valid.ttl")
    base = "https://example.org/kg/"

    def rebase(term: rdflib.term.Node) -> rdflib.term.Node:
        return URIRef(base + str(term)[len("https://w3id.org/spacekg/"):]) if str(term).startswith(ID) else term

    moved = Graph()
    for s, p, o in graph:
        moved.add((rebase(s), p, rebase(o)))
    moved_positions = {rebase(s): p for s, p in positions.items()}
    assert validate(moved, shapes(), ontology(), moved_positions, base_iri=base).results == ()
    canonical = validate(moved, shapes(), ontology(), moved_positions)
    assert {str(r.source_shape) for r in canonical.results} >= {SKGSH + "StateIRIShape", SKGSH + "EventIRIShape"}


def test_shapes_that_do_not_parse_are_a_source_data_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<a> sh:path ", encoding="utf-8")
    with pytest.raises(SourceDataErrors) as raised:
        load_shapes(broken)
    assert raised.value.exit_code == 2 and "broken.ttl" in str(raised.value)


def test_shapes_the_engine_cannot_evaluate_are_reported_as_such() -> None:
    broken = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:x:S> a sh:NodeShape ; sh:targetNode <urn:x:a> ;
            sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } }" ] .""", format="turtle")
    with pytest.raises(ShapesNotEvaluable, match="VALUES") as raised:
        validate(Graph(), broken, Graph(), {})
    assert raised.value.exit_code == 2


def test_a_report_with_a_violation_stops_the_build_with_exit_code_one() -> None:
    with pytest.raises(DataDoesNotConform) as raised:
        ensure_conforms(norms_report())
    assert raised.value.exit_code == 1
    assert "norms.ttl:" in str(raised.value)
    graph, positions = fixture("valid.ttl")
    assert ensure_conforms(validate(graph, shapes(), ontology(), positions)).conforms


def test_warnings_and_infos_do_not_stop_a_release() -> None:
    graph, positions = fixture("valid.ttl", "counts.ttl")
    undated_only = {s for s in graph.subjects() if str(s).endswith("/count/undated")}
    keep = Graph()
    for s, p, o in graph:
        if not str(s).startswith(ID + "count/") or s in undated_only:
            keep.add((s, p, o))
    report = validate(keep, shapes(), ontology(), positions)
    assert [r.severity for r in report.results] == ["Warning"] and report.conforms


def test_shapes_that_select_no_focus_node_are_listed() -> None:
    graph, positions = fixture("valid.ttl")
    withdrawal = URIRef(ID + "participation/USA-ost-withdrawal-2001-12-13")
    without = Graph()
    for triple in graph:
        if triple[0] != withdrawal:
            without.add(triple)
    report = validate(without, shapes(), ontology(), positions)
    assert set(report.unmatched_shapes) == {URIRef(SKGSH + name) for name in
                                            ("WithdrawalShape", "WithdrawalAfterParticipationShape", "WithdrawalEndsParticipationShape")}


def test_the_report_graph_is_a_standard_shacl_report_annotated_with_source_lines() -> None:
    graph = report_graph(norms_report())
    [root] = graph.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert graph.value(root, SH.conforms) == Literal(False)
    results = list(graph.objects(root, SH.result))
    assert len(results) == len(norms_report().results)
    for node in results:
        assert graph.value(node, SKG.sourceFile) == Literal("norms.ttl")
        assert graph.value(node, SKG.sourceLine).datatype == XSD.integer  # type: ignore[union-attr]
        for predicate in (SH.focusNode, SH.resultSeverity, SH.sourceShape, SH.sourceConstraintComponent, SH.resultMessage):
            assert graph.value(node, predicate) is not None
    inverse = [n for n in results if graph.value(n, SH.sourceShape) == URIRef(SKGSH + "Norm-assessment")]
    assert graph.value(graph.value(inverse[0], SH.resultPath), SH.inversePath) == SKG.assessedNorm
    read_back = {(r.key, r.severity, r.where) for r in results_from_graph(graph)}
    assert read_back == {(r.key, r.severity, r.where) for r in norms_report().results}


def test_diff_names_the_results_that_are_new_and_those_that_were_fixed() -> None:
    graph, positions = fixture("valid.ttl", "norms.ttl")
    previous = report_graph(norms_report())
    fixed = URIRef(ID + "norm/no-label")
    graph.add((fixed, rdflib.RDFS.label, Literal("Now labelled", lang="en")))
    graph.add((URIRef(ID + "norm/a7"), SKG.proposedBy, URIRef(ID + "citation/krepon-2010")))
    shifted = {s: SourcePosition(p.path, p.line + 100) for s, p in positions.items()}  # moved lines are not changes
    current = report_graph(validate(graph, shapes(), ontology(), shifted))
    changes = diff(previous, current)
    assert [(str(r.focus_node), str(r.source_shape)) for r in changes.new] == [(ID + "norm/a7", SKGSH + "Norm-proposedBy")]
    assert [(str(r.focus_node), str(r.source_shape)) for r in changes.fixed] == [(str(fixed), SKGSH + "Norm-label")]
    assert changes.unchanged == len(norms_report().results) - 1 and changes.changed


def test_diff_of_a_report_with_itself_is_empty() -> None:
    graph = report_graph(norms_report())
    changes = diff(graph, graph)
    assert (changes.new, changes.fixed, changes.changed) == ((), (), False)


def test_the_ontology_report_is_made_once_per_content_and_again_after_an_edit(tiny_project: Settings) -> None:
    first = ontology_check(tiny_project, load_ontology(tiny_project.ontology))
    again = ontology_check(tiny_project, load_ontology(tiny_project.ontology))
    assert again.results == first.results and again.seconds == 0.0  # the kept report (the first may be one too: same content)
    norm = URIRef(str(SKG.Norm))
    assert not [r for r in first.results if r.focus_node == norm]
    path = tiny_project.ontology / "spacekg.ttl"
    text = path.read_text(encoding="utf-8")
    comment = '    rdfs:label "norm"@en ;\n    rdfs:comment "A behavioural norm'
    assert comment in text
    path.write_text(text.replace(comment, '    rdfs:label "norm"@en ;\n    skos:editorialNote "A behavioural norm'), encoding="utf-8")
    edited = ontology_check(tiny_project, load_ontology(tiny_project.ontology))
    assert [str(r.source_shape).rsplit("#", 1)[1] for r in edited.results if r.focus_node == norm] == ["TermCommentedShape"]
