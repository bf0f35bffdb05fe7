"""Counts of a release: triples per named graph and instances per class."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from spacekg.namespaces import SKG

SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
ARTEMIS = "<https://w3id.org/spacekg/id/instrument/artemis>"


def _instances(cls: str, without: str = "", extra: str = "") -> str:
    """Instances of a class or its subclasses (followed in the ontology, so counts do not need reasoning)."""
    minus = f"MINUS {{ ?s a ?d . ?d {SUBCLASS} <{SKG[without]}> }}" if without else ""
    return f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?c {SUBCLASS} <{SKG[cls]}> . ?s a ?c . {extra} {minus} }}"


# The record kinds curators maintain, each counted as the rows of its data/ file become resources.
RECORD_QUERIES = {
    "instruments": _instances("Instrument", without="UNDocument"),
    "UN resolutions and documents": _instances("UNDocument"),
    "participation statuses (status listings with a status)": _instances("StatusListing", without="NoStatusListing"),
    "status listings recording no status ('none')": _instances("NoStatusListing"),
    "participation acts (signature, ratification, ...)": _instances("Participation", without="StatusListing"),
    "participation acts with a date": _instances("Participation", without="StatusListing", extra="?s <" + str(SKG.date) + "> ?date ."),
    "Artemis Accords signatories": _instances("Signature", extra=f"?s <{SKG.instrument}> {ARTEMIS} ."),
    "chronology events": _instances("Event"),
    "norms": _instances("Norm"),
    "citations": _instances("Citation"),
    "organisations": _instances("Organization"),
    "people": _instances("Person"),
    "states": _instances("State"),
    "official treaty totals": _instances("OfficialCount"),
}


@dataclass(frozen=True)
class ReleaseStats:
    graphs: dict[str, int]
    classes: dict[str, int]
    records: dict[str, int]


def release_stats(store: ox.Store) -> ReleaseStats:
    """Triples per graph, instances per class, and records per curated kind (subclasses included)."""
    graphs = {row["g"].value: int(row["n"].value) for row in _select(store,
              "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")}
    classes = {row["c"].value: int(row["n"].value) for row in _select(store,
               "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c")}
    records = {label: int(_select(store, query)[0]["n"].value) for label, query in RECORD_QUERIES.items()}
    return ReleaseStats(graphs, classes, records)


def _select(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)
