"""Counts of a release: triples per named graph, instances per class, and records per curated kind."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from spacekg.kinds import RECORD_KINDS, record_count_query
from spacekg.namespaces import SKG

SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"


def _instances(cls: str, without: str = "", extra: str = "") -> str:
    """Instances of a class or its subclasses (followed in the ontology, so counts do not need reasoning)."""
    minus = f"MINUS {{ ?s a ?d . ?d {SUBCLASS} <{SKG[without]}> }}" if without else ""
    return f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?c {SUBCLASS} <{SKG[cls]}> . ?s a ?c . {extra} {minus} }}"


# Counts that cut across the curated files: states (minted from ISO 3166 codes, not from a file of their own)
# and the parts of the status listings and acts that the README's table of records names.
BREAKDOWN_QUERIES = {
    "states": _instances("State"),
    "participation statuses (status listings with a status)": _instances("StatusListing", without="NoStatusListing"),
    "status listings recording no status ('none')": _instances("NoStatusListing"),
    "participation acts with a date": _instances("Participation", without="StatusListing", extra=f"?s <{SKG.date}> ?date ."),
}


@dataclass(frozen=True)
class ReleaseStats:
    graphs: dict[str, int]
    classes: dict[str, int]
    records: dict[str, int]  # per record kind (spacekg.kinds.RECORD_KINDS, by label), then the breakdowns


def release_stats(store: ox.Store) -> ReleaseStats:
    """Triples per graph, instances per class, and records per curated kind (each counted from the file that minted it)."""
    graphs = {row["g"].value: int(row["n"].value) for row in _select(store,
              "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")}
    classes = {row["c"].value: int(row["n"].value) for row in _select(store,
               "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c")}
    queries = {**{kind.label: record_count_query(kind) for kind in RECORD_KINDS}, **BREAKDOWN_QUERIES}
    records = {label: int(_select(store, query)[0]["n"].value) for label, query in queries.items()}
    return ReleaseStats(graphs, classes, records)


def _select(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)
