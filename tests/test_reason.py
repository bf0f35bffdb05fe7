"""Reasoning: the OWL 2 RL facts each axiom kind adds, the clashes it catches, and why each fact holds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_isomorphic

from conftest import tiny_settings
from spacekg.errors import SourcePosition, UsageError
from spacekg.namespaces import OWL, RDF, SKG
from spacekg.pipeline import assemble
from spacekg.rdf import AssertedGraph
from spacekg.reason import InconsistencyError, NotInferredError, Reasoning, UnsupportedAxiomError, explain, reason
from spacekg.reason.engines import entail
from spacekg.reason.explain import Explanation
from spacekg.reason.facts import new_facts, vocabulary_terms

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "tests" / "fixtures" / "reason"
ONTO = "https://example.org/ontology#"
ID = "https://example.org/id/"
ENTITY = "https://w3id.org/spacekg/id/"


@dataclass(frozen=True)
class Case:
    """One fixture folder: ontology.ttl, data.ttl and (for consistent cases) expected.ttl, the exact new facts."""

    name: str
    ontology: Graph
    data: Graph
    expected: Graph | None
    positions: dict[URIRef, SourcePosition]

    def reason(self, engine: str = "rules") -> Reasoning:
        return reason(self.ontology, self.data, engine, self.positions, f"tests/fixtures/reason/{self.name}/ontology.ttl")


def load_case(name: str) -> Case:
    folder = FIXTURES / name
    data_path = folder / "data.ttl"
    data = Graph().parse(data_path)
    lines = data_path.read_text(encoding="utf-8").splitlines()
    positions = {}
    for subject in {s for s in data.subjects() if isinstance(s, URIRef)}:
        written = f"id:{subject[len(ID):]} "
        number = next(n for n, line in enumerate(lines, start=1) if line.startswith(written))
        positions[subject] = SourcePosition(f"tests/fixtures/reason/{name}/data.ttl", number)
    expected = Graph().parse(folder / "expected.ttl") if (folder / "expected.ttl").exists() else None
    return Case(name, Graph().parse(folder / "ontology.ttl"), data, expected, positions)


def onto(name: str) -> URIRef:
    return URIRef(ONTO + name)


def entity(name: str) -> URIRef:
    return URIRef(ID + name)


def assert_infers_exactly_the_expected_facts(name: str) -> Reasoning:
    case = load_case(name)
    reasoning = case.reason()
    assert case.expected is not None
    assert reasoning.triples == set(case.expected)
    assert set(reasoning.inferred) == set(case.expected)
    assert reasoning.unexplained == set()
    return reasoning


# -- one fixture per axiom kind -----------------------------------------------------------------------

def test_subclass_axioms_make_an_instance_a_member_of_every_superclass() -> None:
    reasoning = assert_infers_exactly_the_expected_facts("subclass")
    why = explain((entity("E001"), RDF.type, onto("Event")), reasoning)
    assert [why.rule, why.premises[1].rule, why.premises[1].premises[1].rule] == ["cax-sco", "cax-sco", None]


def test_inverse_axioms_state_each_link_in_reverse_whichever_side_is_asserted() -> None:
    reasoning = assert_infers_exactly_the_expected_facts("inverse")
    assert explain((entity("AUS"), onto("ratification"), entity("AUS-moon-ratification")), reasoning).rule == "prp-inv1"
    assert explain((entity("FRA-moon-ratification"), onto("ratifiedBy"), entity("FRA")), reasoning).rule == "prp-inv2"


def test_sub_property_axioms_lift_a_statement_to_every_super_property() -> None:
    assert_infers_exactly_the_expected_facts("sub-property")


def test_a_property_chain_links_actor_to_instrument_through_the_participation() -> None:
    reasoning = assert_infers_exactly_the_expected_facts("property-chain")
    why = explain((entity("AUS"), onto("ratified"), entity("moon")), reasoning)
    assert why.rule == "prp-spo2"
    assert why.premises[0].statement() == f"<{ONTO}ratified> owl:propertyChainAxiom ( <{ONTO}ratification> <{ONTO}instrument> )"
    assert [premise.rule for premise in why.premises] == [None, "prp-inv1", None]


def test_a_transitive_property_links_every_instrument_to_all_it_builds_on() -> None:
    assert_infers_exactly_the_expected_facts("transitive")


def test_domain_and_range_type_the_subject_and_an_iri_value_but_never_a_literal() -> None:
    assert_infers_exactly_the_expected_facts("domain-range")


def test_equivalent_classes_and_properties_share_instances_and_statements_both_ways() -> None:
    assert_infers_exactly_the_expected_facts("equivalence")


def test_a_symmetric_property_holds_in_reverse() -> None:
    assert_infers_exactly_the_expected_facts("symmetric")


def test_same_as_carries_statements_over_to_every_equal_iri() -> None:
    assert_infers_exactly_the_expected_facts("same-as")


def test_a_functional_property_with_one_value_written_twice_is_no_clash() -> None:
    assert_infers_exactly_the_expected_facts("functional-property-agrees")


def clash_message(name: str) -> InconsistencyError:
    with pytest.raises(InconsistencyError) as caught:
        load_case(name).reason()
    assert caught.value.exit_code == 1 and caught.value.http_status == 500
    return caught.value


def test_an_instance_of_two_disjoint_classes_is_a_clash_naming_the_lines_behind_it() -> None:
    error = clash_message("disjoint-classes-clash")
    [clash] = error.clashes
    assert clash.rule == "cax-dw"
    assert [leaf.source for leaf in clash.offending[0].asserted_leaves()] == [
        SourcePosition("tests/fixtures/reason/disjoint-classes-clash/ontology.ttl", 0),
        SourcePosition("tests/fixtures/reason/disjoint-classes-clash/data.ttl", 4)]
    message = str(error)
    assert f"<{ID}ppwt> a <{ONTO}NonBindingInstrument>    [asserted: tests/fixtures/reason/disjoint-classes-clash/data.ttl:4]" in message
    assert f"<{ID}ppwt> a <{ONTO}LegallyBindingInstrument>    [cax-sco: subclass]" in message
    assert f"<{ID}ost>" not in message


def test_an_instance_of_two_classes_an_all_disjoint_axiom_lists_is_a_clash() -> None:
    error = clash_message("all-disjoint-classes-clash")
    [clash] = error.clashes
    assert clash.rule == "cax-adc"
    assert clash.axiom is not None and clash.axiom.statement().endswith(f"( <{ONTO}State> <{ONTO}Organization> <{ONTO}Person> )")
    assert f"<{ID}E072> <{ONTO}venue> <{ID}CHE>    [asserted: tests/fixtures/reason/all-disjoint-classes-clash/data.ttl:4]" in str(error)


def test_two_different_values_of_a_functional_property_are_a_clash() -> None:
    error = clash_message("functional-property-clash")
    assert [(clash.rule, len(clash.offending)) for clash in error.clashes] == [("prp-fp", 2), ("prp-fp", 2)]
    offending = {explanation.triple for clash in error.clashes for explanation in clash.offending}
    assert offending == {(entity("AUS-moon-ratification"), onto("instrument"), entity("moon")),
                         (entity("AUS-moon-ratification"), onto("instrument"), entity("ost")),
                         (entity("E044"), onto("earliestDate"), Literal("2007-01-11", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))),
                         (entity("E044"), onto("earliestDate"), Literal("2007-01-12", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")))}
    assert "FRA-ost-ratification" not in str(error)
    assert "functional-property-clash/data.ttl:4]" in str(error)


def test_a_member_of_owl_nothing_is_a_clash() -> None:
    error = clash_message("nothing-member-clash")
    [clash] = error.clashes
    assert clash.rule == "cls-nothing2"
    assert clash.offending[0].rule == "cax-sco"
    assert "nothing-member-clash/data.ttl:3]" in str(error)


@pytest.mark.parametrize("name", sorted(folder.name for folder in FIXTURES.iterdir()))
def test_owlrl_and_the_rule_engine_infer_the_same_facts_from_each_fixture(name: str) -> None:
    case = load_case(name)
    vocabulary = vocabulary_terms(case.ontology)
    by_owlrl = new_facts(entail(case.ontology, case.data, "owlrl"), (case.ontology, case.data), vocabulary)
    by_rules = new_facts(entail(case.ontology, case.data, "rules"), (case.ontology, case.data), vocabulary)
    assert by_rules == by_owlrl
    if case.expected is not None:
        assert case.reason("owlrl").triples == set(case.expected)


# -- the engine's contract ------------------------------------------------------------------------------

def test_reasoning_leaves_its_input_graphs_unchanged() -> None:
    case = load_case("property-chain")
    before = to_isomorphic(case.ontology), to_isomorphic(case.data)
    case.reason("owlrl")
    case.reason("rules")
    assert (to_isomorphic(case.ontology), to_isomorphic(case.data)) == before


def test_a_statement_written_apart_from_its_subject_record_is_cited_where_it_was_written() -> None:
    case = load_case("transitive")
    link = (entity("moon"), onto("buildsOn"), entity("ost"))
    reasoning = reason(case.ontology, case.data, positions=case.positions, statement_positions={link: SourcePosition("data/instrument_links.csv", 4)})
    why = explain((entity("moon"), onto("buildsOn"), entity("declaration")), reasoning)
    assert [leaf.source for leaf in why.asserted_leaves()] == [
        SourcePosition("ontology/spacekg.ttl", 0), SourcePosition("data/instrument_links.csv", 4),
        SourcePosition("tests/fixtures/reason/transitive/data.ttl", 4)]


def test_an_unknown_engine_is_a_usage_error() -> None:
    case = load_case("subclass")
    with pytest.raises(UsageError, match="unknown reasoning engine 'pellet'"):
        reason(case.ontology, case.data, "pellet")


def test_an_owl_construct_without_a_rule_stops_reasoning_rather_than_go_unexplained() -> None:
    ontology = Graph().parse(data=f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
        <{ONTO}StateParty> owl:equivalentClass [ owl:onProperty <{ONTO}partyTo> ; owl:someValuesFrom <{ONTO}Treaty> ] .""")
    with pytest.raises(UnsupportedAxiomError, match="owl#someValuesFrom"):
        reason(ontology, Graph())


