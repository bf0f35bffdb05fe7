"""Links out to other datasets: every link matches its target's pattern, no Wikidata item names two entities,
each curated link is cited, pages show them, and a wrong row of data/wikidata_links.csv is refused at its line.

The tiny project's links are checked with the code; the curated data's, reading their expectations from data/,
run with the other curated checks (one build of data/ per run).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from conftest import PROJECT, TINY, copy_tiny_project
from spacekg.errors import SourceDataErrors
from spacekg.kinds import RECORD_KINDS, record_columns
from spacekg.namespaces import Minter
from spacekg.pipeline import load_ontology
from spacekg.rdf import map_sources
from spacekg.rdf.links import LINK_TARGETS, RESOLVABLE, WIKIDATA_ENTITY, target_of
from spacekg.settings import load_settings
from spacekg.sources import read_sources

SAME_AS = "http://schema.org/sameAs"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
LINKS = f"""SELECT ?s ?p ?o WHERE {{ GRAPH <https://w3id.org/spacekg/graph/asserted> {{ ?s ?p ?o }}
  FILTER(?p IN (<{SAME_AS}>, <{SEE_ALSO}>)) }}"""
CITED_LINKS = """SELECT ?subject ?object (COUNT(?source) AS ?sources) WHERE {
  ?statement a <https://w3id.org/spacekg/ontology#WikidataLink> ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?subject ;
    <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?object ; <http://purl.org/dc/terms/source> ?source } GROUP BY ?subject ?object"""
SYMBOLS = """SELECT ?s ?symbol WHERE { GRAPH <https://w3id.org/spacekg/graph/asserted> {
  ?s <https://w3id.org/spacekg/ontology#unSymbol> ?symbol FILTER NOT EXISTS { ?s a <https://w3id.org/spacekg/ontology#RollCall> } } }"""


def _links(store: ox.Store) -> list[tuple[str, str, str]]:
    result = store.query(LINKS)
    assert isinstance(result, ox.QuerySolutions)
    return [(row["s"].value, row["p"].value, row["o"].value) for row in result]


def _rows(data: Path) -> list[dict[str, str]]:
    with open(data / "wikidata_links.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def check_links(store: ox.Store, data: Path) -> Counter[str]:
    """The rules every release keeps; returns the number of links per target."""
    links = _links(store)
    per_target: Counter[str] = Counter()
    for subject, predicate, obj in links:
        target = target_of(obj)
        assert target is not None, f"{subject} links to {obj}, which is no known target"
        assert predicate == str(target.predicate) and re.fullmatch(target.pattern, obj), (subject, predicate, obj)
        assert subject.startswith("https://w3id.org/spacekg/id/"), subject
        per_target[target.slug] += 1
    wikidata = [(subject, obj) for subject, _, obj in links if obj.startswith(WIKIDATA_ENTITY)]
    assert [qid for qid, n in Counter(obj for _, obj in wikidata).items() if n > 1] == [], "a Wikidata item named by two entities"
    assert [s for s, n in Counter(subject for subject, _ in wikidata).items() if n > 1] == [], "an entity with two Wikidata items"
    cited = store.query(CITED_LINKS, use_default_graph_as_union=True)
    assert isinstance(cited, ox.QuerySolutions)
    assert {(row["subject"].value, row["object"].value) for row in cited if int(row["sources"].value) >= 1} == set(wikidata)
    assert per_target["wikidata"] == len(_rows(data))  # every row became one link
    symbols = store.query(SYMBOLS)
    assert isinstance(symbols, ox.QuerySolutions)
    resolvable = {row["s"].value for row in symbols if RESOLVABLE.fullmatch(row["symbol"].value)}
    assert {subject for subject, _, obj in links if obj.startswith("https://undocs.org/")} == resolvable
    return per_target


def test_every_link_of_the_tiny_release_matches_its_target_and_no_qid_names_two_entities(tiny_store: ox.Store) -> None:
    per_target = check_links(tiny_store, TINY / "data")
    assert per_target["wikidata"] > 0 and per_target["undocs"] > 0
    assert {target.slug for target in LINK_TARGETS} >= set(per_target)


@pytest.mark.xdist_group("curated")
def test_every_link_of_the_curated_release_matches_its_target_and_no_qid_names_two_entities(curated_store: ox.Store) -> None:
    per_target = check_links(curated_store, PROJECT / "data")
    assert set(per_target) == {target.slug for target in LINK_TARGETS}, "every target has links in the curated data"


def test_the_entity_page_shows_its_links_and_the_source_of_the_curated_one(client: FlaskClient) -> None:
    page = client.get("/doc/state/USA").text
    assert 'href="http://www.wikidata.org/entity/Q30"' in page
    assert re.search(r'Q30</a> \(<a href="/doc/statement/usa-wikidata">source of this link</a>\)', page)
    resolution = client.get("/doc/instrument/a-res-2222-xxi").text
    assert 'href="https://undocs.org/A/RES/2222(XXI)"' in resolution


def test_a_link_statement_cites_its_source_in_rdf(client: FlaskClient) -> None:
    turtle = client.get("/doc/statement/usa-wikidata.ttl").data
    graph = ox.Store()
    graph.load(turtle, format=ox.RdfFormat.TURTLE)
    source = ox.NamedNode("https://w3id.org/spacekg/id/citation/owid-countries-regions")
    assert list(graph.quads_for_pattern(ox.NamedNode("https://w3id.org/spacekg/id/statement/usa-wikidata"),
                                        ox.NamedNode("http://purl.org/dc/terms/source"), source))


def _mapping_errors(project: Path, rows: list[str]) -> list[str]:
    path = project / "data" / "wikidata_links.csv"
    with open(path, "a", encoding="utf-8") as handle:
        handle.writelines(row + "\n" for row in rows)
    settings = load_settings({}, project_dir=project)
    sources = read_sources(settings.data, settings.project_dir, record_columns())
    with pytest.raises(SourceDataErrors) as refused:
        map_sources(sources, load_ontology(settings.ontology), Minter(settings.base_iri), RECORD_KINDS)
    return [str(error) for error in refused.value.errors]


def test_wrong_wikidata_rows_are_refused_at_their_line_with_the_fix(tmp_path: Path) -> None:
    project = tmp_path / "project"
    copy_tiny_project(project)
    first_line = len(_rows(project / "data")) + 2
    errors = _mapping_errors(project, [
        "ATA,Q51,Antarctica,owid-countries-regions,,,",  # a code no other record mentions
        "FRA,Q30,France,owid-countries-regions,,,",  # USA's item
        "ost,Q999,Outer Space Treaty,world4d-wikidata-treaties,,,",  # a second item for the OST
        "reg,30,Registration Convention,world4d-wikidata-treaties,,,",  # no Q
        "nothing,Q1234,nothing,owid-countries-regions,,,",
    ])
    at = [f"data/wikidata_links.csv:{first_line + n}" for n in range(5)]
    expected = [(at[0], "column 1 (entity)", "no other record mentions the state 'ATA'"),
                (at[1], "column 2 (qid)", "Q30 is already linked to USA"),
                (at[2], "column 1 (entity)", "ost already has the QID Q256608"),
                (at[3], "column 2 (qid)", "'30' is not a Wikidata QID"),
                (at[4], "column 1 (entity)", "unknown entity 'nothing'")]
    assert len(errors) == len(expected), errors
    for (place, column, message), error in zip(expected, errors, strict=True):
        assert error.startswith(f"{place}: {column}: ") and message in error, error
