"""An edit of the data is validated again only where it can change a result, and the report is the one a
full validation gives, result for result and line for line, after each kind of edit (validate/incremental.py).

Each case starts from a copy of the tiny project with a good release, edits it, and runs the validation
stage against that release (incremental) and without it (full), in this process.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from conftest import PROJECT, line_of
from spacekg.checks import start_check
from spacekg.namespaces import SKG
from spacekg.pipeline import assemble, build
from spacekg.settings import Settings
from spacekg.store.releases import current_release
from spacekg.validate import ValidationResult
from spacekg.validate import incremental as incremental_module
from spacekg.validate.engine import PYSHACL, choose_engine
from spacekg.validate.incremental import SUBJECTS_FILE, read_digests, subject_digests

Edit = Callable[[Settings], None]


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return list(reader.fieldnames or ()), list(reader)


def _write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8")


def changed_cell(project: Settings) -> None:
    """A date moved by a day (E044, the 1985 US ASAT test)."""
    events = project.data / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace("E044,1985-09-13,", "E044,1985-09-14,"), encoding="utf-8")


def added_row(project: Settings) -> None:
    """A row inserted at the top of a file: every later row of that file moves down a line."""
    path = project.data / "participation_actions.csv"
    fields, rows = _rows(path)
    first = dict(rows[0], date="2018-01-20")
    _write(path, fields, [first, *rows])


def deleted_row(project: Settings) -> None:
    """The first Artemis signatory's row removed."""
    path = project.data / "artemis_signatories.csv"
    fields, rows = _rows(path)
    _write(path, fields, rows[1:])


def cross_record_violation(project: Settings) -> None:
    """Afghanistan's ratification of the OST dated before the treaty was opened for signature, and before its own signature."""
    path = project.data / "participation_actions.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("AFG,Afghanistan,ost,ratification,1988-03-21",
                                                            "AFG,Afghanistan,ost,ratification,1966-03-21"), encoding="utf-8")


def another_records_date(project: Settings) -> None:
    """Afghanistan's OST signature (one row of two sources) moved after its ratifications: the unchanged ratification
    rows now break "consent after signature", a constraint that joins them to the signature at the actor and instrument."""
    path = project.data / "participation_actions.csv"
    text = path.read_text(encoding="utf-8")
    row = "AFG,Afghanistan,ost,signature,1967-01-27,,,fas-text-space5-htm"
    assert text.count(row) == 1
    path.write_text(text.replace(row, row.replace("1967-01-27", "1990-01-27")), encoding="utf-8")


def instrument_date(project: Settings) -> None:
    """The Moon Agreement opened for signature in 1990 (and in force from 1991): every unchanged act on it, which links
    to it, is now dated before it."""
    path = project.data / "instruments.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count(",1979-12-05,1979-12-18,New York,1984-07-11,") == 1
    path.write_text(text.replace(",1979-12-05,1979-12-18,New York,1984-07-11,", ",1979-12-05,1990-12-18,New York,1991-07-11,"), encoding="utf-8")


def shape_change(project: Settings) -> None:
    path = project.shapes / "spacekg-shapes.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment is a change of the shapes file\n", encoding="utf-8")


def ontology_change(project: Settings) -> None:
    path = project.ontology / "spacekg.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment is a change of the ontology file\n", encoding="utf-8")


def key(result: ValidationResult) -> tuple[str, ...]:
    return (result.where, result.focus_label, str(result.focus_node), result.path_text, str(result.source_shape), str(result.value),
            result.severity, result.message)


def validated(project: Settings, incremental: bool) -> tuple[str, int, list[tuple[str, ...]]]:
    """The validation stage's results after an edit: incrementally against the published release, or in full by the
    engine a build would choose (Jena where it runs: the same results as pySHACL, tests/test_shacl_engines.py)."""
    ontology, asserted, inputs = assemble(project)
    previous = current_release(project.releases) if incremental else None
    engine = PYSHACL if incremental else choose_engine("auto", project.cache)[0]
    checked = start_check(project, ontology, asserted, inputs, previous, engine).result()
    return checked.how, checked.revalidated, sorted(key(r) for r in checked.report.results)


@pytest.mark.parametrize("edit", [changed_cell, added_row, deleted_row, cross_record_violation, another_records_date, instrument_date],
                         ids=lambda e: e.__name__)
