"""`spacekg stats` counts each record kind as the rows of its data file become resources, on the tiny release.

The expected counts are facts of tests/resources/tiny/data, checked there. That the counts of the curated
release equal the rows of data/ (and cover the reference data it was imported from) is checked in
test_data_acceptance.py.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from spacekg.cli import main
from spacekg.stats import release_stats
from spacekg.store.releases import Release

SKG = "https://w3id.org/spacekg/ontology#"


@pytest.fixture(scope="module")
def records(tiny_store: ox.Store) -> dict[str, int]:
    return release_stats(tiny_store).records


def test_record_counts_are_those_of_the_tiny_data(records: dict[str, int]) -> None:
    assert records == {
        # one count per record kind (spacekg.kinds.RECORD_KINDS): the rows of its file
        "citations": 97,  # citations.csv (the ISO 3166 citation every state carries has no row: it is not counted)
        "organisations": 13,  # organizations.csv
        "people": 4,  # people.csv
        "instruments": 8,  # instruments.csv
        "UN resolutions and documents": 20,  # un_documents.csv
        "cited relations between instruments": 7,  # instrument_links.csv
        "participation status listings": 25,  # participation_status.csv
        "participation acts (participation_actions.csv)": 28,  # participation_actions.csv (Artemis signatures apart)
        "Artemis Accords signatories": 5,  # artemis_signatories.csv
        "official treaty totals": 17,  # treaty_totals.csv
        "status coverage (what each status source covers)": 17,  # status_coverage.csv
        "chronology events": 11,  # events.csv
        "norms": 3,  # norms.csv
        "UN General Assembly roll calls": 6,  # un_roll_calls.csv
        "votes of states in roll calls": 52,  # un_votes.csv
        "Wikidata items of states and instruments": 11,  # wikidata_links.csv
        # the breakdowns
        "states": 14,  # the codes the rows name: 10 actors, CHN and IND in events, ITA (country of the Bellagio centre), SUN in un_votes.csv
        "participation statuses (status listings with a status)": 22,  # participation_status.csv: 25 rows, 3 of them 'none'
        "status listings recording no status ('none')": 3,  # Turkmenistan for the OST, the Liability and Registration Conventions
        "participation acts with a date": 24,  # of the 28 acts and 5 Artemis signatures, 8 acts and 1 signature (France) are undated
    }


def test_counts_follow_subclasses_without_the_inferred_graph(tiny_store: ox.Store) -> None:
    # the asserted, ontology and meta (which file minted what) graphs alone: the counts follow rdfs:subClassOf in the
    # ontology, not the reasoner's output
    store = ox.Store()
    for graph in ("asserted", "ontology", "meta"):
        named = ox.NamedNode(f"https://w3id.org/spacekg/graph/{graph}")
        store.extend(tiny_store.quads_for_pattern(None, None, None, named))
    assert release_stats(store).records == release_stats(tiny_store).records


def test_stats_command_prints_counts_per_graph_and_record_kind(built_tiny: Release, tiny_store: ox.Store,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--releases", str(built_tiny.path.parent), "stats", "--format", "json"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["release"] == built_tiny.release_id
    assert printed["graphs"] == built_tiny.manifest["graphs"]
    assert printed["records"] == release_stats(tiny_store).records
    assert printed["records"]["chronology events"] == 11
    assert printed["classes"][SKG + "DestructiveASATTest"] == 5
    assert printed["classes"][SKG + "Workshop"] == 1
