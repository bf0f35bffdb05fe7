"""The canned queries of queries/*.rq, run against the tiny release (`tiny_store`).

Every expected answer below is a fact of tests/resources/tiny/data (a verbatim subset of data/), checked
there, or is computed from those files at test time. The queries read asserted triples only (the inferred
graph may be empty), so these tests also hold once the reasoner fills it. That every canned query also
returns rows on the curated data is checked in test_data_acceptance.py.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import PROJECT, TINY, Ask, Row, table
from spacekg.queries import CannedQuery
from spacekg.store.querying import run_canned, solutions_as_rows

QUERIES = PROJECT / "queries"
ID = "https://w3id.org/spacekg/id/"
GRAPH = "https://w3id.org/spacekg/graph/"
SKG = "https://w3id.org/spacekg/ontology#"
QUERY_FILES = sorted(QUERIES.glob("*.rq"))
GROUP_CONCAT = re.compile(r'GROUP_CONCAT\(DISTINCT [^;]+; separator="([^"]+)"\) AS \?(\w+)')
UN_SPACE_TREATIES = ("ost", "arra", "liab", "reg", "moon")

def tiny_rows(name: str) -> list[dict[str, str]]:
    """The rows of one file of the tiny project's data/."""
    with open(TINY / "data" / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def cells(text: str) -> list[str]:
    """The values of a multi-valued cell (separated by semicolons)."""
    return [part.strip() for part in text.split(";") if part.strip()]


def earliest_day(date: str) -> str:
    """The first day a partial date can mean: "2021" -> "2021-01-01", "2008-11" -> "2008-11-01"."""
    return date + "-01-01"[len(date) - 4:]


def state(code: str) -> str:
    return f"{ID}state/{code}"


def instrument(slug: str) -> str:
    return f"{ID}instrument/{slug}"


def event(number: str) -> str:
    return f"{ID}event/{number}"


def org(slug: str) -> str:
    return f"{ID}org/{slug}"


def only(rows: list[Row], **where: str) -> list[Row]:
    return [row for row in rows if all(row[key] == value for key, value in where.items())]


# Every query of the catalogue


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_every_canned_query_has_a_title_and_description_declares_its_prefixes_runs_and_returns_rows(
        path: Path, ask: Ask, catalogue: dict[str, CannedQuery]) -> None:
    canned = catalogue[path.stem]
    assert canned.title and canned.description
    # the file declares its own prefixes, so it parses in any SPARQL tool (no predeclared prefixes here)
    parsed = ox.Store().query(canned.text)
    assert isinstance(parsed, ox.QuerySolutions)
    projected = {v.value for v in parsed.variables}
    assert {p.name for p in canned.parameters} <= projected, "Oxigraph substitutes only projected variables"
    assert ask(path.stem), f"{path.name} returned no row on the tiny release"


@pytest.fixture(scope="module")
def doubled_store(tiny_store: ox.Store) -> ox.Store:
    """The release with every asserted triple repeated in the inferred graph, as a reasoner writing its closure would."""
    store = ox.Store()
    store.extend(tiny_store.quads_for_pattern(None, None, None, None))
    asserted, inferred = ox.NamedNode(f"{GRAPH}asserted"), ox.NamedNode(f"{GRAPH}inferred")
    repeated = tiny_store.quads_for_pattern(None, None, None, asserted)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, inferred) for q in repeated)
    return store


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_every_canned_query_gives_the_same_rows_when_the_inferred_graph_repeats_asserted_triples(
        path: Path, ask: Ask, doubled_store: ox.Store, catalogue: dict[str, CannedQuery]) -> None:
    # the default graph is the union of the named graphs, where a triple stored twice matches twice
    doubled = table(doubled_store, catalogue[path.stem])
    # GROUP_CONCAT joins values in no set order, so compare those columns as sets
    concatenated = {column: separator for separator, column in GROUP_CONCAT.findall(catalogue[path.stem].text)}

    def normalised(table: list[Row]) -> list[Row]:
        return [{n: (" ".join(sorted(v.split(concatenated[n]))) if v is not None and n in concatenated else v)
                 for n, v in row.items()} for row in table]

    assert normalised(doubled) == normalised(ask(path.stem))


