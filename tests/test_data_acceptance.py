"""Acceptance checks about the curated data in data/, on one build of it (`curated_release`).

The code tests run on the tiny project and never depend on how many rows data/ has. The checks here are
about the curated data itself: every row becomes a cited resource, every record kind counts as many
resources as its file has rows, our counts stand beside the official totals without exceeding them,
every canned query has an answer, every entity dereferences, and the data still holds every row of the
reference data it was imported from (../shared/reference-data). Each check reads its expectation from
the data at test time, so a curator adding a correct row never breaks one; a row that breaks one is wrong
(or the check's rule is, and the docstring says which rule it is).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from conftest import PROJECT, SHARED
from spacekg.kinds import RECORD_KINDS
from spacekg.queries import CannedQuery
from spacekg.stats import release_stats
from spacekg.store.querying import run_canned, run_query, solutions_as_rows
from spacekg.store.releases import Release

# One worker of a parallel run (pytest-xdist, --dist loadgroup) takes every check of the curated data: the curated
# release is then built once, not once per worker.
pytestmark = pytest.mark.xdist_group("curated")

DATA = PROJECT / "data"
REFERENCE = SHARED / "reference-data"
QUERY_FILES = sorted((PROJECT / "queries").glob("*.rq"))
BASE = "https://w3id.org/spacekg/"
ID = BASE + "id/"
ASSERTED = ox.NamedNode(BASE + "graph/asserted")
DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
HTML = "text/html"
# The RDF documents of an entity: file extension -> media type (the W3C media types, written out here on purpose).
DOCUMENTS = {"ttl": "text/turtle", "nt": "application/n-triples", "rdf": "application/rdf+xml", "jsonld": "application/ld+json",
             "trig": "application/trig", "nq": "application/n-quads"}
# Where rows name states: a state is minted from its ISO 3166 code the first time a row names it (docs/data.md, "Actors").
STATE_CELLS = {"participation_actions.csv": ("actor",), "participation_status.csv": ("actor",), "artemis_signatories.csv": ("state",),
               "events.csv": ("actors",), "norms.csv": ("proposed_by",), "instruments.csv": ("depositaries",),
               "organizations.csv": ("country", "part_of"), "people.csv": ("country",), "un_votes.csv": ("state",)}
needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference-data is not beside the checkout")

Row = dict[str, str | None]
RETIRED = "https://w3id.org/spacekg/ontology#RetiredIRI"


def data_rows(name: str) -> list[dict[str, str]]:
    """The rows of one file of data/ (a UTF-8 byte-order mark is accepted, as the build accepts it)."""
    with open(DATA / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def record_lines(path: Path) -> set[int]:
    """The line on which each record of a CSV file starts (a quoted field may hold line breaks)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        starts, previous = set(), reader.line_num
        for _ in reader:
            starts.add(previous + 1)
            previous = reader.line_num
    return starts


def reference_rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def cells(text: str | None) -> list[str]:
    """The values of a multi-valued cell (separated by semicolons)."""
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def is_state_code(value: str) -> bool:
    return len(value) == 3 and value.isalpha() and value.isupper()


def select(store: ox.Store, query: str) -> list[Row]:
    result = run_query(store, query)
    assert isinstance(result, ox.QuerySolutions)
    names, rows = solutions_as_rows(result)
    return [{n: (None if row[n] is None else row[n].value) for n in names} for row in rows]


# Every row becomes a cited resource


def test_every_row_of_every_data_file_becomes_a_resource_of_the_release(curated_release: Release) -> None:
    minted: dict[str, set[int]] = {}
    for file, line in curated_release.positions().values():
        minted.setdefault(file, set()).add(line)
    for path in sorted(DATA.glob("*.csv")):
        assert minted.get(f"data/{path.name}", set()) == record_lines(path), f"{path.name}: rows without a resource, or resources without a row"


def test_every_row_of_every_data_file_cites_a_known_source() -> None:
    citations = {row["key"] for row in data_rows("citations.csv")}
    # a citation is a source: its own provenance is its url and metadata_from columns
    # data/redirects.csv is about IRIs, not the world: its rows retire IRIs (test_redirects checks them)
    for path in sorted(set(DATA.glob("*.csv")) - {DATA / "citations.csv", DATA / "redirects.csv"}):
        rows = data_rows(path.name)
        assert rows and "sources" in rows[0], f"{path.name} has no sources column"
        uncited = [line for line, row in zip(sorted(record_lines(path)), rows, strict=True) if not cells(row["sources"])]
        unknown = {key for row in rows for key in cells(row["sources"])} - citations
        assert not uncited, f"{path.name}: rows at lines {uncited[:10]} cite no source"
        assert not unknown, f"{path.name}: unknown citation keys {sorted(unknown)[:10]}"


