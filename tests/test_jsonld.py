"""JSON-LD that programs can use: compact documents (`partyTo`, `sameAs`, `id`, `type`) for both
`application/ld+json` and `application/json`, carrying the part of the release's published @context they use;
third-party processors (PyLD, Oxigraph, rdflib) read them as exactly the triples of the same document in
N-Triples, without fetching anything; every kept release's whole context stays served."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from flask.testing import FlaskClient
from pyld import jsonld

from conftest import app_settings
from spacekg.pipeline import build
from spacekg.settings import Settings
from spacekg.store.releases import current_release
from spacekg.web import create_app

HOST = "http://localhost"
# rdflib's own JSON-LD parser uses its deprecated ConjunctiveGraph; that is not the server's doing.
pytestmark = [pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")]
USA = "https://w3id.org/spacekg/id/state/USA"
DOCUMENTS = ["/doc/state/USA", "/doc/instrument/ost", "/doc/statement/usa-wikidata", "/doc/rollcall/voeten-3450",
             "/doc/citation/krepon-no-harmful-interference"]


def _no_fetching(url: str, options: dict[str, Any]) -> dict[str, Any]:
    raise AssertionError(f"the document made the processor fetch {url}")


def _triples(ntriples: str) -> set[tuple[str, str, str]]:
    graph = rdflib.Graph().parse(data=ntriples, format="nt")
    return {(str(s), str(p), o.n3() if isinstance(o, rdflib.Literal) else str(o)) for s, p, o in graph}


def _context(client: FlaskClient) -> dict[str, Any]:
    version = client.get("/sparql", query_string={"query": "ASK {}"}).headers["SpaceKG-Release"]
    answer = client.get(f"/releases/{version}/context.jsonld")
    assert answer.status_code == 200 and answer.mimetype == "application/ld+json"
    return answer.get_json()["@context"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("accept", ["application/ld+json", "application/json", "application/json, text/html;q=0.5"])
def test_json_and_json_ld_both_get_the_compact_document(client: FlaskClient, accept: str) -> None:
    seen = client.get("/id/state/USA", headers={"Accept": accept})
    assert seen.status_code == 303 and seen.headers["Location"] == f"{HOST}/doc/state/USA.jsonld"
    document = client.get("/doc/state/USA.jsonld")
    assert document.status_code == 200 and document.mimetype == "application/ld+json"
    body = document.get_json()
    (usa,) = [node for node in body["@graph"] if node["id"] == USA]
    assert "State" in ([usa["type"]] if isinstance(usa["type"], str) else usa["type"])  # short names, plain JSON
    assert usa["sameAs"] == "http://www.wikidata.org/entity/Q30"
    assert usa["iso3166Alpha3"] == "USA"
    published = _context(client)
    assert body["@context"].items() <= published.items()  # the part of the release's context it uses, as published
    assert len(body["@context"]) < len(published)


@pytest.mark.parametrize("path", DOCUMENTS)
def test_pyld_expands_the_compact_document_to_exactly_the_triples_of_the_document(client: FlaskClient, path: str) -> None:
    compact = client.get(f"{path}.jsonld")
    assert compact.status_code == 200
    expanded = jsonld.to_rdf(compact.get_json(), {"format": "application/n-quads", "documentLoader": _no_fetching})
    assert _triples(expanded) == _triples(client.get(f"{path}.nt").text) != set()


@pytest.mark.parametrize("path", DOCUMENTS)
def test_oxigraph_and_rdflib_read_the_document_as_its_triples(client: FlaskClient, path: str) -> None:
    compact, expected = client.get(f"{path}.jsonld").data, _triples(client.get(f"{path}.nt").text)
    by_oxigraph = ox.serialize(ox.parse(compact, format=ox.RdfFormat.JSON_LD), format=ox.RdfFormat.N_QUADS)
    assert by_oxigraph is not None and _triples(by_oxigraph.decode()) == expected
    graph = rdflib.Graph().parse(data=compact, format="json-ld")
    assert {(str(s), str(p), o.n3() if isinstance(o, rdflib.Literal) else str(o)) for s, p, o in graph} == expected


def test_compacting_your_own_data_with_the_published_context_gives_our_names(client: FlaskClient) -> None:
    context = _context(client)
    mine = {"@id": "https://example.org/my-state", "https://w3id.org/spacekg/ontology#partyTo": {"@id": "https://w3id.org/spacekg/id/instrument/ost"},
            "@type": "https://w3id.org/spacekg/ontology#State"}
    compacted = jsonld.compact(mine, {"@context": context}, {"documentLoader": _no_fetching})
    assert compacted["partyTo"] == "https://w3id.org/spacekg/id/instrument/ost" and compacted["type"] == "State"


def test_the_context_is_served_current_and_versioned_and_is_immutable(client: FlaskClient) -> None:
    version = client.get("/sparql", query_string={"query": "ASK {}"}).headers["SpaceKG-Release"]
    current, versioned = client.get("/context.jsonld"), client.get(f"/releases/{version}/context.jsonld")
    assert current.status_code == versioned.status_code == 200
    assert current.get_json() == versioned.get_json()
    assert "immutable" in versioned.headers["Cache-Control"] and versioned.headers["Access-Control-Allow-Origin"] == "*"
    terms = current.get_json()["@context"]
    assert terms["partyTo"] == {"@id": "https://w3id.org/spacekg/ontology#partyTo", "@type": "@id"}
    assert "option" not in terms  # opengov:option and schema:option share the name: neither gets it
    for wrong in ("20990101T000000Z-deadbeef", "..", "current", "20261203T000000Z-DEADBEEF"):
        missing = client.get(f"/releases/{wrong}/context.jsonld")
        assert missing.status_code == 404 and "/context.jsonld" in missing.text, wrong


def test_an_earlier_release_keeps_its_context_after_the_next_build(published_project: Settings) -> None:
    first = current_release(published_project.releases)
    ontology = published_project.project_dir / "ontology" / "spacekg.ttl"
    ontology.write_text(ontology.read_text(encoding="utf-8") + "\nskg:spokenOf a owl:DatatypeProperty ; rdfs:label \"spoken of\"@en ;"
                        " rdfs:comment \"a property added by a test\"@en ; rdfs:range xsd:string ; rdfs:domain skg:State .\n", encoding="utf-8")
    second = build(published_project)
    client = create_app(app_settings(second)).test_client()
    old = client.get(f"/releases/{first.release_id}/context.jsonld")
    new = client.get(f"/releases/{second.release_id}/context.jsonld")
    assert old.status_code == new.status_code == 200
    assert "spokenOf" in new.get_json()["@context"] and "spokenOf" not in old.get_json()["@context"]
