"""The SPARQL 1.1 Service Description of the endpoint (VoID and DCAT: spacekg.web.dataset_description)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from spacekg.formats import GRAPHS, RESULTS
from spacekg.namespaces import RDF, RDFS, SD, VOID, XSD
from spacekg.store.serving import ServedDataset


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