def test_an_edit_of_the_data_is_validated_incrementally_into_the_full_report(edit: Edit, published_project: Settings,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # On a graph this small an instrument's neighbourhood is most of it, and the cost rule would choose a full run;
    # what is tested here is that the focus nodes chosen are enough, so the rule is lifted.
    monkeypatch.setattr(incremental_module, "MOST", 1.0)
    edit(published_project)
    how, revalidated, incremental = validated(published_project, incremental=True)
    _, _, full = validated(published_project, incremental=False)
    assert how == "incremental" and 0 < revalidated < len(read_digests(current_release(published_project.releases).path / SUBJECTS_FILE) or {})
    assert incremental == full
    if edit in (another_records_date, instrument_date):  # the cases where unchanged rows gain a violation
        assert any(r[6] == "Violation" for r in full)
    if edit is cross_record_violation:  # before the treaty opened and before the actor's signature: two rules, one row
        line = line_of(published_project.data / "participation_actions.csv", "AFG,Afghanistan,ost,ratification,1966-03-21")
        assert sum(1 for r in incremental if r[0] == f"data/participation_actions.csv:{line}" and r[6] == "Violation") >= 2


def test_a_citation_retyped_under_an_unchanged_record_that_references_it(tiny_project: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the record's link to the citation (dct:references, which no constraint joins on) reaches it: the edited
    subject's neighbours must be validated again, not only the nodes joined to it."""
    monkeypatch.setattr(incremental_module, "MOST", 1.0)
    turtle = tiny_project.data / "stimson_space_security.ttl"
    original = turtle.read_text(encoding="utf-8")
    record = 'citation:only-in-turtle a skg:{} ; rdfs:label "A citation the Turtle file defines" ; dct:title "A citation the Turtle file defines" .\n'
    reference = "citation:seed-stimson-space-diplomacy dct:references citation:only-in-turtle .\n"
    turtle.write_text(original + record.format("WebPage") + reference, encoding="utf-8")
    build(tiny_project)
    turtle.write_text(original + record.format("Event") + reference, encoding="utf-8")
    how, _, incremental = validated(tiny_project, incremental=True)
    _, _, full = validated(tiny_project, incremental=False)
    assert how == "incremental" and incremental == full
    assert any(r[2].endswith("seed-stimson-space-diplomacy") and r[6] == "Violation" for r in full)


@pytest.mark.parametrize("edit", [shape_change, ontology_change], ids=lambda e: e.__name__)
def test_a_change_of_the_shapes_or_the_ontology_is_validated_in_full(edit: Edit, published_project: Settings) -> None:
    changed_cell(published_project)
    edit(published_project)
    ontology, asserted, inputs = assemble(published_project)
    engine, _ = choose_engine("auto", published_project.cache)  # Jena where it runs: started, then stopped (how it runs is the point)
    pending = start_check(published_project, ontology, asserted, inputs, current_release(published_project.releases), engine)
    pending.cancel()
    assert (pending.how, pending.revalidated) == ("full", 0)


def test_a_build_after_an_edit_says_it_validated_incrementally(published_project: Settings) -> None:
    changed_cell(published_project)
    said: list[str] = []
    release = build(published_project, progress=said.append)
    assert release.manifest["validation"]["how"] == "incremental"
    assert any(line.startswith("validation incremental (pyshacl") for line in said)
    assert (release.path / SUBJECTS_FILE).is_file()


@pytest.fixture(scope="module")
def shapes_graph() -> Graph:
    return Graph().parse(PROJECT / "shapes" / "spacekg-shapes.ttl")


def test_a_cycle_closed_far_from_its_other_members_revalidates_all_of_them(shapes_graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cycle check (`skg:buildsOn*`) sees every instrument on the cycle, however far from the edited one: the plan
    follows the unbounded property to its end, past the two join hops."""
    monkeypatch.setattr(incremental_module, "MOST", 1.0)  # eight nodes: every one is "most of the graph"
    chain = [URIRef(f"https://w3id.org/spacekg/id/instrument/i{n}") for n in range(8)]
    before = [(a, SKG.buildsOn, b) for a, b in zip(chain, chain[1:], strict=False)]
    after = [*before, (chain[-1], SKG.buildsOn, chain[0])]  # the last instrument now builds on the first: one cycle of 8
    edit = incremental_module.plan(subject_digests(before), subject_digests(after), after, shapes_graph, lambda _: set())
    assert edit is not None and edit.changed == {str(chain[-1])}
    assert set(chain) <= edit.revalidate