def test_the_catalogue_holds_the_agreed_queries(catalogue: dict[str, CannedQuery]) -> None:
    assert {
        "treaty-parties-and-signatories", "ost-parties-not-moon", "state-treaty-status", "chronology",
        "asat-tests-and-resolutions", "norms", "tcbm-resolutions", "bellagio-workshop", "seed-bibliography",
        "artemis-signatories", "counts-vs-official-totals", "uncertain-facts",
    } <= set(catalogue)


# Parties and signatories of the UN space treaties


def test_australia_is_party_to_the_moon_agreement_but_the_united_states_is_not(ask: Ask) -> None:
    moon = only(ask("treaty-parties-and-signatories"), treaty=instrument("moon"))
    assert only(moon, actor=state("AUS"))[0]["status"] == "party"
    assert only(moon, actor=state("AUS"))[0]["asOf"] == "1986-07-07"  # the accession decides (the UNTC listing is undated)
    assert not only(moon, actor=state("USA"))


def test_a_state_that_only_signed_the_moon_agreement_is_a_signatory_not_a_party(ask: Ask) -> None:
    # tiny: the UN Treaty Collection lists Australia as party (it acceded) and France as signatory (it signed in 1980);
    # Saudi Arabia acceded and has withdrawn
    moon = only(ask("treaty-parties-and-signatories"), treaty=instrument("moon"))
    assert {row["actor"] for row in only(moon, status="party")} == {state("AUS")}
    assert [(row["actor"], row["asOf"]) for row in only(moon, status="signatory")] == [(state("FRA"), "1980-01-29")]
    assert [(row["actor"], row["asOf"]) for row in only(moon, status="withdrawn")] == [(state("SAU"), "2024-01-05")]


def test_the_outer_space_treaty_entered_into_force_on_10_october_1967(ask: Ask) -> None:
    assert only(ask("instruments"), instrument=instrument("ost"))[0]["entryIntoForce"] == "1967-10-10"


def test_the_treaty_list_covers_exactly_the_five_un_space_treaties(ask: Ask) -> None:
    # the tiny data also has participations in the Artemis Accords, which are not a UN space treaty
    treaties = {row["treaty"] for row in ask("treaty-parties-and-signatories")}
    assert treaties == {instrument(t) for t in UN_SPACE_TREATIES}


def test_a_state_listed_without_status_is_neither_party_nor_signatory(ask: Ask) -> None:
    # the 2026 UNOOSA status lists Turkmenistan with no status for the OST: an absence, not a participation
    assert not only(ask("treaty-parties-and-signatories"), treaty=instrument("ost"), actor=state("TKM"))
    status = ask("state-treaty-status", {"state": state("TKM")})
    assert only(status, instrument=instrument("ost"))[0]["status"] == "not a party"


def test_an_intergovernmental_organisation_is_listed_as_declaring_acceptance_not_as_party(ask: Ask) -> None:
    reg = only(ask("treaty-parties-and-signatories"), treaty=instrument("reg"), actor=org("esa"))
    assert [row["status"] for row in reg] == ["declared acceptance"]


def test_the_united_states_is_party_to_the_outer_space_treaty_but_not_to_the_moon_agreement(ask: Ask) -> None:
    rows = ask("ost-parties-not-moon")
    states = {row["state"] for row in rows}
    assert state("USA") in states and state("RUS") in states
    assert state("AUS") not in states  # party to both
    assert state("TKM") not in states  # listed without status: not a party
    assert only(rows, state=state("FRA"))[0]["moonStatusLabel"] == "signatory"
    assert only(rows, state=state("USA"))[0]["moonStatusLabel"] == "not a party"
    # by default the OST side is the 2026 document's: Afghanistan, party by the US and Dutch tables only, is left out
    assert state("AFG") not in states
    assert state("AFG") in {row["state"] for row in ask("ost-parties-not-moon", {"source": "any"})}


# Treaty status of one state


def test_australia_is_party_to_the_five_un_space_treaties_and_signed_the_artemis_accords(ask: Ask) -> None:
    rows = ask("state-treaty-status")  # default: Australia
    assert {row["state"] for row in rows} == {state("AUS")}
    status = {row["instrument"]: row["status"] for row in rows}
    assert {status[instrument(t)] for t in UN_SPACE_TREATIES} == {"party"}
    assert status[instrument("artemis")] == "signatory"
    assert only(rows, instrument=instrument("artemis"))[0]["firstDate"] == "2020-10-13"


