"""The ontology and the shapes are parsed once per process for each content of their files (src/spacekg/parsed_files.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDFS, Graph, Literal, URIRef

from spacekg import parsed_files
from spacekg.errors import SourceDataErrors
from spacekg.validate.engine import load_shapes

THING = URIRef("https://example.org/thing")


def turtle(path: Path, label: str) -> Path:
    path.write_text(f'@prefix ex: <https://example.org/> .\nex:thing <http://www.w3.org/2000/01/rdf-schema#label> "{label}" .\n',
                    encoding="utf-8")
    return path


def test_a_file_is_parsed_once_for_its_content_and_again_once_it_changes(tmp_path: Path) -> None:
    parses: list[str] = []

    def parse(path: Path) -> Graph:
        parses.append(path.read_text(encoding="utf-8"))
        return Graph().parse(path, format="turtle")

    path = turtle(tmp_path / "a.ttl", "first")
    labels = [parsed_files.parsed_once("test", [path], lambda: parse(path)).value(THING, RDFS.label) for _ in range(3)]
    turtle(path, "second")
    labels.append(parsed_files.parsed_once("test", [path], lambda: parse(path)).value(THING, RDFS.label))
    assert labels == [Literal("first")] * 3 + [Literal("second")]
    assert len(parses) == 2


def test_a_caller_cannot_change_the_shared_graph_and_changes_a_copy_instead(tmp_path: Path) -> None:
    path = turtle(tmp_path / "shapes.ttl", "shape")
    first = load_shapes(path)
    for change in (lambda: first.add((THING, THING, THING)), lambda: first.remove((THING, None, None)),
                   lambda: first.__iadd__([(THING, THING, THING)]), lambda: first.parse(data="<a:b> <a:b> <a:b> .", format="turtle")):
        with pytest.raises(TypeError, match="cannot change: change a copy"):
            change()
    copy = parsed_files.graph_copy(first)
    copy.add((THING, THING, THING))
    second = load_shapes(path)
    assert second is first and (THING, THING, THING) not in second and len(second) == 1
    assert second.namespace_manager.store.namespace("ex") == URIRef("https://example.org/")


def test_copies_of_a_file_in_other_folders_share_one_parse_unless_it_has_a_relative_iri(tmp_path: Path) -> None:
    parses: list[Path] = []

    def parse(path: Path) -> Graph:
        parses.append(path)
        return Graph().parse(path, format="turtle")

    copies = [turtle(folder / "a.ttl", "same") for folder in (tmp_path / "one", tmp_path / "two") if folder.mkdir() is None]
    graphs = [parsed_files.parsed_once("test", [path], lambda path=path: parse(path)) for path in copies]  # type: ignore[misc]
    assert graphs[0] is graphs[1] and parses == copies[:1]
    # A relative IRI resolves against the file's own location, so each copy is parsed and keeps its own IRIs.
    for path in copies:
        path.write_text('<#thing> <http://www.w3.org/2000/01/rdf-schema#label> "relative" .\n', encoding="utf-8")
    relative = [parsed_files.parsed_once("test", [path], lambda path=path: parse(path)) for path in copies]  # type: ignore[misc]
    assert [{str(s) for s in graph.subjects()} for graph in relative] == [{path.as_uri() + "#thing"} for path in copies]


def test_at_most_a_few_graphs_are_kept(tmp_path: Path) -> None:
    for index in range(parsed_files.MOST_KEPT + 3):
        path = turtle(tmp_path / f"{index}.ttl", str(index))
        parsed_files.parsed_once("test", [path], lambda path=path: Graph().parse(path, format="turtle"))  # type: ignore[misc]
    assert len(parsed_files._PARSED) == parsed_files.MOST_KEPT


def test_a_file_that_does_not_parse_is_still_reported_at_its_path_every_time(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("ex:thing ex:nothing", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(SourceDataErrors, match="shapes do not parse"):
            load_shapes(broken)


def test_a_shared_graph_is_written_as_turtle_once_and_reads_back_as_itself(tmp_path: Path) -> None:
    shared = load_shapes(turtle(tmp_path / "shapes.ttl", "written once"))
    assert isinstance(shared, parsed_files.SealedGraph)
    written = shared.turtle()
    assert shared.turtle() is written
    assert set(Graph().parse(data=written, format="turtle")) == set(shared)
