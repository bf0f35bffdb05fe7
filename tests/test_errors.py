"""Every error class of spacekg.errors, walked: the HTTP answer it becomes and the exit code it gives.

One example of each class is raised inside the real app (a route added to a fresh app for this module)
and reported by the real CLI error path; a new class without an example here fails the walk, so every
new kind of error is looked at once. The query process's errors travel as their class name and come
back as the same class.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from conftest import app_settings
from spacekg import errors
from spacekg.cli import report_error
from spacekg.errors import SourcePosition, SpaceKGError
from spacekg.store.releases import Release
from spacekg.validate import ValidationReport
from spacekg.web import create_app
from spacekg.web.evaluation import QueryJob, QueryOutcome, evaluate

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
TRACE = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+")


@dataclass(frozen=True)
class Contradiction:
    """A clash as InconsistencyError needs it (its to_text); the reasoner's real clashes are tested in test_reason.py."""

    text: str

    def to_text(self) -> str:
        return self.text


HINT = "do this <instead> & retry"
EXAMPLES: dict[type[SpaceKGError], Callable[[], SpaceKGError]] = {
    errors.SpaceKGError: lambda: errors.SpaceKGError("something <failed>", HINT),
    errors.SourceDataError: lambda: errors.SourceDataError(SourcePosition("data/events.csv", 7, "2 (date)"), "bad date <x>", HINT),
    errors.RequestTimeout: lambda: errors.RequestTimeout("the body did not arrive within <10 s>", HINT),
    errors.ServerBusy: lambda: errors.ServerBusy("every query process is <busy>", HINT),
    errors.SourceDataErrors: lambda: errors.SourceDataErrors([errors.SourceDataError(SourcePosition("data/events.csv", 7), "bad <date>", HINT)]),
    errors.ShapesNotEvaluable: lambda: errors.ShapesNotEvaluable("a <SPARQL> constraint"),
    errors.DataDoesNotConform: lambda: errors.DataDoesNotConform(ValidationReport(results=())),
    errors.InconsistencyError: lambda: errors.InconsistencyError([Contradiction("<x> is both a State and an Event")]),
    errors.UsageError: lambda: errors.UsageError("bad <argument>", HINT),
    errors.QueryError: lambda: errors.QueryError("SPARQL syntax error <here>", HINT),
    errors.NotInferredError: lambda: errors.NotInferredError("<s> <p> <o> is asserted, not inferred", HINT),
    errors.Forbidden: lambda: errors.Forbidden("SERVICE is not <allowed>", HINT),
    errors.NotAcceptable: lambda: errors.NotAcceptable("format <png> is not available", HINT),
    errors.PayloadTooLarge: lambda: errors.PayloadTooLarge("the query is <too> large", HINT),
    errors.UnsupportedMediaType: lambda: errors.UnsupportedMediaType("unsupported <Content-Type>", HINT),
    errors.NoReleaseError: lambda: errors.NoReleaseError("no <release>", HINT),
    errors.ExplanationsUnavailable: lambda: errors.ExplanationsUnavailable("no <derivations> here", HINT),
    errors.RemoteStoreError: lambda: errors.RemoteStoreError("the <store> did not answer", HINT),
    errors.QueryTimeout: lambda: errors.QueryTimeout("the query ran past the time limit <2 s>", HINT),
    errors.SandboxUnavailable: lambda: errors.SandboxUnavailable("no <seccomp>", HINT),
    errors.QueryProcessFailed: lambda: errors.QueryProcessFailed("the query <process> failed"),
    errors.QueryProcessKilled: lambda: errors.QueryProcessKilled("the query <process> was killed from outside", "try again"),
    errors.BuildInProgress: lambda: errors.BuildInProgress("another <build> is publishing", HINT),
    errors.ReleaseNotWritable: lambda: errors.ReleaseNotWritable("cannot write <releases>", HINT),
    errors.UnsupportedAxiomError: lambda: errors.UnsupportedAxiomError("owl:<Restriction> is not implemented", HINT),
}
CLASSES = errors.all_error_classes()


@pytest.fixture(scope="module")
def raising_client(built_tiny: Release) -> Iterator[FlaskClient]:
    """A fresh app over the tiny release with one more route, /raise/<class name>, that raises that class's example."""
    app: Flask = create_app(app_settings(built_tiny))

    def raise_example(name: str) -> str:
        raise EXAMPLES[errors.by_name(name)]()

    app.add_url_rule("/raise/<name>", view_func=raise_example)
    yield app.test_client()
    app.config["SPACEKG_FOLLOWER"].served.runner.close()


