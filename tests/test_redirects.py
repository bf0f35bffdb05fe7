"""Stable IRIs: correcting a value keeps an IRI, and an IRI that has been published keeps answering.

The build refuses to publish a release after which an IRI of the previous one would answer 404; a row
of data/redirects.csv retires it, with its successor (301, `owl:sameAs` in the meta graph) or none
(410). The tiny data retires one IRI already: the dated act IRI of the old keys.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from conftest import app_settings, line_of
from spacekg.errors import SourceDataErrors
from spacekg.pipeline import build
from spacekg.settings import Settings
from spacekg.store.releases import Release, current_release
from spacekg.web import create_app

ID = "https://w3id.org/spacekg/id/"
OWL_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
META = ox.NamedNode("https://w3id.org/spacekg/graph/meta")


@contextmanager
def served(release: Release) -> Iterator[FlaskClient]:
    application = create_app(app_settings(release))
    try:
        yield application.test_client()
    finally:
        application.config["SPACEKG_FOLLOWER"].served.runner.close()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the tiny data has {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_redirect(data: Path, old: str, new: str) -> None:
    with open(data / "redirects.csv", "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow([old, new, "corrected in a test"])


def test_a_dated_iri_of_the_old_keys_answers_301_to_its_successor(client: FlaskClient) -> None:
    moved = client.get("/id/participation/FRA-moon-signature-1980-01-29")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/id/participation/FRA-moon-signature")
    document = client.get("/doc/participation/FRA-moon-signature-1980-01-29.ttl")
    assert document.status_code == 301 and document.headers["Location"].endswith("/doc/participation/FRA-moon-signature.ttl")
    assert client.get(moved.headers["Location"]).status_code == 303


def test_correcting_a_date_keeps_the_iri(published_project: Settings) -> None:
    data = published_project.data
    edit(data / "participation_actions.csv", "AUS,Australia,moon,accession,1986-07-07", "AUS,Australia,moon,accession,1986-07-08")
    release = build(published_project)
    with served(release) as client:
        assert client.get("/id/participation/AUS-moon-accession").status_code == 303
        assert "1986-07-08" in client.get("/doc/participation/AUS-moon-accession").get_data(as_text=True)


def test_an_iri_that_changes_is_refused_until_redirected_then_answers_301(published_project: Settings) -> None:
    data = published_project.data
    before = current_release(published_project.releases)
    # a curator finds that the source's act was a deposit, not a signature: the act's IRI names the act, so it changes
    edit(data / "participation_actions.csv", "USA,United States of America,liab,signature,1972-03-29", "USA,United States of America,liab,deposit,1972-03-29")
    with pytest.raises(SourceDataErrors) as refused:
        build(published_project)
    message = str(refused.value)
    line = line_of(data / "participation_actions.csv", "USA,United States of America,liab,deposit")
    assert f"{ID}participation/USA-liab-signature was published in release {before.release_id}" in message
    assert f"data/participation_actions.csv:{line}, now mints {ID}participation/USA-liab-deposit" in message
    assert "data/redirects.csv" in message
    assert current_release(published_project.releases).path == before.path  # the last good release stays

    add_redirect(data, "participation/USA-liab-signature", "participation/USA-liab-deposit")
    release = build(published_project)
    store = release.open_store()
    old, new = ox.NamedNode(f"{ID}participation/USA-liab-signature"), ox.NamedNode(f"{ID}participation/USA-liab-deposit")
    assert list(store.quads_for_pattern(old, OWL_SAME_AS, None, META)) == [ox.Quad(old, OWL_SAME_AS, new, META)]
    with served(release) as client:
        moved = client.get("/id/participation/USA-liab-signature")
        assert moved.status_code == 301 and moved.headers["Location"].endswith("/id/participation/USA-liab-deposit")
        assert client.get("/doc/participation/USA-liab-signature").headers["Location"].endswith("/doc/participation/USA-liab-deposit")


def test_a_chain_of_redirects_answers_with_its_last_successor(published_project: Settings) -> None:
    data = published_project.data
    edit(data / "participation_actions.csv", "FRA,France,moon,signature,1980-01-29", "FRA,France,moon,deposit,1980-01-29")
    add_redirect(data, "participation/FRA-moon-signature", "participation/FRA-moon-deposit")
    with served(build(published_project)) as client:
        # the dated IRI of the old keys pointed at FRA-moon-signature, which is retired in turn
        chained = client.get("/id/participation/FRA-moon-signature-1980-01-29")
        assert chained.status_code == 301 and chained.headers["Location"].endswith("/id/participation/FRA-moon-deposit")


def test_a_deleted_record_is_retired_as_gone_and_answers_410(published_project: Settings) -> None:
    data = published_project.data
    row = next(line for line in (data / "participation_actions.csv").read_text(encoding="utf-8").splitlines(keepends=True)
               if line.startswith("GBR,United Kingdom of Great Britain and Northern Ireland,liab,signature"))
    edit(data / "participation_actions.csv", row, "")
    with pytest.raises(SourceDataErrors) as refused:
        build(published_project)
    assert f"{ID}participation/GBR-liab-signature was published" in str(refused.value)
    add_redirect(data, "participation/GBR-liab-signature", "")
    with served(build(published_project)) as client:
        gone = client.get("/id/participation/GBR-liab-signature")
        assert gone.status_code == 410 and "retired" in gone.get_data(as_text=True)


@pytest.mark.parametrize(("row", "message"), [
    (("participation/AUS-moon-signature", "participation/NOPE-moon-accession"), "is not minted by any record"),
    (("participation/AUS-moon-accession", "participation/FRA-moon-signature"), "mints it again"),
    (("participation/X-moon-a", "participation/X-moon-b"), "loop"),
])
def test_a_wrong_redirect_row_is_refused_at_its_line(published_project: Settings, row: tuple[str, str], message: str) -> None:
    data = published_project.data
    add_redirect(data, *row)
    if message == "loop":
        add_redirect(data, "participation/X-moon-b", "participation/X-moon-a")
    with pytest.raises(SourceDataErrors) as refused:
        build(published_project)
    line = next(n for n, text in enumerate((data / "redirects.csv").read_text(encoding="utf-8").splitlines(), start=1)
                if text.startswith(row[0] + ","))
    assert f"data/redirects.csv:{line}" in str(refused.value) and message in str(refused.value)
