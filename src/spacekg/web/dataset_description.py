"""VoID and DCAT for the served release, in one graph at /.well-known/void.

The dataset has one canonical IRI, `{base}dataset`, whichever host serves it; its parts are fragments of
it (`#linkset-wikidata`, `#dump-nq`, `#sparql`), so the description is the same document everywhere and
`{base}dataset` dereferences to it. What a client fetches (the endpoint, the dump files) is named by the
public URL of the server that answered, so a mirror's description leads to the mirror's files.

- VoID (https://www.w3.org/TR/void/): sizes and partitions, `void:Linkset`s per link target with their
  triple counts (spacekg.rdf.links.LINK_TARGETS), dumps with their formats (`void:feature`), licence,
  endpoint, example resources, `void:uriSpace`, vocabularies.
- DCAT 3 (https://www.w3.org/TR/vocab-dcat-3/) in a `dcat:Catalog`: one `dcat:Distribution` per dump with
  media type, byte size and SHA-256 (`spdx:checksum`), and the endpoint as a `dcat:DataService`.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef

from spacekg.formats import DUMPS, GRAPHS, RESULTS
from spacekg.namespaces import DCTERMS, FOAF, PREFIXES, RDF, VOID, XSD, Minter
from spacekg.rdf.links import LINK_TARGETS
from spacekg.store.serving import ServedDataset, ServedStore

SPDX = Namespace("http://spdx.org/rdf/terms#")
DCAT = Namespace(PREFIXES["dcat"])  # open: rdflib's closed DCAT namespace predates DCAT 3 (dcat:version)
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
TITLE = "SpaceKG: the open knowledge graph of space diplomacy"
DESCRIPTION = ("Treaties, norms, states, events, UN General Assembly roll-call votes and the citations behind them, "
               "validated with SHACL and reasoned over with OWL 2 RL. Every fact cites its source.")
EXAMPLES = ("state/USA", "instrument/ost", "event/E065", "norm/no-wmd-in-orbit", "rollcall/undl-a-res-77-41")


def _count(store: ServedStore, query: str) -> int:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return int(next(iter(result))["n"].value)


def _integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.nonNegativeInteger)


def describe_dataset(site: str, base_iri: str, dataset: ServedDataset, dumps: dict[str, str]) -> Graph:
    """VoID and DCAT of the served release; `site` is the public URL that served it, `dumps` name -> SHA-256."""
    g = Graph()
    for prefix in ("void", "dcat", "dct", "foaf", "xsd"):
        g.bind(prefix, PREFIXES[prefix])
    g.bind("spdx", SPDX)
    ds = Minter(base_iri).dataset()
    for kind in (VOID.Dataset, DCAT.Dataset):
        g.add((ds, RDF.type, kind))
    g.add((ds, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((ds, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.hasVersion, Literal(dataset.version)))
    g.add((ds, DCAT.version, Literal(dataset.version)))
    g.add((ds, DCAT.landingPage, URIRef(site)))
    g.add((ds, FOAF.homepage, URIRef(site)))
    g.add((ds, VOID.uriSpace, Literal(f"{base_iri}id/")))
    for keyword in ("space diplomacy", "outer space treaties", "UN General Assembly votes", "space security norms"):
        g.add((ds, DCAT.keyword, Literal(keyword, lang="en")))
    created = dataset.manifest.get("created")
    if created:
        g.add((ds, DCTERMS.modified, Literal(str(created)[:19], datatype=XSD.dateTime)))
    _sizes(g, ds, dataset.store, base_iri)
    _linksets(g, ds, dataset.store, base_iri)
    _service(g, ds, site)
    _distributions(g, ds, site, dataset, dumps)
    for example in EXAMPLES:
        if _count(dataset.store, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{base_iri}id/{example}> ?p ?o }}"):
            g.add((ds, VOID.exampleResource, URIRef(f"{base_iri}id/{example}")))
    for name in dataset.named_graphs():
        g.add((ds, VOID.subset, URIRef(name)))
    catalog = URIRef(f"{ds}#catalog")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("SpaceKG catalogue", lang="en")))
    g.add((catalog, DCTERMS.description, Literal("The SpaceKG dataset, its dumps and its SPARQL endpoint.", lang="en")))
    g.add((catalog, DCTERMS.license, LICENSE))
    g.add((catalog, DCAT.dataset, ds))
    g.add((catalog, DCAT.service, URIRef(f"{ds}#sparql")))
    return g


def _sizes(g: Graph, ds: URIRef, store: ServedStore, base_iri: str) -> None:
    g.add((ds, VOID.triples, _integer(_count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))))
    g.add((ds, VOID.entities, _integer(_count(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{base_iri}id/')) }}"))))
    g.add((ds, VOID.distinctSubjects, _integer(_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"))))
    g.add((ds, VOID.distinctObjects, _integer(_count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"))))
    g.add((ds, VOID.classes, _integer(_count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"))))
    g.add((ds, VOID.properties, _integer(_count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"))))
    classes = store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c", use_default_graph_as_union=True)
    assert isinstance(classes, ox.QuerySolutions)
    for row in classes:
        if isinstance(row["c"], ox.NamedNode):
            partition = BNode()
            g.add((ds, VOID.classPartition, partition))
            g.add((partition, VOID["class"], URIRef(row["c"].value)))
            g.add((partition, VOID.entities, _integer(int(row["n"].value))))
    properties = store.query("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p", use_default_graph_as_union=True)
    assert isinstance(properties, ox.QuerySolutions)
    used = set()
    for row in properties:
        partition = BNode()
        g.add((ds, VOID.propertyPartition, partition))
        g.add((partition, VOID.property, URIRef(row["p"].value)))
        g.add((partition, VOID.triples, _integer(int(row["n"].value))))
        used.add(row["p"].value)
    for namespace in sorted(set(PREFIXES.values())):
        if any(predicate.startswith(namespace) for predicate in used):
            g.add((ds, VOID.vocabulary, URIRef(namespace)))


def _linksets(g: Graph, ds: URIRef, store: ServedStore, base_iri: str) -> None:
    """One void:Linkset per target: the links of its predicate from our entities to its IRIs, counted in the store."""
    for target in LINK_TARGETS:
        linkset, other = URIRef(f"{ds}#linkset-{target.slug}"), URIRef(f"{ds}#target-{target.slug}")
        triples = _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{target.predicate}> ?o "
                                f"FILTER(STRSTARTS(STR(?s), '{base_iri}id/') && STRSTARTS(STR(?o), '{target.uri_space}')) }}")
        g.add((ds, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, DCTERMS.title, Literal(f"SpaceKG links to {target.title}", lang="en")))
        g.add((linkset, VOID.subjectsTarget, ds))
        g.add((linkset, VOID.objectsTarget, other))
        g.add((linkset, VOID.linkPredicate, target.predicate))
        g.add((linkset, VOID.triples, _integer(triples)))
        g.add((other, RDF.type, VOID.Dataset))
        g.add((other, DCTERMS.title, Literal(target.title, lang="en")))
        g.add((other, FOAF.homepage, URIRef(target.homepage)))
        g.add((other, VOID.uriSpace, Literal(target.uri_space)))


def _service(g: Graph, ds: URIRef, site: str) -> None:
    endpoint = URIRef(f"{site}sparql")
    service = URIRef(f"{ds}#sparql")
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal("SpaceKG SPARQL endpoint (read-only)", lang="en")))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))  # it answers with its SPARQL Service Description
    g.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, DCTERMS.license, LICENSE))
    for answer in RESULTS + GRAPHS:
        g.add((service, DCTERMS["format"], URIRef(answer.w3c_iri)))


def _distributions(g: Graph, ds: URIRef, site: str, dataset: ServedDataset, dumps: dict[str, str]) -> None:
    """One dcat:Distribution per dump file of the release, with its size and checksum (none without a local release)."""
    folder: Path | None = dataset.release.path / "dumps" if dataset.release is not None else None
    for dump in DUMPS:
        digest = dumps.get(dump.dump_name)
        if folder is None or digest is None or not (folder / dump.dump_name).is_file():
            continue
        url = URIRef(f"{site}dumps/{dump.dump_name}")
        distribution = URIRef(f"{ds}#dump-{dump.extension}")
        checksum = URIRef(f"{ds}#dump-{dump.extension}-sha256")
        g.add((ds, VOID.dataDump, url))
        g.add((ds, VOID.feature, URIRef(dump.w3c_iri)))
        g.add((ds, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCTERMS.title, Literal(f"SpaceKG release {dataset.version}, {dump.label}", lang="en")))
        g.add((distribution, DCAT.downloadURL, url))
        g.add((distribution, DCAT.accessURL, url))
        g.add((distribution, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + dump.media_type)))
        g.add((distribution, DCTERMS["format"], URIRef(dump.w3c_iri)))
        g.add((distribution, DCAT.byteSize, _integer((folder / dump.dump_name).stat().st_size)))
        g.add((distribution, DCTERMS.license, LICENSE))
        g.add((distribution, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(digest, datatype=XSD.hexBinary)))
