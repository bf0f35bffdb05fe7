"""Self-description graphs: the SPARQL 1.1 Service Description and the VoID description of the dataset."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from spacekg.formats import GRAPHS, RESULTS
from spacekg.namespaces import DCTERMS, RDF, RDFS, SD, SKG, VOID, XSD
from spacekg.store.serving import ServedDataset, ServedStore

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")


def _count(store: ServedStore, query: str) -> int:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return int(next(iter(result))["n"].value)


def service_description(endpoint: str, dataset: ServedDataset, graph_sizes: dict[str, int]) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint at `endpoint`."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, RDFS.label, Literal("SpaceKG SPARQL endpoint (read-only)", lang="en")))
    for answer_format in RESULTS + GRAPHS:
        g.add((service, SD.resultFormat, URIRef(answer_format.w3c_iri)))
    default_dataset = BNode()
    g.add((service, SD.defaultDataset, default_dataset))
    g.add((default_dataset, RDF.type, SD.Dataset))
    default_graph = BNode()
    g.add((default_dataset, SD.defaultGraph, default_graph))
    g.add((default_graph, RDF.type, SD.Graph))
    g.add((default_graph, RDFS.comment, Literal("the union of all named graphs", lang="en")))
    g.add((default_graph, VOID.triples, Literal(sum(graph_sizes.values()), datatype=XSD.integer)))
    for name in dataset.named_graphs():
        named = BNode()
        graph_node = BNode()
        g.add((default_dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, graph_node))
        g.add((graph_node, RDF.type, SD.Graph))
        g.add((graph_node, VOID.triples, Literal(graph_sizes.get(name, 0), datatype=XSD.integer)))
    return g


def graph_sizes(dataset: ServedDataset) -> dict[str, int]:
    result = dataset.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(result, ox.QuerySolutions)
    return {row["g"].value: int(row["n"].value) for row in result}


def void_description(site: str, base_iri: str, dataset: ServedDataset, sparql: str, dumps: dict[str, str]) -> Graph:
    """VoID for the served dataset: sizes, partitions, dumps with checksums, licence, endpoint, examples."""
    store = dataset.store
    g = Graph()
    g.bind("void", VOID)
    g.bind("dct", DCTERMS)
    g.bind("skg", SKG)
    ds = URIRef(f"{site}.well-known/void#dataset")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal("SpaceKG: the open knowledge graph of space diplomacy", lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.hasVersion, Literal(dataset.version)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(sparql)))
    g.add((ds, VOID.uriSpace, Literal(f"{base_iri}id/")))
    g.add((ds, VOID.triples, Literal(_count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"), datatype=XSD.integer)))
    g.add((ds, VOID.entities, Literal(_count(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{base_iri}id/')) }}"),
                                      datatype=XSD.integer)))
    g.add((ds, VOID.distinctSubjects, Literal(_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"), datatype=XSD.integer)))
    g.add((ds, VOID.distinctObjects, Literal(_count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"), datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(_count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"), datatype=XSD.integer)))
    g.add((ds, VOID.properties, Literal(_count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"), datatype=XSD.integer)))
    classes = store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c", use_default_graph_as_union=True)
    assert isinstance(classes, ox.QuerySolutions)
    for row in classes:
        if isinstance(row["c"], ox.NamedNode):
            partition = BNode()
            g.add((ds, VOID.classPartition, partition))
            g.add((partition, VOID["class"], URIRef(row["c"].value)))
            g.add((partition, VOID.entities, Literal(int(row["n"].value), datatype=XSD.integer)))
    properties = store.query("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p", use_default_graph_as_union=True)
    assert isinstance(properties, ox.QuerySolutions)
    for row in properties:
        partition = BNode()
        g.add((ds, VOID.propertyPartition, partition))
        g.add((partition, VOID.property, URIRef(row["p"].value)))
        g.add((partition, VOID.triples, Literal(int(row["n"].value), datatype=XSD.integer)))
    for name, digest in sorted(dumps.items()):
        dump = URIRef(f"{site}dumps/{name}")
        g.add((ds, VOID.dataDump, dump))
        g.add((dump, SKG.sha256, Literal(digest)))
    for example in ("state/USA", "instrument/ost", "event/E065", "norm/no-wmd-in-orbit"):
        g.add((ds, VOID.exampleResource, URIRef(f"{base_iri}id/{example}")))
    for name in dataset.named_graphs():
        g.add((ds, VOID.subset, URIRef(name)))
    return g