# -- the tiny project (a verbatim subset of the curated rows, tests/resources/tiny) -------------------------

@pytest.fixture(scope="module")
def tiny_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, AssertedGraph]:
    ontology, asserted, _ = assemble(tiny_settings(tmp_path_factory.mktemp("tiny-reason-releases")))
    return ontology, asserted


@pytest.fixture(scope="module")
def tiny(tiny_inputs: tuple[Graph, AssertedGraph]) -> Reasoning:
    """One reasoning run over the tiny project, shared by this module's tests."""
    ontology, asserted = tiny_inputs
    return reason(ontology, asserted.graph, positions=asserted.positions)


def iri(path: str) -> URIRef:
    return URIRef(ENTITY + path)


def test_the_tiny_data_reasons_without_a_clash_and_every_rule_family_explains_some_fact(tiny: Reasoning) -> None:
    assert tiny.unexplained == set()
    rules = {tiny.derivations.derived[triple].rule for triple in tiny.triples}
    assert rules >= {"cax-sco", "prp-inv1", "prp-inv2", "prp-spo1", "prp-spo2", "prp-trp", "prp-dom", "prp-rng"}


def test_states_are_party_to_the_instruments_they_joined(tiny: Reasoning) -> None:
    # tests/resources/tiny/data/participation_actions.csv:2: AUS acceded to the Moon Agreement on 1986-07-07
    assert (iri("state/AUS"), SKG.partyTo, iri("instrument/moon")) in tiny.inferred
    assert (iri("instrument/moon"), SKG.hasParty, iri("state/AUS")) in tiny.inferred


