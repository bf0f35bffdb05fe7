"""What a request's envelope may decide (spacekg.web.edge): forged Host and X-Forwarded-* headers from a client the
operator has not said to trust change no link, redirect, VoID document, cached answer or cache size; a trusted
proxy's headers do. In-process, through Flask's test client (whose peer address is 127.0.0.1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from conftest import app_settings
from spacekg.errors import UsageError
from spacekg.store.releases import Release
from spacekg.web import create_app
from spacekg.web.edge import public_url, trusted_networks
from spacekg.web.site import CACHED_VALUES

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PROXY = {"X-Forwarded-Host": "example.org", "X-Forwarded-Proto": "https"}
FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
          "X-Forwarded-Prefix": "//evil.example", "Forwarded": "host=evil.example;proto=https"}
RELATIVE = "SELECT ?thing WHERE { BIND (<relative/thing> AS ?thing) }"
WHY = ("/why?s=https://w3id.org/spacekg/id/state/AUS&p=https://w3id.org/spacekg/ontology%23partyTo"
       "&o=https://w3id.org/spacekg/id/instrument/moon")
PAGES = ["/", "/query", "/query?query=SELECT+%3Fs+WHERE+%7B+%3Fs+a+skg%3ATreaty+%7D", "/chronology", "/norms", "/treaties", "/votes",
         "/ontology", "/validation", "/doc/instrument/ost", "/doc/state/USA", "/browse/event", "/sparql", WHY,
         "/doc/instrument/ost.ttl", "/doc/instrument/ost.trig", "/doc/instrument/ost.jsonld", "/ontology.ttl", "/.well-known/void"]


@pytest.fixture(scope="module")
def proxied(built_tiny: Release) -> Iterator[Flask]:
    """The app behind a proxy on 127.0.0.1 that the operator trusts."""
    application = create_app(app_settings(built_tiny, trusted_proxies="127.0.0.1"))
    yield application
    application.config["SPACEKG_FOLLOWER"].served.runner.close()


def relative_iri_answer(client: FlaskClient, headers: dict[str, str]) -> str:
    answer = client.get("/sparql", query_string={"query": RELATIVE}, headers={**headers, "Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    return str(json.loads(answer.data)["results"]["bindings"][0]["thing"]["value"])


def assert_answers_name(client: FlaskClient, headers: dict[str, str], base: str, absent: tuple[str, ...]) -> None:
    """/id/ redirects to documents under `base`, and no page, document or header names any of `absent`."""
    for accept, expected in [(BROWSER, f"{base}/doc/instrument/ost"), ("text/turtle", f"{base}/doc/instrument/ost.ttl")]:
        answer = client.get("/id/instrument/ost", headers={**headers, "Accept": accept})
        assert answer.status_code == 303 and answer.headers["Location"] == expected
    for path in PAGES:
        answer = client.get(path, headers={**headers, "Accept": BROWSER})
        assert answer.status_code == 200, path
        assert not any(host in answer.text for host in absent), path
        assert not any(host in value for host in absent for value in answer.headers.values()), path


def test_forged_host_and_forwarding_headers_from_an_untrusted_client_change_no_link_or_redirect(client: FlaskClient) -> None:
    assert_answers_name(client, FORGED, "http://localhost", absent=("evil.example",))


def test_forged_hosts_do_not_poison_the_result_cache_or_grow_the_caches(client: FlaskClient, app: Flask) -> None:
    for number in range(12):
        forged = {**FORGED, "Host": f"evil{number}.example", "X-Forwarded-Host": f"evil{number}.example"}
        assert relative_iri_answer(client, forged) == "http://localhost/relative/thing"
        assert client.get("/.well-known/void", headers=forged).status_code == 200
    assert relative_iri_answer(client, {}) == "http://localhost/relative/thing"
    served = app.config["SPACEKG_FOLLOWER"].served
    assert len(served.site._cache) <= CACHED_VALUES


def test_behind_a_trusted_proxy_no_link_redirect_or_rdf_term_names_the_internal_host(proxied: Flask) -> None:
    client = proxied.test_client()
    assert_answers_name(client, PROXY, "https://example.org", absent=("localhost", "127.0.0.1"))
    share = client.get("/query?query=ASK+%7B%7D", headers={**PROXY, "Accept": BROWSER}).text
    assert 'value="https://example.org/query?query=ASK' in share


def test_the_result_cache_keeps_answers_apart_by_the_base_a_trusted_proxy_forwards(proxied: Flask) -> None:
    client = proxied.test_client()
    for number in range(3):
        host = {**PROXY, "X-Forwarded-Host": f"mirror{number}.example.org"}
        assert relative_iri_answer(client, host) == f"https://mirror{number}.example.org/relative/thing"
    for number in range(3):
        void = client.get("/.well-known/void", headers={**PROXY, "X-Forwarded-Host": f"mirror{number}.example.org"})
        assert void.status_code == 200 and f"https://mirror{number}.example.org/sparql" in void.text


def test_the_per_release_value_cache_keeps_at_most_its_bound_the_least_recently_used_dropped(app: Flask) -> None:
    site = app.config["SPACEKG_FOLLOWER"].served.site
    for number in range(2 * CACHED_VALUES):
        assert site.cached(f"test-key-{number}", lambda number=number: number) == number
    assert len(site._cache) <= CACHED_VALUES
    assert "test-key-0" not in site._cache and f"test-key-{2 * CACHED_VALUES - 1}" in site._cache


def test_a_client_not_listed_as_a_proxy_is_not_trusted_even_when_others_are(built_tiny: Release) -> None:
    application = create_app(app_settings(built_tiny, trusted_proxies="10.0.0.0/8, 192.0.2.7"))
    try:
        client = application.test_client()
        answer = client.get("/id/instrument/ost", headers={**PROXY, "Accept": BROWSER})
        assert answer.headers["Location"] == "http://localhost/doc/instrument/ost"
        trusted = client.get("/id/instrument/ost", headers={**PROXY, "Accept": BROWSER}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
        assert trusted.headers["Location"] == "https://example.org/doc/instrument/ost"
    finally:
        application.config["SPACEKG_FOLLOWER"].served.runner.close()


@pytest.mark.parametrize(("configured", "host", "port", "expected"), [
    ("", "127.0.0.1", 5000, "http://127.0.0.1:5000"),
    ("", "0.0.0.0", 8080, "http://localhost:8080"),  # noqa: S104  (a bind address)
    ("", "::1", 5000, "http://[::1]:5000"),
    ("https://spacekg.example.org/", "127.0.0.1", 5000, "https://spacekg.example.org"),
    ("https://example.org/spacekg", "127.0.0.1", 5000, "https://example.org/spacekg"),
])
def test_the_public_url_is_the_configured_one_else_the_bound_address(configured: str, host: str, port: int, expected: str) -> None:
    assert public_url(configured, host, port) == expected


@pytest.mark.parametrize(("setting", "value", "fix"), [
    ("public_url", "evil.example", "SPACEKG_PUBLIC_URL"),
    ("public_url", "ftp://example.org", "SPACEKG_PUBLIC_URL"),
    ("trusted_proxies", "127.0.0.1, proxy.example", "SPACEKG_TRUSTED_PROXIES"),
])
def test_a_wrong_public_url_or_proxy_address_is_refused_naming_the_setting(setting: str, value: str, fix: str) -> None:
    with pytest.raises(UsageError) as refused:
        public_url(value, "127.0.0.1", 5000) if setting == "public_url" else trusted_networks(value)
    assert value.split(", ")[-1] in refused.value.message and fix in refused.value.hint