def test_every_resource_minted_from_a_row_carries_its_sources(curated_release: Release, curated_store: ox.Store) -> None:
    # statuses cite through their evidence; retired IRIs (data/redirects.csv) describe no fact
    uncited = [iri for iri, (file, _) in curated_release.positions().items()
               if file not in ("data/citations.csv", "data/redirects.csv") and not iri.startswith(f"{ID}status/")
               and next(iter(curated_store.quads_for_pattern(ox.NamedNode(iri), DCT_SOURCE, None, ASSERTED)), None) is None]
    assert not uncited, uncited[:10]


# Every record kind counts as many resources as its file has rows


def expected_records() -> dict[str, int]:
    """What `spacekg stats` must count, from the rows of data/: each record kind's file, then the breakdowns."""
    status, acts, artemis = data_rows("participation_status.csv"), data_rows("participation_actions.csv"), data_rows("artemis_signatories.csv")
    states = {value for name, columns in STATE_CELLS.items() for row in data_rows(name) for column in columns
              for value in cells(row[column]) if is_state_code(value)}
    return {
        **{kind.label: len(data_rows(f"{kind.file}.csv")) for kind in RECORD_KINDS},
        # states have no file: one per ISO 3166 code that some row names
        "states": len(states),
        # the status listings, apart by whether the listing records a status
        "participation statuses (status listings with a status)": sum(row["status"] != "none" for row in status),
        "status listings recording no status ('none')": sum(row["status"] == "none" for row in status),
        # an Artemis signatory is a signature, so a participation act too
        "participation acts with a date": sum(bool(row["date"]) for row in acts) + sum(bool(row["date_signed"]) for row in artemis),
    }


def test_every_record_kind_counts_as_many_resources_as_its_file_has_rows(curated_store: ox.Store) -> None:
    assert release_stats(curated_store).records == expected_records()


# Our counts beside the official totals


@pytest.fixture(scope="module")
def counts(curated_store: ox.Store, catalogue: dict[str, CannedQuery]) -> list[Row]:
    result = run_canned(curated_store, catalogue["counts-vs-official-totals"])
    assert isinstance(result, ox.QuerySolutions)
    names, rows = solutions_as_rows(result)
    return [{n: (None if row[n] is None else row[n].value) for n in names} for row in rows]


def test_every_official_total_stands_beside_our_counts_once_per_source(counts: list[Row]) -> None:
    assert len(counts) == sum(len(cells(row["sources"])) for row in data_rows("treaty_totals.csv"))
    # an instrument without participation records counts 0, not a missing value
    assert all(row[column] is not None for row in counts for column in (
        "ourParties", "sameSourceParties", "ourSignatoriesOnly", "sameSourceSignatoriesOnly", "ourDeclarations"))


def test_same_source_counts_never_exceed_our_counts_nor_a_treatys_official_totals(counts: list[Row]) -> None:
    """Our records from a count's own source are some of our records; and for a legally binding instrument the
    source's list of parties and signatories cannot hold more than its own total. (Not for the Artemis Accords or
    other non-binding instruments: their counts are of subscribers at one date, their sources also list later ones.)"""
    binding = {ID + "instrument/" + row["id"] for row in data_rows("instruments.csv") if row["legally_binding"] == "yes"}
    checked = 0
    for row in counts:
        for ours, same, official in (("ourParties", "sameSourceParties", "officialParties"),
                                     ("ourSignatoriesOnly", "sameSourceSignatoriesOnly", "officialSignatories")):
            assert int(row[same] or 0) <= int(row[ours] or 0), (row["count"], row["source"], same)
            if row["instrument"] in binding and row[official] is not None:
                assert int(row[same] or 0) <= int(row[official]), (row["count"], row["source"], same, official)
                checked += 1
    assert checked, "no official total of a legally binding instrument to compare with"


# Every canned query has an answer


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_every_canned_query_returns_rows_on_the_curated_release(path: Path, curated_store: ox.Store, catalogue: dict[str, CannedQuery]) -> None:
    result = run_canned(curated_store, catalogue[path.stem])
    assert isinstance(result, ox.QuerySolutions)
    assert next(iter(result), None) is not None, f"{path.name} returned no row on the curated release"


# Every entity dereferences


@pytest.fixture(scope="module")
def entity_paths(curated_store: ox.Store) -> list[str]:
    """Every entity of the release, as the path after {base}id/."""
    # entities only: not the parts of one named by a fragment, nor retired IRIs (they redirect; see test_redirects)
    rows = curated_store.query(f'SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}")) '
                       f'FILTER(!CONTAINS(STR(?s), "#")) FILTER NOT EXISTS {{ GRAPH ?any {{ ?s a <{RETIRED}> }} }} }}')
    assert isinstance(rows, ox.QuerySolutions)
    return sorted(row["s"].value[len(ID):] for row in rows)