def test_builds_on_is_transitive_in_the_tiny_data(tiny: Reasoning) -> None:
    # instrument_links.csv: moon builds on ost, ost builds on decl_legal_principles; moon -> decl_legal_principles is not written
    assert (iri("instrument/moon"), SKG.buildsOn, iri("instrument/decl_legal_principles")) in tiny.inferred
    assert explain((iri("instrument/moon"), SKG.buildsOn, iri("instrument/decl_legal_principles")), tiny).rule == "prp-trp"


def test_a_destructive_asat_test_is_an_event(tiny: Reasoning) -> None:
    assert (iri("event/E044"), RDF.type, SKG.Event) in tiny.inferred
    assert (iri("event/E044"), RDF.type, SKG.ASATTest) in tiny.inferred


def test_the_inferred_graph_holds_only_new_facts_about_the_world(tiny: Reasoning, tiny_inputs: tuple[Graph, AssertedGraph]) -> None:
    ontology, asserted = tiny_inputs
    terms = vocabulary_terms(ontology)
    assert tiny.triples
    for s, p, o in tiny.inferred:
        assert (s, p, o) not in asserted.graph and (s, p, o) not in ontology
        assert isinstance(s, URIRef) and s.startswith(ENTITY) and s not in terms
        assert not (p == OWL.sameAs and s == o)
        assert not (p == RDF.type and str(o).startswith(("http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#")))


