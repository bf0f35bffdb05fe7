"""The query page's editor and example parameters, read through the whole app over the tiny release.

The editor is YASQE vendored under static/vendor/yasqe and our static/query-editor.js, allowed by a CSP that admits
scripts from this server only; an example's parameters are form fields, bound as `spacekg query --param` binds them,
so an example answers on the page what it answers from the CLI (the Chronology example answered no row before).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from markupsafe import escape
from werkzeug.test import TestResponse

from conftest import PROJECT, Ask
from spacekg.namespaces import PREFIXES
from spacekg.queries import CannedQuery
from test_pages import Page, check_page, html

VENDOR = PROJECT / "src" / "spacekg" / "web" / "static" / "vendor" / "yasqe"
CHRONOLOGY = "chronology"


def example_href(page: TestResponse, title: str) -> str:
    """The link of the example with this title on the query page."""
    match = re.search(r'<a href="([^"]+)">' + re.escape(str(escape(title))) + "</a>", page.text)
    assert match, title
    return unescape(match.group(1))


def table_cells(page: TestResponse) -> list[list[str]]:
    """The answer table's rows, each cell's text (tags dropped, whitespace squeezed)."""
    body = page.text.partition('<table class="answer">')[2].partition("</table>")[0].partition("<tbody>")[2]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    return [[" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in re.findall(r"<td>(.*?)</td>", row, flags=re.S)]
            for row in rows]


def json_download(client: FlaskClient, page: TestResponse) -> list[dict[str, str]]:
    """The rows of the page's SPARQL JSON download, each variable's lexical value."""
    link = next(unescape(href) for href in re.findall(r'href="(/sparql\?[^"]+)"', page.text) if "format=json" in unescape(href))
    answer = client.get(link)
    assert answer.status_code == 200, answer.text
    return [{name: cell["value"] for name, cell in binding.items()} for binding in answer.get_json()["results"]["bindings"]]


def lexical(rows: list[dict[str, str | None]] | list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows to compare: unbound cells left out, and GROUP_CONCAT's lists in one order (SPARQL leaves theirs open)."""
    return [{name: " ".join(sorted(value.split())) for name, value in row.items() if value is not None} for row in rows]