def test_every_error_class_lives_in_the_errors_module_and_has_an_example_here() -> None:
    assert {cls.__module__ for cls in CLASSES} == {"spacekg.errors"}
    assert set(CLASSES) == set(EXAMPLES), "give the new error class an example above"


def test_no_two_error_classes_share_a_name() -> None:
    names = [cls.__name__ for cls in CLASSES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("cls", CLASSES, ids=[cls.__name__ for cls in CLASSES])
def test_a_program_gets_the_status_of_the_class_and_its_message_as_plain_text(cls: type[SpaceKGError], raising_client: FlaskClient) -> None:
    error = EXAMPLES[cls]()
    answer = raising_client.get(f"/raise/{cls.__name__}")
    assert answer.status_code == cls.http_status
    assert answer.mimetype == "text/plain"
    assert answer.text == str(error) + "\n"  # message, then "fix:" and the hint, unescaped: it is plain text
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers.get("Retry-After") == (None if cls.retry_after_s is None else str(cls.retry_after_s))
    assert not TRACE.search(answer.text)


@pytest.mark.parametrize("cls", CLASSES, ids=[cls.__name__ for cls in CLASSES])
def test_a_browser_gets_the_status_of_the_class_on_an_escaped_page(cls: type[SpaceKGError], raising_client: FlaskClient) -> None:
    error = EXAMPLES[cls]()
    answer = raising_client.get(f"/raise/{cls.__name__}", headers={"Accept": BROWSER})
    assert answer.status_code == cls.http_status
    assert answer.mimetype == "text/html"
    assert "<x>" not in answer.text and "<here>" not in answer.text and "<instead>" not in answer.text
    assert str(escape(error.message.splitlines()[0])) in answer.text
    assert str(escape(error.hint)) in answer.text
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]


@pytest.mark.parametrize("cls", CLASSES, ids=[cls.__name__ for cls in CLASSES])
def test_the_cli_prints_the_error_and_its_fix_and_exits_with_the_class_code(cls: type[SpaceKGError], capsys: pytest.CaptureFixture[str]) -> None:
    error = EXAMPLES[cls]()
    assert report_error(error) == cls.exit_code
    printed = capsys.readouterr().err
    assert printed == f"error: {error}\n"
    if error.hint:
        assert f"\n  fix: {error.hint}" in printed


def test_an_unexpected_exception_is_a_short_plain_500_without_a_trace(built_tiny: Release, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(app_settings(built_tiny))

    def fail() -> str:
        raise RuntimeError("an internal detail /secret/path")

    app.add_url_rule("/fail", view_func=fail)
    try:
        answer = app.test_client().get("/fail", headers={"Accept": BROWSER})
    finally:
        app.config["SPACEKG_FOLLOWER"].served.runner.close()
    assert answer.status_code == 500 and answer.mimetype == "text/plain"
    assert "secret" not in answer.text and not TRACE.search(answer.text)
    assert any("secret" in str(record.exc_info[1]) for record in caplog.records if record.exc_info), "the error is logged, with its detail"


@pytest.mark.parametrize(("query", "graphs", "cls"), [
    ("SELECT ?x WHERE { ?x", (), errors.QueryError),  # does not parse
    ("SELECT * WHERE { ?s ?p ?o }", ("not an IRI",), errors.QueryError),  # parses, cannot be evaluated
])
def test_an_evaluation_error_travels_as_its_class_name_and_is_raised_again_as_that_class(
        tiny_store: ox.Store, query: str, graphs: tuple[str, ...], cls: type[SpaceKGError]) -> None:
    outcome = evaluate(tiny_store, QueryJob(query, "application/sparql-results+json", "text/turtle", 10, default_graphs=graphs))
    assert outcome.error_class == cls.__name__ and outcome.error
    with pytest.raises(cls) as raised:
        outcome.raise_for_error()
    assert type(raised.value) is cls and raised.value.http_status == cls.http_status


@pytest.mark.parametrize("cls", [errors.Forbidden, errors.SandboxUnavailable, errors.QueryProcessFailed, errors.QueryError])
def test_an_outcome_raises_exactly_the_class_it_names_with_its_message_and_hint(cls: type[SpaceKGError]) -> None:
    outcome = QueryOutcome.failed(cls("what went wrong", "what to do"))
    with pytest.raises(cls) as raised:
        outcome.raise_for_error()
    assert type(raised.value) is cls
    assert (raised.value.message, raised.value.hint) == ("what went wrong", "what to do")


def test_an_outcome_without_an_error_is_returned_as_it_is() -> None:
    outcome = QueryOutcome(b"{}", "application/sparql-results+json", "ask", 1, False)
    assert outcome.raise_for_error() is outcome