def test_a_party_to_fact_is_explained_through_the_chain_down_to_participation_records(tiny: Reasoning) -> None:
    why = explain((iri("state/AUS"), SKG.partyTo, iri("instrument/moon")), tiny)
    rules = []
    node: Explanation | None = why
    while node is not None:
        rules.append(node.rule)
        node = next((premise for premise in node.premises if not premise.asserted), None)
    assert "prp-spo2" in rules and rules[0] == "prp-spo1"
    leaves = why.asserted_leaves()
    data = [leaf for leaf in leaves if leaf.source and leaf.source.path.startswith("data/")]
    axioms = [leaf for leaf in leaves if leaf.source and leaf.source.path == "ontology/spacekg.ttl"]
    assert data and axioms and len(data) + len(axioms) == len(leaves)
    assert {leaf.source.path for leaf in data if leaf.source} <= {"data/participation_actions.csv", "data/participation_status.csv"}
    assert all(leaf.source.line > 1 for leaf in data if leaf.source)
    assert any(leaf.triple[1] == SKG.instrument and leaf.triple[2] == iri("instrument/moon") for leaf in data)


def test_every_derivation_rests_only_on_triples_known_in_an_earlier_round(tiny: Reasoning) -> None:
    derivations = tiny.derivations
    assert derivations.derived
    for derivation in derivations.derived.values():
        assert all(derivations.level(premise) < derivation.level for premise in derivation.premises)
        assert all(derivations.holds(premise) for premise in derivation.premises)


def test_an_explanation_is_json_for_pages_and_indented_text_for_the_terminal(tiny: Reasoning) -> None:
    why = explain((iri("state/AUS"), SKG.partyTo, iri("instrument/moon")), tiny)
    page = json.loads(json.dumps(why.to_json()))
    assert page["rule"] == "prp-spo1" and page["subject"] == {"type": "uri", "value": ENTITY + "state/AUS"}
    axiom = page["premises"][0]
    assert (axiom["asserted"], axiom["rule"], axiom["source"]) == (True, None, {"path": "ontology/spacekg.ttl", "line": None})
    text = why.to_text().splitlines()
    assert text[0] == f"<{ENTITY}state/AUS> skg:partyTo <{ENTITY}instrument/moon>    [prp-spo1: sub-property]"
    assert any(line.startswith("    ") and "[asserted: data/participation_" in line for line in text)


def test_asking_why_an_asserted_triple_holds_points_to_its_source_line(tiny: Reasoning) -> None:
    # tests/resources/tiny/data/events.csv:3 is E044, a destructive ASAT test
    with pytest.raises(NotInferredError, match=r"is asserted, not inferred: data/events\.csv:3\b") as caught:
        explain((iri("event/E044"), RDF.type, SKG.DestructiveASATTest), tiny)
    assert caught.value.http_status == 404


def test_asking_why_for_a_triple_outside_the_closure_is_an_error(tiny: Reasoning) -> None:
    # the tiny data has no participation of the USA in the Moon Agreement
    with pytest.raises(NotInferredError, match="not in the closure"):
        explain((iri("state/USA"), SKG.partyTo, iri("instrument/moon")), tiny)


def test_owlrl_infers_exactly_the_rule_engine_facts_from_the_tiny_data(tiny: Reasoning, tiny_inputs: tuple[Graph, AssertedGraph]) -> None:
    """owlrl over the whole curated data takes 20-30 s, so the two engines are compared on the tiny project (and every fixture)."""
    ontology, asserted = tiny_inputs
    by_owlrl = reason(ontology, asserted.graph, "owlrl", positions=asserted.positions)
    assert by_owlrl.engine == "owlrl" and by_owlrl.triples == tiny.triples
    assert by_owlrl.unexplained == set()
