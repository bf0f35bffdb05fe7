"""Validation reports for people (text, HTML) and machines (Turtle, JSON-LD, CSV, JSON)."""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from spacekg.namespaces import RDF, RDFS, SH, SKG, XSD
from spacekg.pipeline import load_ontology
from spacekg.validate import REPORT_FORMATS, ValidationReport, diff, load_shapes, render, render_diff_text, report_graph, validate
from spacekg.validate.positions import turtle_positions

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "tests" / "fixtures" / "shapes"
SKGSH = "https://w3id.org/spacekg/shapes#"
HOSTILE = URIRef("https://w3id.org/spacekg/id/org/hostile")


@cache
def report() -> ValidationReport:
    """Records with problems, one of them labelled with markup that a page must not execute; withdrawals removed."""
    graph, positions = Graph(), {}
    for name in ("valid.ttl", "records.ttl"):
        text = (FIXTURES / name).read_text(encoding="utf-8")
        graph.parse(data=text, format="turtle")
        positions.update({s: p for s, p in turtle_positions(text, name).items() if s not in positions})
    graph.add((HOSTILE, RDF.type, SKG.ThinkTank))
    graph.add((HOSTILE, RDFS.label, Literal("<script>alert('x')</script> & Co", lang="en")))
    for subject in [s for s in graph.subjects() if "withdrawal" in str(s)]:
        graph.remove((subject, None, None))
    return validate(graph, load_shapes(PROJECT / "shapes" / "spacekg-shapes.ttl"), load_ontology(PROJECT / "ontology"), positions)


def test_text_groups_results_by_file_then_shape_and_ends_with_counts_and_idle_shapes() -> None:
    text = render(report(), "text")
    lines = text.splitlines()
    assert lines[0].startswith("SpaceKG validation: does not conform (7 violations, 0 warnings, 3 infos;")
    assert "records.ttl" in lines and "(no source file)" in lines
    assert "  skgsh:Record-confidence (curated record: skg:confidence): 2 results" in lines
    assert any(re.fullmatch(r"    Violation line 35: Confidence written as text <https://w3id.org/spacekg/id/org/bad-confidence>, "
                            r"path skg:confidence, value 'high'", line) for line in lines)
    table = text[text.index("Results per shape"):]
    assert re.search(r"skgsh:SourcedRecord-source\s+3\s+0\s+0", table)
    assert re.search(r"skgsh:Doubt-contested\s+0\s+0\s+2", table)
    assert lines[-1] == ("Shapes that matched no target: skgsh:WithdrawalAfterParticipationShape, "
                         "skgsh:WithdrawalEndsParticipationShape, skgsh:WithdrawalShape")


def test_html_page_is_self_contained_and_escapes_every_value() -> None:
    page = render(report(), "html")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in page
    assert not re.search(r"""(src|href)=["']?https?:""", page), "no external assets"
    assert "<h2><code>records.ttl</code></h2>" in page and "Shapes that matched no target" in page
    assert page.count('<td class="Violation">') == report().count("Violation")


def test_turtle_and_jsonld_carry_the_same_standard_report_graph() -> None:
    turtle = Graph().parse(data=render(report(), "ttl"), format="turtle")
    jsonld = ox.Store()
    jsonld.load(render(report(), "jsonld").encode(), format=ox.RdfFormat.JSON_LD)
    assert len(turtle) == len(report_graph(report())) == len(jsonld)
    results = list(turtle.subjects(RDF.type, SH.ValidationResult))
    assert len(results) == len(report().results)
    lines = {(str(turtle.value(r, SH.focusNode)), str(turtle.value(r, SKG.sourceFile)), turtle.value(r, SKG.sourceLine)) for r in results}
    assert ("https://w3id.org/spacekg/id/org/bad-confidence", "records.ttl", Literal(35, datatype=XSD.integer)) in lines
    assert turtle.value(URIRef("https://w3id.org/spacekg/id/org/no-source"), RDFS.label) == Literal("No source")


def test_csv_has_one_row_per_result_starting_with_where_to_fix_it() -> None:
    rows = list(csv.DictReader(io.StringIO(render(report(), "csv"))))
    assert len(rows) == len(report().results)
    assert list(rows[0])[:3] == ["severity", "file", "line"]
    assert {"severity": "Violation", "file": "records.ttl", "line": "40", "path": "dct:source",
            "source_shape": SKGSH + "SourcedRecord-source"}.items() <= rows[[r["focus_node"] for r in rows].index(
                "https://w3id.org/spacekg/id/org/no-source")].items()


def test_json_has_the_verdict_counts_results_and_idle_shapes() -> None:
    document = json.loads(render(report(), "json"))
    assert document["conforms"] is False
    assert document["counts"] == {"Violation": 7, "Warning": 0, "Info": 3}
    assert len(document["results"]) == 10 and document["results"][0]["line"] == 35
    assert {"shape": SKGSH + "Record-confidence", "Violation": 2, "Warning": 0, "Info": 0} in document["results_per_shape"]
    assert len(document["unmatched_shapes"]) == 3


def test_an_unknown_format_is_refused_with_the_known_ones() -> None:
    with pytest.raises(KeyError, match="text, html, ttl, jsonld, csv, json"):
        render(report(), "pdf")
    assert all(media.split(";")[0] in {"text/plain", "text/html", "text/turtle", "application/ld+json", "text/csv", "application/json"}
               for media, _ in REPORT_FORMATS.values())


def test_diff_text_lists_new_then_fixed_results() -> None:
    current = report_graph(report())
    previous = Graph() + current
    dropped = next(previous.subjects(SH.sourceShape, URIRef(SKGSH + "Record-note")))
    previous.remove((dropped, None, None))
    text = render_diff_text(diff(previous, current))
    assert text.splitlines()[0] == "1 new, 0 fixed, 9 unchanged since the previous release"
    assert text.splitlines()[1:] == ["New:", "  Violation records.ttl:39 skgsh:Record-note: Note in French "
                                     "<https://w3id.org/spacekg/id/org/bad-note> skos:note"]
