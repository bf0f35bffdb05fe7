"""What is published is what was validated: the release's dumps, read by rdflib's own parsers, and its on-disk
store hold the asserted graph the build validated, term for term (datatypes included), and that graph, read back
from the store, passes the data shapes with the build's own results, with pySHACL and with Jena.

Before, the build validated counts as xsd:nonNegativeInteger while Oxigraph stored them as xsd:integer, so
the served graph failed the shapes the build had passed. The same check on the curated release is in
test_data_acceptance_validation.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import XSD, Dataset, Graph, Literal, URIRef

from conftest import PROJECT, tiny_settings
from spacekg.errors import UsageError
from spacekg.namespaces import Minter
from spacekg.pipeline import assemble
from spacekg.store.explanations import from_oxigraph
from spacekg.store.releases import Release
from spacekg.validate import ValidationResult, load_shapes, results_from_graph, validate
from spacekg.validate.engine import PYSHACL, ShaclEngine, choose_engine
from spacekg.validate.report import Triple

DATA_SHAPES = PROJECT / "shapes" / "spacekg-shapes.ttl"


def graph_iri(release: Release, name: str) -> str:
    return str(Minter(release.manifest["base_iri"]).graph(name))


def rdf11(triples: Iterable[Triple]) -> set[Triple]:
    """The triples with "x"^^xsd:string written "x", as rdflib builds them: the same literal in RDF 1.1."""
    return {(s, p, Literal(str(o)) if isinstance(o, Literal) and o.datatype == XSD.string else o) for s, p, o in triples}


def from_dump(release: Release, dump: str, rdflib_format: str, name: str) -> set[Triple]:
    dataset = Dataset()
    dataset.parse(data=(release.path / "dumps" / dump).read_text(encoding="utf-8"), format=rdflib_format)
    return rdf11((s, p, o) for s, p, o, _ in dataset.quads((None, None, None, URIRef(graph_iri(release, name)))))


def from_store(release: Release, name: str) -> set[Triple]:
    store = release.open_store()
    return rdf11((from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object))  # type: ignore[misc]
                 for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri(release, name))))


READERS: dict[str, Callable[[Release, str], set[Triple]]] = {
    "N-Quads dump": lambda release, name: from_dump(release, "spacekg.nq", "nquads", name),
    "TriG dump": lambda release, name: from_dump(release, "spacekg.trig", "trig", name),
    "on-disk store": from_store,
}


# rdflib's own parsers call what rdflib deprecates
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("where", READERS)
def test_the_published_asserted_graph_is_the_graph_the_build_validated(built_tiny: Release, where: str) -> None:
    _, asserted, _ = assemble(tiny_settings(built_tiny.path.parent))
    published = READERS[where](built_tiny, "asserted")
    assert (sorted(published - asserted.triples)[:5], sorted(asserted.triples - published)[:5]) == ([], [])


def data_results(results: tuple[ValidationResult, ...] | list[ValidationResult], shapes: Graph) -> list[tuple[str, ...]]:
    """The results of the data shapes, as what they say (not where: positions are the build's)."""
    return sorted((str(r.focus_node), r.path_text, str(r.source_shape), str(r.value), r.severity, r.message)
                  for r in results if (r.source_shape, None, None) in shapes)


def engine_named(name: str, cache: Path) -> ShaclEngine:
    if name == "pyshacl":
        return PYSHACL
    try:
        return choose_engine("jena", cache)[0]
    except UsageError as error:
        pytest.skip(f"Apache Jena cannot run here: {error.message}")


@pytest.mark.parametrize("engine", ["pyshacl", "jena"])
def test_the_served_graph_passes_the_shapes_with_the_builds_results(built_tiny: Release, engine: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    shapes = load_shapes(DATA_SHAPES)
    served = from_store(built_tiny, "asserted")
    ontology = from_store(built_tiny, "ontology")
    report = validate(served, shapes, ontology, {}, built_tiny.manifest["base_iri"], engine_named(engine, tmp_path_factory.mktemp("cache")))
    built = results_from_graph(Graph().parse(built_tiny.path / "validation.ttl", format="turtle"))
    assert report.count("Violation") == 0
    assert data_results(report.results, shapes) == data_results(built, shapes)
