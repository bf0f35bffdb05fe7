"""`spacekg stats` counts match the reference data the curated files were imported from."""

from __future__ import annotations

import csv
import json

import pyoxigraph as ox
import pytest

from conftest import SHARED
from spacekg.cli import main
from spacekg.stats import release_stats
from spacekg.store.releases import Release

REFERENCE = SHARED / "reference-data"


def reference_rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def records(release_store: ox.Store) -> dict[str, int]:
    return release_stats(release_store).records


def test_record_counts_are_those_the_issue_lists(records: dict[str, int]) -> None:
    assert records["instruments"] == 31
    assert records["UN resolutions and documents"] == 48
    assert records["participation statuses (status listings with a status)"] == 240
    assert records["status listings recording no status ('none')"] == 40
    assert records["participation acts with a date"] >= 76
    assert records["Artemis Accords signatories"] == 52
    assert records["chronology events"] == 107
    assert records["norms"] == 18
    assert records["citations"] >= 31
    assert records["organisations"] >= 24
    assert records["people"] == 16
    assert records["official treaty totals"] == 24


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference-data is not beside the checkout")
def test_record_counts_match_the_reference_files_row_for_row(records: dict[str, int]) -> None:
    status = reference_rows("participation")
    assert records["participation statuses (status listings with a status)"] == sum(r["status"] != "none" for r in status)
    assert records["status listings recording no status ('none')"] == sum(r["status"] == "none" for r in status)
    assert records["instruments"] == len(reference_rows("treaties"))
    assert records["UN resolutions and documents"] == len(reference_rows("resolutions"))
    assert records["chronology events"] == len(reference_rows("events"))
    assert records["Artemis Accords signatories"] == len(reference_rows("artemis_signatories"))
    assert records["official treaty totals"] == len(reference_rows("treaty_totals"))
    assert records["people"] == len(reference_rows("people"))
    # participation_actions.csv repeats the 29 Moon Agreement rows of participation_dates.csv; the
    # curated file keeps each distinct (actor, instrument, act, date, source) once.
    acts = {(r["iso3166_alpha3"] or r["state_name"], r["instrument_id"], r["date"], r["source"])
            for name in ("participation_dates", "participation_actions") for r in reference_rows(name)}
    assert records["participation acts (signature, ratification, ...)"] == len(acts) + records["Artemis Accords signatories"]


def test_every_reference_event_is_in_the_graph(release_store: ox.Store) -> None:
    if not REFERENCE.is_dir():
        pytest.skip("../shared/reference-data is not beside the checkout")
    result = release_store.query("SELECT ?e WHERE { ?e a ?c }", use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    minted = {row["e"].value for row in result}
    for row in reference_rows("events"):
        assert f"https://w3id.org/spacekg/id/event/{row['id']}" in minted


def test_stats_command_prints_counts_per_graph_and_record_kind(built_release: Release, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--releases", str(built_release.path.parent), "stats", "--format", "json"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["release"] == built_release.release_id
    assert printed["graphs"]["https://w3id.org/spacekg/graph/asserted"] > 10000
    assert printed["records"]["chronology events"] == 107
    assert printed["classes"]["https://w3id.org/spacekg/ontology#DestructiveASATTest"] == 5

