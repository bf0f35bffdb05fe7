"""VoID and DCAT at /.well-known/void, and what a harvester finds: the description, the dumps and the entity
documents parse with Raptor's rapper and with rdflib, hold the links out, and the description's linksets and
distributions agree with the store and with the files (counts, sizes, SHA-256). In-process over the tiny
release: the test client calls the server `http://localhost`.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCAT, VOID, XSD

from conftest import PROJECT, app_settings
from spacekg.formats import DUMPS, RDF_DOCUMENTS
from spacekg.namespaces import SKG
from spacekg.rdf.links import LINK_TARGETS
from spacekg.store.releases import Release
from spacekg.web import create_app
from spacekg.web.dataset_description import SPDX

HOST = "http://localhost"  # what the test client calls the server
DATASET = URIRef("https://w3id.org/spacekg/dataset")
SHAPES = PROJECT / "shapes" / "description-shapes.ttl"
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
                  "application/trig": "trig", "application/n-quads": "nquads"}
RAPPER_SYNTAX = {"text/turtle": "turtle", "application/n-triples": "ntriples", "application/rdf+xml": "rdfxml", "application/trig": "trig",
                 "application/n-quads": "nquads"}  # Raptor has no JSON-LD parser: rdflib alone reads those
# rdflib's own JSON-LD and quad parsers use its deprecated ConjunctiveGraph; that is not the server's doing.
pytestmark = [pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")]
USA_WIKIDATA = ("https://w3id.org/spacekg/id/state/USA", "http://schema.org/sameAs", "http://www.wikidata.org/entity/Q30")


Statement = tuple[str, str, str]


def _named(triples: Iterator[tuple[rdflib.term.Node, ...]]) -> set[Statement]:
    """The triples without a blank node (each parser labels blank nodes its own way), as strings."""
    return {(str(s), str(p), str(o)) for s, p, o, *_ in triples if not any(isinstance(t, rdflib.BNode) for t in (s, p, o))}


def rapper_statements(rapper: str, data: bytes, syntax: str, base: str, tmp_path: Path) -> set[Statement]:
    """The triples rapper reads (graph names dropped), insisting on no error and no warning."""
    document = tmp_path / "document"
    document.write_bytes(data)
    done = subprocess.run([rapper, "--quiet", "-i", syntax, "-o", "ntriples", str(document), base], capture_output=True, timeout=300)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr[:2000]
    return _named(iter(rdflib.Graph().parse(data=done.stdout, format="nt")))


def rdflib_statements(data: bytes, media_type: str) -> set[Statement]:
    dataset = rdflib.Dataset()
    dataset.parse(io.BytesIO(data), format=RDFLIB_FORMATS[media_type])
    return _named(dataset.quads((None, None, None, None)))


@pytest.fixture(scope="module")
def description(app: Flask) -> rdflib.Graph:
    response = app.test_client().get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    return rdflib.Graph().parse(data=response.data, format="turtle")


def _local(url: rdflib.term.Node) -> str:
    assert str(url).startswith(HOST + "/"), url
    return str(url)[len(HOST):]


# --- the description ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("media_type", ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"])
def test_the_description_parses_with_rapper_and_rdflib_alike(client: FlaskClient, rapper: str, tmp_path: Path, media_type: str) -> None:
    response = client.get("/.well-known/void", headers={"Accept": media_type})
    assert response.status_code == 200 and response.mimetype == media_type
    read = rdflib_statements(response.data, media_type)
    assert (str(DATASET), str(RDF.type), str(DCAT.Dataset)) in read
    if media_type in RAPPER_SYNTAX:
        assert rapper_statements(rapper, response.data, RAPPER_SYNTAX[media_type], HOST + "/.well-known/void", tmp_path) == read


def test_the_description_conforms_to_our_shapes_and_the_shapes_catch_a_broken_one(description: rdflib.Graph) -> None:
    shapes = rdflib.Graph().parse(SHAPES)
    conforms, _, text = pyshacl.validate(description, shacl_graph=shapes)
    assert conforms, text
    broken = rdflib.Graph() + description
    distribution = next(broken.objects(DATASET, DCAT.distribution))
    checksum = broken.value(distribution, SPDX.checksum)
    broken.set((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_md5))
    broken.set((distribution, DCAT.byteSize, Literal("-1", datatype=XSD.integer)))
    linkset = next(broken.subjects(RDF.type, VOID.Linkset))
    broken.remove((linkset, VOID.linkPredicate, None))
    conforms, report, _ = pyshacl.validate(broken, shacl_graph=shapes)
    shapes_hit = {str(shape).rsplit("#", 1)[1] for shape in report.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#sourceShape"))}
    assert not conforms and shapes_hit >= {"Distribution-checksum", "Distribution-byteSize", "Linkset-predicate"}


def test_the_dataset_iri_is_canonical_whichever_host_serves_it(built_tiny: Release, client: FlaskClient) -> None:
    mirror = create_app(app_settings(built_tiny, public_url="https://mirror.example.org/spacekg/")).test_client()
    described = rdflib.Graph().parse(data=mirror.get("/.well-known/void", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert set(described.subjects(RDF.type, DCAT.Dataset)) == {DATASET}
    assert described.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://mirror.example.org/spacekg/sparql")  # what a client fetches
    redirect = client.get("/dataset", headers={"Accept": "text/turtle"})
    assert redirect.status_code == 303 and redirect.headers["Location"] == HOST + "/.well-known/void"


def test_each_linkset_counts_the_links_in_the_store(description: rdflib.Graph, tiny_store: ox.Store) -> None:
    linksets = {description.value(linkset, VOID.objectsTarget): linkset for linkset in description.subjects(RDF.type, VOID.Linkset)}
    assert len(linksets) == len(LINK_TARGETS)
    for target in LINK_TARGETS:
        (linkset,) = [s for o, s in linksets.items() if str(description.value(o, VOID.uriSpace)) == target.uri_space]
        assert description.value(linkset, VOID.linkPredicate) == URIRef(target.predicate)
        assert description.value(linkset, VOID.subjectsTarget) == DATASET
        links = {(q.subject, q.object) for q in tiny_store.quads_for_pattern(None, ox.NamedNode(str(target.predicate)), None)
                 if q.object.value.startswith(target.uri_space)}
        assert int(description.value(linkset, VOID.triples)) == len(links), target.slug  # type: ignore[arg-type]
    assert int(description.value(linksets[URIRef(f"{DATASET}#target-wikidata")], VOID.triples)) > 0  # type: ignore[arg-type]


def test_every_dump_is_a_distribution_whose_size_and_checksum_match_the_file(description: rdflib.Graph, client: FlaskClient,
                                                                            built_tiny: Release) -> None:
    distributions = list(description.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(DUMPS)
    media_types = set()
    for distribution in distributions:
        with client.get(_local(description.value(distribution, DCAT.downloadURL))) as response:
            assert response.status_code == 200
            body = response.data
        checksum = description.value(distribution, SPDX.checksum)
        assert description.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(description.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        assert int(description.value(distribution, DCAT.byteSize)) == len(body)  # type: ignore[arg-type]
        media_types.add(str(description.value(distribution, DCAT.mediaType)).rsplit("media-types/", 1)[1])
        assert response.mimetype == str(description.value(distribution, DCAT.mediaType)).rsplit("media-types/", 1)[1]
    assert media_types == {dump.media_type for dump in DUMPS}
    assert {str(o) for o in description.objects(DATASET, VOID.dataDump)} == {f"{HOST}/dumps/{d.dump_name}" for d in DUMPS}
    assert set(description.objects(DATASET, VOID.feature)) == {URIRef(d.w3c_iri) for d in DUMPS}
    assert {name: digest for name, digest in built_tiny.manifest["dumps"].items()} == {
        str(description.value(d, DCAT.downloadURL)).rsplit("/", 1)[1]: str(description.value(description.value(d, SPDX.checksum), SPDX.checksumValue))
        for d in distributions}


def test_the_description_counts_the_triples_and_partitions_of_the_release(description: rdflib.Graph, built_tiny: Release,
                                                                          tiny_store: ox.Store) -> None:
    assert int(description.value(DATASET, VOID.triples)) == sum(built_tiny.manifest["graphs"].values()) == len(tiny_store)  # type: ignore[arg-type]
    (partition,) = [p for p in description.objects(DATASET, VOID.classPartition) if description.value(p, VOID["class"]) == SKG.Instrument]
    instruments = {q.subject for q in tiny_store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(SKG.Instrument)))}
    assert int(description.value(partition, VOID.entities)) == len(instruments) > 0  # type: ignore[arg-type]
    for example in description.objects(DATASET, VOID.exampleResource):
        assert next(iter(tiny_store.quads_for_pattern(ox.NamedNode(str(example)), None, None)), None) is not None, example


# --- what a harvester downloads ----------------------------------------------------------------------------

@pytest.mark.parametrize("dump", DUMPS, ids=[d.dump_name for d in DUMPS])
def test_every_dump_parses_with_rapper_and_rdflib_and_holds_the_links(client: FlaskClient, rapper: str, tmp_path: Path, dump: object) -> None:
    name, media_type = dump.dump_name, dump.media_type  # type: ignore[attr-defined]
    with client.get(f"/dumps/{name}") as response:
        data = response.data
    read = rdflib_statements(data, media_type)
    assert USA_WIKIDATA in read
    assert any(p == "http://schema.org/sameAs" and o.startswith("https://undocs.org/") for _, p, o in read)
    if media_type in RAPPER_SYNTAX:
        assert rapper_statements(rapper, data, RAPPER_SYNTAX[media_type], f"{HOST}/dumps/{name}", tmp_path) == read


@pytest.mark.parametrize("media_type", [f.media_type for f in RDF_DOCUMENTS])
def test_a_content_negotiated_entity_document_parses_and_holds_its_links(client: FlaskClient, rapper: str, tmp_path: Path,
                                                                         media_type: str) -> None:
    seen = client.get("/id/state/USA", headers={"Accept": media_type})
    assert seen.status_code == 303
    document = client.get(_local(seen.headers["Location"]))
    assert document.status_code == 200 and document.mimetype == media_type
    assert USA_WIKIDATA in rdflib_statements(document.data, media_type)
    if media_type in RAPPER_SYNTAX:
        assert USA_WIKIDATA in rapper_statements(rapper, document.data, RAPPER_SYNTAX[media_type], seen.headers["Location"], tmp_path)
