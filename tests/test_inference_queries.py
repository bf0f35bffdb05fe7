"""The canned queries of queries/inference-*.rq: one per kind of work the reasoner does.

Each query is run twice on the tiny release (`tiny_store`): on the endpoint's default graph (the union of the named
graphs, so with the inferred graph) and on the asserted and ontology graphs alone, as a client gets with
`default-graph-uri`. The answers must differ in the way each query's description says. Expected answers
are facts of tests/resources/tiny/data, checked there, or are computed from those files at test time.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple, Protocol

import pyoxigraph as ox
import pytest

from conftest import PROJECT, TINY
from spacekg.queries import CannedQuery
from spacekg.store.querying import run_canned, run_query, solutions_as_rows

QUERIES = PROJECT / "queries"
INFERENCE_QUERY_FILES = sorted(QUERIES.glob("inference-*.rq"))
ID = "https://w3id.org/spacekg/id/"
GRAPH = "https://w3id.org/spacekg/graph/"
SKG = "https://w3id.org/spacekg/ontology#"
# what curators wrote, and the axioms the queries read (chains, disjointness, labels of properties)
ASSERTED_ONLY = [GRAPH + "asserted", GRAPH + "ontology"]
GROUP_CONCAT = re.compile(r'GROUP_CONCAT\(DISTINCT [^;]+; separator="([^"]+)"\) AS \?(\w+)')

Row = dict[str, str | None]


class Answers(NamedTuple):
    inferred: list[Row]
    asserted: list[Row]


class Ask(Protocol):
    def __call__(self, name: str, params: Mapping[str, str] | None = None) -> Answers: ...


def tiny_rows(name: str) -> list[dict[str, str]]:
    """The rows of one file of the tiny project's data/."""
    with open(TINY / "data" / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def rows_of(result: ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean) -> list[Row]:
    """SELECT results as rows mapping variable names to lexical values (None where unbound)."""
    assert isinstance(result, ox.QuerySolutions)
    names, rows = solutions_as_rows(result)
    return [{n: (None if row[n] is None else row[n].value) for n in names} for row in rows]


def both_ways(store: ox.Store, canned: CannedQuery, params: Mapping[str, str] | None = None) -> Answers:
    """The query's rows with inference (union default graph) and on the asserted graph alone."""
    bindings = {p.name: p.default for p in canned.parameters} | dict(params or {})
    return Answers(rows_of(run_canned(store, canned, params)),
                   rows_of(run_query(store, canned.text, bindings, default_graphs=ASSERTED_ONLY)))


def state(code: str) -> str:
    return f"{ID}state/{code}"


def instrument(slug: str) -> str:
    return f"{ID}instrument/{slug}"


def column(rows: list[Row], name: str) -> set[str | None]:
    return {row[name] for row in rows}


@pytest.fixture(scope="module")
def ask(tiny_store: ox.Store, catalogue: dict[str, CannedQuery]) -> Ask:
    """Run a canned query of the catalogue, by name, with and without inference (each answer computed once per module)."""
    answers: dict[tuple[str, tuple[tuple[str, str], ...]], Answers] = {}

    def run(name: str, params: Mapping[str, str] | None = None) -> Answers:
        key = (name, tuple(sorted((params or {}).items())))
        if key not in answers:
            answers[key] = both_ways(tiny_store, catalogue[name], params)
        return answers[key]

    return run


# Every inference query


def test_there_is_an_inference_query_for_each_kind_of_reasoning_the_ontology_uses(catalogue: dict[str, CannedQuery]) -> None:
    assert {name for name in catalogue if name.startswith("inference-")} == {
        "inference-class-hierarchy-events", "inference-inverse-adopted-instruments", "inference-sub-property-parties",
        "inference-property-chain-acts", "inference-transitive-builds-on", "inference-disjoint-classes",
    }


@pytest.mark.parametrize("path", INFERENCE_QUERY_FILES, ids=[p.stem for p in INFERENCE_QUERY_FILES])
def test_every_inference_query_answers_differently_without_the_inferred_graph(path: Path, ask: Ask) -> None:
    answers = ask(path.stem)
    assert answers.inferred, f"{path.name} returned no row with inference"
    assert answers.inferred != answers.asserted


@pytest.mark.parametrize("path", INFERENCE_QUERY_FILES, ids=[p.stem for p in INFERENCE_QUERY_FILES])
def test_every_inference_query_says_what_it_answers_with_inference_and_on_the_asserted_graph_alone(
        path: Path, catalogue: dict[str, CannedQuery]) -> None:
    description = catalogue[path.stem].description
    assert "with inference" in description.lower()
    assert "asserted graph alone" in description


@pytest.fixture(scope="module")
def doubled_store(tiny_store: ox.Store) -> ox.Store:
    """The release with every asserted triple repeated in the inferred graph."""
    store = ox.Store()
    store.extend(tiny_store.quads_for_pattern(None, None, None, None))
    asserted, inferred = ox.NamedNode(GRAPH + "asserted"), ox.NamedNode(GRAPH + "inferred")
    store.extend(ox.Quad(q.subject, q.predicate, q.object, inferred) for q in tiny_store.quads_for_pattern(None, None, None, asserted))
    return store


@pytest.mark.parametrize("path", INFERENCE_QUERY_FILES, ids=[p.stem for p in INFERENCE_QUERY_FILES])
def test_every_inference_query_gives_the_same_rows_when_the_inferred_graph_repeats_asserted_triples(
        path: Path, ask: Ask, doubled_store: ox.Store, catalogue: dict[str, CannedQuery]) -> None:
    # a triple stored in two graphs matches twice in the union default graph; no query may count it twice
    canned = catalogue[path.stem]
    # GROUP_CONCAT joins values in no set order, so compare those columns as sets
    concatenated = {column: separator for separator, column in GROUP_CONCAT.findall(canned.text)}

    def normalised(rows: list[Row]) -> list[Row]:
        return [{n: (" ".join(sorted(v.split(concatenated[n]))) if v is not None and n in concatenated else v)
                 for n, v in row.items()} for row in rows]

    assert normalised(rows_of(run_canned(doubled_store, canned))) == normalised(ask(path.stem).inferred)


# Class hierarchy


def test_every_chronology_event_is_an_event_only_through_the_class_hierarchy(ask: Ask) -> None:
    answers = ask("inference-class-hierarchy-events")
    assert sorted(row["event"] or "" for row in answers.inferred) == sorted(f"{ID}event/{row['id']}" for row in tiny_rows("events.csv"))
    solwind = [row for row in answers.inferred if row["event"] == f"{ID}event/E044"]  # a destructive ASAT test
    assert [row["date"] for row in solwind] == ["1985-09-13"]
    starts = [row["start"] or "" for row in answers.inferred]
    assert starts == sorted(starts)
    assert answers.asserted == []


# Inverse properties


def test_resolution_2222_adopts_the_outer_space_treaty_only_through_the_inverse_of_adopted_by(ask: Ask, tiny_store: ox.Store) -> None:
    answers = ask("inference-inverse-adopted-instruments")
    adopted = {(row["symbol"], row["instrument"]) for row in answers.inferred}
    assert ("A/RES/2222 (XXI)", instrument("ost")) in adopted and ("A/RES/34/68", instrument("moon")) in adopted
    # exactly the instruments whose row names the resolution that adopted them
    assert adopted == {(row["adopted_by"], instrument(row["id"])) for row in tiny_rows("instruments.csv") if row["adopted_by"]}
    assert answers.asserted == []
    # the curators wrote the same fact from the instrument's side
    written = run_query(tiny_store, f"ASK {{ <{instrument('ost')}> skg:adoptedBy <{instrument('a-res-2222-xxi')}> }}",
                        default_graphs=ASSERTED_ONLY)
    assert isinstance(written, ox.QueryBoolean) and bool(written)


# Sub-properties


def test_australia_is_party_to_the_moon_agreement_only_through_the_sub_properties_of_party_to(ask: Ask) -> None:
    answers = ask("inference-sub-property-parties", {"instrument": instrument("moon")})
    australia = [row for row in answers.inferred if row["actor"] == state("AUS")]
    assert len(australia) == 1
    assert set((australia[0]["via"] or "").split(", ")) == {"acceded to", "listed as party to"}
    # tiny: France only signed it, the United States did not; Saudi Arabia acceded and later withdrew: "party to" is a record
    # of consent that says nothing about withdrawal (the status rule's skg:currentStatus does, see test_treaty_status)
    assert column(answers.inferred, "actor") == {state("AUS"), state("SAU")}
    assert answers.asserted == []


def test_the_united_states_and_russia_are_parties_to_the_outer_space_treaty_by_default(ask: Ask) -> None:
    answers = ask("inference-sub-property-parties")
    assert column(answers.inferred, "instrument") == {instrument("ost")}
    # tiny: every state with a ratification or a party listing of the OST; Turkmenistan, listed without status, is not one
    assert column(answers.inferred, "actor") == {state(code) for code in ("AFG", "AUS", "FRA", "GBR", "KAZ", "RUS", "UKR", "USA")}
    assert answers.asserted == []


# Property chains


def test_australia_acceded_ratified_and_signed_only_through_property_chains(ask: Ask) -> None:
    answers = ask("inference-property-chain-acts")  # default: Australia
    acts = {(row["instrument"], row["act"], row["chain"]) for row in answers.inferred}
    assert {
        (instrument("moon"), SKG + "acceded", "skg:accession / skg:instrument"),
        (instrument("ost"), SKG + "ratified", "skg:ratification / skg:instrument"),
        (instrument("artemis"), SKG + "signed", "skg:signature / skg:instrument"),
    } <= acts
    assert column(answers.inferred, "actor") == {state("AUS")}
    # tiny: Australia's acts and party listings, one row per instrument and act
    assert {(row["instrument"], row["act"]) for row in answers.inferred} == {
        (instrument(slug), SKG + act) for slug, act in (
            ("artemis", "signed"), ("arra", "signed"), ("arra", "ratified"), ("ost", "signed"), ("ost", "ratified"),
            ("ost", "listedAsPartyTo"), ("liab", "acceded"), ("liab", "listedAsPartyTo"), ("reg", "acceded"),
            ("reg", "listedAsPartyTo"), ("moon", "acceded"), ("moon", "listedAsPartyTo"))}
    assert len(answers.inferred) == 12
    assert SKG + "participatesIn" not in column(answers.inferred, "act")
    assert answers.asserted == []


def test_the_united_states_has_no_chain_to_the_moon_agreement(ask: Ask) -> None:
    answers = ask("inference-property-chain-acts", {"actor": state("USA")})
    instruments = column(answers.inferred, "instrument")
    assert instrument("ost") in instruments and instrument("moon") not in instruments
    assert answers.asserted == []


# Transitive properties


def test_the_moon_agreement_builds_on_the_declaration_of_legal_principles_only_through_transitivity(ask: Ask) -> None:
    answers = ask("inference-transitive-builds-on")  # default: the Moon Agreement
    recalled = {instrument(slug) for slug in ("ost", "liab", "reg", "arra")}
    via = {row["builtOn"]: row["via"] for row in answers.inferred}
    assert via == {
        **dict.fromkeys(recalled),
        instrument("decl_legal_principles"): instrument("ost"),
        instrument("a-res-1884-xviii"): instrument("ost"),
        instrument("a-res-1721-xvi"): instrument("reg"),
    }
    assert {row["builtOn"]: row["via"] for row in answers.asserted} == dict.fromkeys(recalled)


# Disjoint classes


def test_no_resource_is_in_two_disjoint_classes_with_or_without_inference(ask: Ask) -> None:
    answers = ask("inference-disjoint-classes")
    assert column(answers.inferred, "clashes") == column(answers.asserted, "clashes") == {"0"}
    # the axioms are the same both ways: only the membership of the classes changes
    classes = column(answers.inferred, "class")
    assert classes == column(answers.asserted, "class")
    assert {SKG + name for name in ("State", "Organization", "Person", "Actor", "Event", "Instrument", "Participation",
                                    "LegallyBindingInstrument", "NonBindingInstrument", "NoStatusListing")} <= classes


def test_disjointness_constrains_events_and_actors_only_once_inference_types_them(ask: Ask) -> None:
    answers = ask("inference-disjoint-classes")
    inferred = {row["class"]: row["resources"] for row in answers.inferred}
    asserted = {row["class"]: row["resources"] for row in answers.asserted}
    assert (inferred[SKG + "Event"], asserted[SKG + "Event"]) == (str(len(tiny_rows("events.csv"))), "0")
    # states, organisations and people (states are minted from the codes the rows name, so counted in the graph)
    assert inferred[SKG + "Organization"] == str(len(tiny_rows("organizations.csv")))
    assert inferred[SKG + "Person"] == str(len(tiny_rows("people.csv")))
    actors = sum(int(inferred[SKG + name] or 0) for name in ("State", "Organization", "Person"))
    assert (inferred[SKG + "Actor"], asserted[SKG + "Actor"]) == (str(actors), "0")
    # every dated act, every Artemis signature and every status listing with a status
    participations = (len(tiny_rows("participation_actions.csv")) + len(tiny_rows("artemis_signatories.csv"))
                      + sum(row["status"] != "none" for row in tiny_rows("participation_status.csv")))
    assert (inferred[SKG + "Participation"], asserted[SKG + "Participation"]) == (str(participations), "0")
    event = [row for row in answers.inferred if row["class"] == SKG + "Event"][0]
    assert "actor" in (event["disjointWith"] or "").split(", ")