def test_every_resource_minted_from_a_row_is_an_entity(curated_release: Release, entity_paths: list[str]) -> None:
    minted = {iri[len(ID):] for iri, (file, _) in curated_release.positions().items() if file != "data/redirects.csv" and "#" not in iri}
    assert minted and minted <= set(entity_paths)


def names(document: bytes, media: str, entity: ox.NamedNode) -> bool:
    """Whether an RDF document parses and has a statement about the entity (as subject or object)."""
    return any(entity in (quad.subject, quad.object) for quad in ox.parse(document, format=ox.RdfFormat.from_media_type(media)))


SAMPLE_PER_KIND = 25


def sampled(entity_paths: list[str]) -> list[str]:
    """Every entity of the kinds with at most SAMPLE_PER_KIND of them (states, instruments, resolutions, events, ...),
    and of the larger kinds (votes, participation acts, status listings: one kind of row and one shape of page each)
    that many, spread evenly over the kind's sorted IRIs: dereferencing all ~20,000 took a minute of the suite's eight, and
    60 of each kind 25 s under coverage (a state's page, the slowest, renders its treaty statuses and voting record)."""
    by_kind: dict[str, list[str]] = {}
    for path in sorted(entity_paths):
        by_kind.setdefault(path.split("/", 1)[0], []).append(path)
    return [path for paths in by_kind.values() for path in paths[::max(1, -(-len(paths) // SAMPLE_PER_KIND))]]


def test_entities_of_every_kind_in_the_curated_release_dereference_to_their_page_and_description(
        curated_client: FlaskClient, entity_paths: list[str]) -> None:
    """Each sampled entity IRI (see `sampled`) answers 303 to its document (the format rotating over entities); that document and the
    entity's HTML page exist."""
    formats = [(HTML, ""), *((media, f".{extension}") for extension, media in DOCUMENTS.items())]
    problems = []
    checked = sampled(entity_paths)
    assert any(path.startswith("vote/") for path in checked)
    for index, path in enumerate(checked):
        media, suffix = formats[index % len(formats)]
        redirect = curated_client.get(f"/id/{path}", headers={"Accept": media})
        location = redirect.headers.get("Location", "")
        if redirect.status_code != 303 or location != f"http://localhost/doc/{path}{suffix}":
            problems.append(f"/id/{path} ({media}): {redirect.status_code} {location}")
            continue
        document = curated_client.get(f"/doc/{path}{suffix}")
        if document.status_code != 200 or document.mimetype != media or not document.data:
            problems.append(f"/doc/{path}{suffix}: {document.status_code} {document.mimetype}")
        elif suffix and not names(document.data, media, ox.NamedNode(ID + path)):
            problems.append(f"/doc/{path}{suffix} does not describe the entity")
        if suffix:
            page = curated_client.get(f"/doc/{path}", headers={"Accept": HTML})
            if page.status_code != 200 or page.mimetype != HTML or "<h1>" not in page.text:
                problems.append(f"/doc/{path}: page {page.status_code} {page.mimetype}")
        elif "<h1>" not in document.text:
            problems.append(f"/doc/{path}: page without a heading")
    assert not problems, problems[:10]


# The reference data the curated files were imported from


@pytest.fixture(scope="module")
def records(curated_store: ox.Store) -> dict[str, int]:
    return release_stats(curated_store).records


@needs_reference
def test_the_release_counts_at_least_the_records_of_each_reference_file(records: dict[str, int]) -> None:
    # at least: curators add rows the reference data does not have
    status = reference_rows("participation")
    assert records["participation statuses (status listings with a status)"] >= sum(r["status"] != "none" for r in status)
    assert records["status listings recording no status ('none')"] >= sum(r["status"] == "none" for r in status)
    assert records["instruments"] >= len(reference_rows("treaties"))
    assert records["UN resolutions and documents"] >= len(reference_rows("resolutions"))
    assert records["chronology events"] >= len(reference_rows("events"))
    assert records["Artemis Accords signatories"] >= len(reference_rows("artemis_signatories"))
    assert records["official treaty totals"] >= len(reference_rows("treaty_totals"))
    assert records["people"] >= len(reference_rows("people"))
    # participation_actions.csv repeats the 29 Moon Agreement rows of participation_dates.csv; the
    # curated file keeps each distinct (actor, instrument, act, date, source) once.
    acts = {(r["iso3166_alpha3"] or r["state_name"], r["instrument_id"], r["date"], r["source"])
            for name in ("participation_dates", "participation_actions") for r in reference_rows(name)}
    assert records["participation acts (participation_actions.csv)"] >= len(acts)


@needs_reference
def test_every_reference_event_treaty_resolution_person_and_artemis_signatory_is_in_the_release(curated_store: ox.Store) -> None:
    entities = {row["s"] for row in select(curated_store, "SELECT DISTINCT ?s WHERE { ?s a ?c }")}
    for row in reference_rows("events"):
        assert f"{ID}event/{row['id']}" in entities, row["id"]
    for row in reference_rows("treaties"):
        assert f"{ID}instrument/{row['id']}" in entities, row["id"]
    for row in reference_rows("people"):
        assert f"{ID}person/{row['id']}" in entities, row["id"]
    symbols = {row["symbol"] for row in select(curated_store, "SELECT ?symbol WHERE { ?d a skg:UNDocument ; skg:unSymbol ?symbol }")}
    # curators dropped the glosses the reference data wrote after some symbols: 'GA/DIS/3238 (2002 PAROS draft)'
    assert [row["symbol"] for row in reference_rows("resolutions") if row["symbol"] not in symbols and row["symbol"].split(" (")[0] not in symbols] == []
    signatories = {row["actor"] for row in select(curated_store, f"SELECT ?actor WHERE {{ ?s a skg:Signature ; skg:signedBy ?actor ; "
                                                                 f"skg:instrument <{ID}instrument/artemis> }}")}
    assert {f"{ID}state/{row['iso3166_alpha3']}" for row in reference_rows("artemis_signatories")} <= signatories


@needs_reference
def test_every_reference_status_listing_is_a_listing_of_the_same_actor_instrument_and_status(curated_store: ox.Store) -> None:
    listings = select(curated_store, """
        SELECT ?actor ?name ?instrument ?status WHERE {
          ?listing a ?class ; skg:instrument ?instrument ; skg:actor|skg:listedWithoutStatus ?actor .
          ?class rdfs:subClassOf* skg:StatusListing ; skos:notation ?status .
          OPTIONAL { ?listing skg:nameInSource ?name }
        }""")
    by_code = Counter((row["actor"], row["instrument"], row["status"]) for row in listings)
    by_name = Counter((row["name"], row["instrument"], row["status"]) for row in listings)  # organisations have no ISO code
    wanted_by_code = Counter((f"{ID}state/{r['iso3166_alpha3']}", f"{ID}instrument/{r['instrument_id']}", r["status"])
                             for r in reference_rows("participation") if r["iso3166_alpha3"])
    wanted_by_name = Counter((r["state_name"], f"{ID}instrument/{r['instrument_id']}", r["status"])
                             for r in reference_rows("participation") if not r["iso3166_alpha3"])
    assert wanted_by_code and not wanted_by_code - by_code, wanted_by_code - by_code
    assert not wanted_by_name - by_name, wanted_by_name - by_name


@needs_reference
def test_every_reference_act_of_a_state_is_an_act_of_that_state_for_that_instrument_on_that_date(curated_store: ox.Store) -> None:
    acts = select(curated_store, """
        SELECT ?actor ?instrument ?date WHERE {
          ?act a ?class ; skg:instrument ?instrument ; skg:actor ?actor .
          ?class rdfs:subClassOf* skg:Participation .
          FILTER NOT EXISTS { ?class rdfs:subClassOf* skg:StatusListing }
          OPTIONAL { ?act skg:date ?date }
        }""")
    recorded = {(row["actor"], row["instrument"], row["date"] or "") for row in acts}
    undated = {(actor, instrument) for actor, instrument, _ in recorded}
    # the act's kind is not compared: curators read some source columns anew (e.g. 'ratification (deposit)')
    missing = []
    for r in [*reference_rows("participation_dates"), *reference_rows("participation_actions")]:
        actor, instrument = f"{ID}state/{r['iso3166_alpha3']}", f"{ID}instrument/{r['instrument_id']}"
        found = (actor, instrument, r["date"]) in recorded if r["date"] else (actor, instrument) in undated
        if not found:
            missing.append((r["iso3166_alpha3"], r["instrument_id"], r["action"], r["date"]))
    assert not missing, missing[:10]


@needs_reference
def test_every_reference_official_total_is_an_official_count_of_the_same_instrument_and_figures(curated_store: ox.Store) -> None:
    recorded = Counter((row["instrument"], row["parties"] or "", row["signatories"] or "") for row in select(curated_store, """
        SELECT ?count ?instrument ?parties ?signatories WHERE {
          ?count a skg:OfficialCount ; skg:instrument ?instrument .
          OPTIONAL { ?count skg:partyCount ?parties }
          OPTIONAL { ?count skg:signatoryCount ?signatories }
        }"""))
    wanted = Counter((f"{ID}instrument/{r['instrument_id']}", r["parties"], r["signatories"]) for r in reference_rows("treaty_totals"))
    assert not wanted - recorded, wanted - recorded