def test_the_status_of_the_united_states_says_not_a_party_to_the_moon_agreement_from_the_complete_table(ask: Ask) -> None:
    rows = ask("state-treaty-status", {"state": state("USA")})
    status = {row["instrument"]: row["status"] for row in rows}
    assert status[instrument("ost")] == "party"
    assert status[instrument("moon")] == "not a party"  # no record: the UN depositary's complete table does not list it
    assert only(rows, instrument=instrument("moon"))[0]["records"] is None
    assert len(rows) == len(status), "one row per instrument"


def test_the_status_of_afghanistan_flags_its_contested_ratification_date(ask: Ask) -> None:
    rows = ask("state-treaty-status", {"state": state("AFG")})
    ost = only(rows, instrument=instrument("ost"))[0]
    assert ost["status"] == "party" and ost["uncertain"] == "true"


# Chronology


def test_the_chronology_between_2007_and_2008_has_the_two_destructive_asat_tests_with_sources(ask: Ask) -> None:
    rows = ask("chronology", {"from": "2007-01-01", "to": "2008-12-31", "type": SKG + "ASATTest"})
    assert [row["event"] for row in rows] == [event("E065"), event("E071")]
    assert [row["date"] for row in rows] == ["2007-01-11", "2008-02-21"]
    assert {row["eventType"] for row in rows} == {SKG + "DestructiveASATTest"}
    assert all(row["sources"] for row in rows)


def test_the_chronology_bounds_are_inclusive(ask: Ask) -> None:
    rows = ask("chronology", {"from": "2007-01-11", "to": "2007-01-11"})
    assert [row["event"] for row in rows] == [event("E065")]


def test_the_chronology_of_meetings_includes_the_bellagio_workshop_through_the_subclass_axioms(ask: Ask) -> None:
    rows = ask("chronology", {"type": SKG + "Meeting"})
    assert only(rows, event=event("E072"))[0]["eventType"] == SKG + "Workshop"
    assert not only(rows, event=event("E065"))


def test_the_default_chronology_lists_every_event_once_oldest_first(ask: Ask) -> None:
    rows = ask("chronology")
    assert rows[0]["event"] == event("E001") and rows[0]["date"] == "1955-05-26"
    events = [row["event"] for row in rows]
    assert sorted(events) == sorted(event(row["id"]) for row in tiny_rows("events.csv"))
    assert [earliest_day(row["date"] or "") for row in rows] == sorted(earliest_day(row["date"]) for row in tiny_rows("events.csv"))
    # E094 is dated only "2021": it sorts by its earliest possible day, 2021-01-01, so before E095 (2021-11-15);
    # by its latest possible day it would come after
    assert events.index(event("E094")) < events.index(event("E095"))