def test_the_content_security_policy_allows_scripts_from_this_server_only(client: FlaskClient) -> None:
    policy = html(client, "/query").headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["script-src"] == ["'self'"], "no inline script, no eval, no other origin"
    assert directives["default-src"] == ["'none'"] and directives["style-src"] == ["'self'"]
    assert directives["connect-src" if "connect-src" in directives else "default-src"] == ["'none'"], "the editor fetches nothing"
    tooltip_style = "'sha256-" + base64.b64encode(hashlib.sha256(b"text-decoration:underline").digest()).decode() + "'"
    assert directives["style-src-attr"] == ["'unsafe-hashes'", tooltip_style], "one style attribute, YASQE's tooltip's, by hash"
    for kept in ("img-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert kept in policy


def test_the_query_page_links_the_vendored_editor_and_our_script_served_with_their_media_types(client: FlaskClient) -> None:
    page = Page(html(client, "/query").text)
    scripts = [attrs.get("src") for tag, attrs in page.tags if tag == "script"]
    assert scripts == ["/static/vendor/yasqe/yasqe.min.js", "/static/query-editor.js"]
    assert all(attrs.get("defer") is None and "defer" in attrs for tag, attrs in page.tags if tag == "script"), "scripts never block the page"
    assert "/static/vendor/yasqe/yasqe.min.css" in page.loads
    for path, media in [("/static/vendor/yasqe/yasqe.min.js", "text/javascript"), ("/static/query-editor.js", "text/javascript"),
                        ("/static/vendor/yasqe/yasqe.min.css", "text/css")]:
        with client.get(path) as served:
            assert served.status_code == 200 and served.mimetype == media, path
            body = served.get_data()
        assert body, path


def test_the_vendored_files_are_the_ones_the_readme_records() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for name in ("yasqe.min.js", "yasqe.min.css", "LICENSE"):
        digest = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
        assert f"`{digest}`  {name}" in readme or f"| `{name}` | `{digest}` |" in readme, name
    assert "@zazuko/yasqe" in readme and "sha512-" in readme


def test_the_editor_reads_our_predeclared_prefixes_from_the_page(client: FlaskClient) -> None:
    text = html(client, "/query").text
    attribute = re.search(r"data-prefixes='([^']*)'", text)
    assert attribute and json.loads(unescape(attribute.group(1))) == PREFIXES


def test_an_examples_parameters_are_form_fields_with_the_defaults_of_its_header(client: FlaskClient, catalogue: dict[str, CannedQuery]) -> None:
    example = catalogue[CHRONOLOGY]
    listing = html(client, "/query")
    href = example_href(listing, example.title)
    assert href.startswith("/query?query=")
    opened = html(client, href)
    assert opened.status_code == 200 and check_page(opened.text) == []
    controls = {attrs.get("name"): attrs.get("value") for tag, attrs in Page(opened.text).controls if tag == "input"}
    assert {f"param.{p.name}": p.default for p in example.parameters}.items() <= controls.items()


def test_the_chronology_example_answers_on_the_page_what_it_answers_from_the_cli(client: FlaskClient, catalogue: dict[str, CannedQuery],
                                                                                ask: Ask) -> None:
    """The regression: its parameters were left unbound on the web, so ?from and ?to failed every FILTER and no row came back."""
    expected = ask(CHRONOLOGY)
    assert expected, "the tiny release has events in the default range"
    page = html(client, example_href(html(client, "/query"), catalogue[CHRONOLOGY].title))
    cells = table_cells(page)
    assert len(cells) == len(expected)
    events = [row[3].split()[0] for row in cells]  # ?event is the fourth column; its cell starts with the compact name
    assert events == [row["event"].rsplit("/", 2)[-2] + ":" + row["event"].rsplit("/", 1)[-1] for row in expected]
    assert lexical(json_download(client, page)) == lexical(expected), "the downloads carry the same bound answer"


def test_an_example_opened_as_plain_text_runs_with_its_defaults(client: FlaskClient, catalogue: dict[str, CannedQuery], ask: Ask) -> None:
    page = html(client, "/query", query=catalogue[CHRONOLOGY].text)
    assert len(table_cells(page)) == len(ask(CHRONOLOGY)) > 0


def test_binding_a_parameter_changes_the_answer(client: FlaskClient, catalogue: dict[str, CannedQuery], ask: Ask) -> None:
    example = catalogue[CHRONOLOGY]
    everything = ask(CHRONOLOGY)
    first_day = min(row["date"] or "" for row in everything)
    later = sorted({row["event"] for row in everything if (row["date"] or "") > first_day})
    assert later and len(later) < len({row["event"] for row in everything}), "the tiny release has events on more than one day"
    cut = next(row["date"] for row in everything if row["event"] == later[0])
    assert cut
    params = {"param.from": cut[:10] if len(cut) >= 10 else f"{cut[:4]}-01-01"}
    page = html(client, "/query", query=example.text, **params)
    expected = ask(CHRONOLOGY, {"from": params["param.from"]})
    assert 0 < len(table_cells(page)) == len(expected) < len(everything)
    assert lexical(json_download(client, page)) == lexical(expected)
    share = Page(page.text).tags
    shared = next(attrs["value"] for tag, attrs in share if tag == "input" and attrs.get("id") == "share")
    assert parse_qs(urlsplit(str(shared)).query)["param.from"] == [params["param.from"]], "the link to share keeps the value"


def test_an_empty_field_leaves_its_variable_unbound(client: FlaskClient, catalogue: dict[str, CannedQuery], tiny_store: ox.Store) -> None:
    example = catalogue["state-treaty-status"]
    unbound = tiny_store.query(example.text, use_default_graph_as_union=True)
    assert isinstance(unbound, ox.QuerySolutions)
    page = html(client, "/query", query=example.text, **{"param.state": ""})
    assert page.status_code == 200 and len(table_cells(page)) == len(list(unbound))


def test_a_query_of_ones_own_binds_the_fields_it_is_given(client: FlaskClient) -> None:
    query = "SELECT ?treaty ?label WHERE { ?treaty rdfs:label ?label }"
    page = html(client, "/query", query=query, **{"param.treaty": "https://w3id.org/spacekg/id/instrument/ost"})
    assert page.status_code == 200 and [row[0].split()[0] for row in table_cells(page)] == ["instrument:ost"]


@pytest.mark.parametrize(("params", "named"), [
    ({"param.from": "yesterday"}, "from"),
    ({"param.from": "2020-02-30"}, "from"),
    ({"param.type": "https://w3id.org/spacekg/ontology#Not An Iri"}, "type"),
    ({"param.towards": "x"}, "towards"),
    ({"param.bad name": "x"}, "'bad name'"),
    ({"param.to": "x" * 3000}, "to"),
    ({"param.to": "1\x00"}, "to"),
])
def test_a_bad_parameter_is_a_400_that_names_it(client: FlaskClient, catalogue: dict[str, CannedQuery], params: dict[str, str], named: str) -> None:
    page = html(client, "/query", query=catalogue[CHRONOLOGY].text, **params)
    assert page.status_code == 400, params
    message = unescape(page.text.partition('<span class="message">')[2].partition("</span>")[0])
    assert f"parameter {named}" in message, message
    assert check_page(page.text) == [], "the form comes back with the message, as valid HTML"


def test_a_parameter_given_twice_is_a_400(client: FlaskClient, catalogue: dict[str, CannedQuery]) -> None:
    page = client.get("/query", query_string=[("query", catalogue[CHRONOLOGY].text), ("param.from", "2000-01-01"), ("param.from", "2001-01-01")],
                      headers={"Accept": "text/html"})
    assert page.status_code == 400 and "parameter from is given 2 times" in page.text


def test_every_examples_link_opens_it_with_its_default_fields_and_answers(client: FlaskClient, catalogue: dict[str, CannedQuery]) -> None:
    listing = html(client, "/query")
    for example in catalogue.values():
        page = html(client, example_href(listing, example.title))
        assert page.status_code == 200, (example.name, page.text[-800:])
        names = {attrs.get("name") for tag, attrs in Page(page.text).controls if tag == "input"}
        assert {f"param.{p.name}" for p in example.parameters} <= names, example.name


def test_the_script_is_our_own_file_and_fetches_nothing() -> None:
    source = (PROJECT / "src" / "spacekg" / "web" / "static" / "query-editor.js").read_text(encoding="utf-8")
    script = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.S)  # the code, not the comments that say what is switched off
    for remote in ("fetch(", "XMLHttpRequest", "http://", "https://", "localStorage", "eval(", "innerHTML"):
        assert remote not in script, remote
    assert (VENDOR / "LICENSE").read_text(encoding="utf-8").startswith("The MIT License")