def test_the_chronology_lists_an_event_once_under_its_most_specific_type_when_superclasses_are_inferred(
        catalogue: dict[str, CannedQuery]) -> None:
    store = ox.Store()
    store.load(path=str(PROJECT / "ontology" / "spacekg.ttl"), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode(f"{GRAPH}ontology"))
    workshop, rdf_type = ox.NamedNode(event("E999")), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for graph, cls in (("asserted", "Workshop"), ("inferred", "Meeting"), ("inferred", "Event"), ("inferred", "Workshop")):
        store.add(ox.Quad(workshop, rdf_type, ox.NamedNode(SKG + cls), ox.NamedNode(f"{GRAPH}{graph}")))
    store.add(ox.Quad(workshop, ox.NamedNode(SKG + "earliestDate"), ox.Literal("2008-11-11", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#date")), ox.NamedNode(f"{GRAPH}asserted")))
    result = run_canned(store, catalogue["chronology"])
    assert isinstance(result, ox.QuerySolutions)
    _, rows = solutions_as_rows(result)
    assert [(row["event"], row["eventType"]) for row in rows] == [(workshop, ox.NamedNode(SKG + "Workshop"))]


# Destructive ASAT tests and the resolutions that followed


def test_the_five_destructive_asat_tests_are_listed_in_order(ask: Ask) -> None:
    tests: dict[str, str | None] = {}
    for row in ask("asat-tests-and-resolutions"):
        assert row["test"] is not None
        tests.setdefault(row["test"], row["testDate"])
    assert tests == {
        event("E044"): "1985-09-13",  # US ASM-135 destroys Solwind P78-1
        event("E065"): "2007-01-11",  # China destroys Fengyun-1C
        event("E071"): "2008-02-21",  # Operation Burnt Frost
        event("E090"): "2019-03-27",  # India, Mission Shakti
        event("E095"): "2021-11-15",  # Russia destroys Kosmos 1408
    }
    assert list(tests) == sorted(tests, key=lambda iri: tests[iri] or "")


def test_resolution_77_41_follows_the_2021_russian_test(ask: Ask) -> None:
    rows = only(ask("asat-tests-and-resolutions"), symbol="A/RES/77/41")
    assert [(row["test"], row["adoption"], row["adoptionDate"]) for row in rows] == [(event("E095"), event("E101"), "2022-12-07")]
    assert rows[0]["certainlyAfter"] == "true"


def test_each_resolution_follows_only_the_latest_test_before_it(ask: Ask) -> None:
    rows = ask("asat-tests-and-resolutions")
    # A/RES/62/43 (E068, December 2007) comes after the 1985 and the January 2007 tests: it follows the latter only
    assert [row["test"] for row in only(rows, symbol="A/RES/62/43")] == [event("E065")]
    assert [row["test"] for row in only(rows, symbol="A/RES/77/41")] == [event("E095")]
    # nothing adopted between Burnt Frost (2008) and the Indian test, nor between that and the Russian test of November 2021
    assert [row["adoption"] for row in only(rows, test=event("E071"))] == [None]
    assert [row["adoption"] for row in only(rows, test=event("E090"))] == [None]


def test_a_resolution_dated_only_to_a_year_follows_the_test_of_that_year_but_not_certainly(ask: Ask) -> None:
    rows = only(ask("asat-tests-and-resolutions"), symbol="A/RES/76/231")
    assert [(row["test"], row["adoptionDate"], row["certainlyAfter"]) for row in rows] == [(event("E095"), "2021", "false")]


# Norms


def test_the_norm_against_destructive_asat_tests_is_emerging_and_codified_in_resolution_77_41(ask: Ask) -> None:
    rows = only(ask("norms"), norm=f"{ID}norm/no-destructive-da-asat-tests")
    assert {(row["status"], row["codifiedIn"], row["symbol"]) for row in rows} == {
        ("emerging", instrument("a-res-77-41"), "A/RES/77/41")}
    assert rows[0]["proposedBy"] == "United States"


def test_the_norm_against_weapons_of_mass_destruction_in_orbit_is_codified_in_the_outer_space_treaty(ask: Ask) -> None:
    rows = only(ask("norms"), norm=f"{ID}norm/no-wmd-in-orbit")
    assert {row["status"] for row in rows} == {"existing"}
    assert {row["codifiedIn"] for row in rows} == {instrument("ost"), instrument("moon"), instrument("a-res-1884-xviii")}


def test_every_norm_is_listed_with_a_known_status_even_without_a_codifying_instrument(ask: Ask) -> None:
    rows = ask("norms")
    norms = tiny_rows("norms.csv")
    assert {row["norm"] for row in rows} == {f"{ID}norm/{norm['id']}" for norm in norms}
    assert {row["status"] for row in rows} == {"existing", "emerging", "proposed"}
    assert only(rows, norm=f"{ID}norm/rpo-transparency")[0]["codifiedIn"] is None


# TCBM resolutions


def test_the_tcbm_resolutions_are_listed_oldest_first(ask: Ask) -> None:
    rows = ask("tcbm-resolutions")
    symbols = [row["symbol"] for row in rows]
    assert symbols == ["A/RES/45/55 B", "A/RES/62/43", "A/DEC/66/517", "A/RES/69/38"]
    # every resolution and decision of the tiny data whose topics include TCBM, and no other document
    expected = {doc["symbol"] for doc in tiny_rows("un_documents.csv") if "TCBM" in cells(doc["topics"]) and doc["kind"] in ("resolution", "decision")}
    assert set(symbols) == expected
    dates = [row["adopted"] or "" for row in rows]
    assert dates == sorted(dates)
    assert only(rows, symbol="A/RES/62/43")[0]["contested"] == "true"  # the seed article dates it 2008
    assert only(rows, symbol="A/RES/69/38")[0]["contested"] == "false"
    assert only(rows, symbol="A/DEC/66/517")[0]["kind"] == SKG + "Decision"


def test_the_topic_parameter_selects_other_resolutions(ask: Ask) -> None:
    symbols = {row["symbol"] for row in ask("tcbm-resolutions", {"topic": "PAROS"})}
    assert "A/RES/38/70" in symbols and "A/RES/62/43" not in symbols


# The Bellagio workshop


def test_the_bellagio_workshop_was_convened_by_stimson_funded_by_three_foundations_and_partnered_by_two(ask: Ask) -> None:
    rows = ask("bellagio-workshop")
    roles: dict[str, set[str | None]] = {}
    for row in rows:
        assert row["role"] is not None
        roles.setdefault(row["role"], set()).add(row["actor"])
    assert roles == {
        "convener": {org("stimson-space-security-project")},
        "funder": {org("macarthur"), org("ploughshares-fund"), org("new-land-foundation")},
        "partner": {org("swf"), org("oef")},
        "venue": {org("rockefeller-bellagio")},
    }
    labels = {row["actorLabel"] for row in rows}
    assert {"Secure World Foundation", "One Earth Future Foundation", "Ploughshares Fund", "New-Land Foundation"} <= labels


# The seed article's bibliography


def test_the_campbell_article_is_in_the_bibliography_with_its_doi(ask: Ask) -> None:
    rows = ask("seed-bibliography")
    campbell = only(rows, work=f"{ID}citation/campbell-1991-dangerous-military-activities")[0]
    assert campbell["doi"] == "10.1080/09636419109347459"
    assert campbell["doiLink"] == "https://doi.org/10.1080/09636419109347459"
    assert campbell["year"] == "1991"


def test_the_bibliography_lists_works_with_a_doi_first(ask: Ask) -> None:
    rows = ask("seed-bibliography")
    # Milik (a DOI) comes before Meyer (none), though Meyer sorts first by author
    assert [row["work"] for row in rows] == [f"{ID}citation/{key}" for key in (
        "campbell-1991-dangerous-military-activities", "milik-2016-transfer-of-weapons", "meyer-2016-space-security-diplomacy")]
    cited = [work for work in tiny_rows("citations.csv") if "seed-space-diplomacy-article" in cells(work["cited_by"])]
    assert {row["work"] for row in rows} == {f"{ID}citation/{work['key']}" for work in cited}
    assert {row["doi"] for row in rows if row["doi"]} == {work["doi"] for work in cited if work["doi"]}


# Artemis Accords


def test_the_original_artemis_signatories_of_13_october_2020_come_first(ask: Ask) -> None:
    rows = ask("artemis-signatories")
    originals = [row for row in tiny_rows("artemis_signatories.csv") if row["order_from"] == "1"]  # AUS, GBR and USA in the tiny data
    first = rows[:len(originals)]
    assert {row["state"] for row in first} == {state(row["state"]) for row in originals} == {state(c) for c in ("AUS", "GBR", "USA")}
    assert {(row["date"], row["orderFrom"], row["orderTo"]) for row in first} == {("2020-10-13", "1", "8")}
    assert rows[len(originals)]["state"] == state("UKR") and rows[len(originals)]["orderFrom"] == "9"


def test_artemis_signatories_follow_the_signing_order_with_unknown_positions_last(ask: Ask) -> None:
    rows = ask("artemis-signatories")
    assert sorted(row["state"] or "" for row in rows) == sorted(state(row["state"]) for row in tiny_rows("artemis_signatories.csv"))
    positions = [int(row["orderFrom"]) for row in rows if row["orderFrom"] is not None]
    assert positions == sorted(positions)
    known = [row["orderFrom"] is not None for row in rows]
    assert known == sorted(known, reverse=True)
    assert rows[-1]["state"] == state("FRA") and rows[-1]["orderFrom"] is None  # a member whose signing date no source gives


# Our counts beside the official totals


def test_the_2026_official_total_of_77_registration_convention_parties_stands_beside_our_count(ask: Ask) -> None:
    rows = only(ask("counts-vs-official-totals"), instrument=instrument("reg"),
                source=f"{ID}citation/a-ac-105-c-2-2026-crp-9-rev-1")
    assert len(rows) == 1
    row = rows[0]
    assert row["asOf"] == "2026-01-01" and row["officialParties"] == "77"
    assert row["ourParties"] is not None and row["sameSourceParties"] is not None
    assert 0 < int(row["sameSourceParties"]) <= int(row["ourParties"])


def test_same_source_counts_count_only_the_listings_of_the_counts_own_source(ask: Ask) -> None:
    # tiny: the UN Treaty Collection lists Australia as party and France as signatory of the Moon Agreement;
    # the other sources of Moon Agreement counts list no state at all in the tiny data
    untc = f"{ID}citation/un-chapter-20xxiv-xxiv-2-en-xml"
    moon = only(ask("counts-vs-official-totals"), instrument=instrument("moon"))
    # (and Saudi Arabia's accession: the query counts records of consent, so a state that later withdrew counts too)
    assert [(r["officialParties"], r["sameSourceParties"], r["sameSourceSignatoriesOnly"]) for r in only(moon, source=untc)] == [("18", "2", "1")]
    others = [row for row in moon if row["source"] != untc]
    assert others and {(row["sameSourceParties"], row["sameSourceSignatoriesOnly"]) for row in others} == {("0", "0")}
    assert {(row["ourParties"], row["ourSignatoriesOnly"]) for row in moon} == {("2", "1")}


def test_instruments_without_participation_records_count_as_zero_not_as_missing_rows(ask: Ask) -> None:
    rows = only(ask("counts-vs-official-totals"), instrument=instrument("hcoc"))
    assert len(rows) == 4
    assert {row["officialParties"] for row in rows} == {"93", "96", "102", "138"}
    assert {(row["ourParties"], row["ourSignatoriesOnly"], row["ourDeclarations"]) for row in rows} == {("0", "0", "0")}


# Uncertain facts


def test_the_uncertain_facts_include_the_contested_afghan_ratification_of_the_outer_space_treaty(ask: Ask) -> None:
    rows = ask("uncertain-facts")
    facts = {row["fact"]: row for row in rows}
    # the Dutch table's row (the second record of this act, so its IRI has a source suffix) is the contested one
    contested = [row for fact, row in facts.items() if fact.startswith(f"{ID}participation/AFG-ost-ratification-")]
    assert len(contested) == 1 and contested[0]["contested"] == "true"
    assert contested[0]["note"] is not None and "1988-03-21" in contested[0]["note"]
    # the other source's record of the same ratification carries no doubt of its own
    assert f"{ID}participation/AFG-ost-ratification" not in facts


def test_every_uncertain_fact_is_contested_or_of_medium_or_low_confidence(ask: Ask) -> None:
    rows = ask("uncertain-facts")
    assert len({row["fact"] for row in rows}) == len(rows)
    assert all(row["contested"] == "true" or row["confidence"] in {"medium", "low"} for row in rows)
    assert only(rows, fact=f"{ID}count/reg-wikipedia-wiki-registration-convention")[0]["confidence"] == "low"
    # a record the curators did not doubt is not listed
    assert f"{ID}participation/AUS-moon-accession" not in {row["fact"] for row in rows}


# Extras


def test_the_instruments_list_gives_the_outer_space_treaty_its_adopting_resolution_and_depositaries(ask: Ask) -> None:
    ost = only(ask("instruments"), instrument=instrument("ost"))[0]
    assert ost["adoptedBy"] == "A/RES/2222 (XXI)" and ost["openedForSignature"] == "1967-01-27"
    assert ost["depositaries"] is not None and "United States" in ost["depositaries"]


def test_the_class_counts_include_five_destructive_asat_tests_and_one_workshop(ask: Ask) -> None:
    counts = {row["class"]: row["resources"] for row in ask("class-counts")}
    types = [row["type"] for row in tiny_rows("events.csv")]
    assert counts[SKG + "DestructiveASATTest"] == str(types.count("destructive-asat-test")) == "5"
    assert counts[SKG + "Workshop"] == str(types.count("workshop")) == "1"
