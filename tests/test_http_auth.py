"""HTTP authentication with a remote store: Digest answers checked against the RFCs' own examples, and the choice of scheme.

The exchange with a real store that asks for Digest (Virtuoso's Graph Store Protocol service) is in tests/test_virtuoso_store.py.
"""

from __future__ import annotations

import base64

from spacekg.store.http_auth import Authorizer, digest_authorization

RFC_7616_CHALLENGE = {"realm": "http-auth@example.org", "qop": "auth, auth-int", "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
                      "opaque": "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"}
RFC_7616_CLIENT_NONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


def test_a_digest_answer_matches_the_rfc_2617_example() -> None:
    challenge = {"realm": "testrealm@host.com", "qop": "auth,auth-int", "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                 "opaque": "5ccc069c403ebaf9f0171e9517f40e41"}
    answer = digest_authorization(challenge, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", 1, "0a4f113b")
    assert 'response="6629fae49393a05397450978507c4ef1"' in answer
    assert "qop=auth, nc=00000001" in answer and 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in answer


def test_a_digest_answer_matches_the_rfc_7616_examples_in_md5_and_sha_256() -> None:
    for algorithm, response in (("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
                                ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")):
        challenge = {**RFC_7616_CHALLENGE, "algorithm": algorithm}
        answer = digest_authorization(challenge, "Mufasa", "Circle of Life", "GET", "/dir/index.html", 1, RFC_7616_CLIENT_NONCE)
        assert f'response="{response}"' in answer, algorithm


def test_no_credentials_go_out_before_the_store_asks() -> None:
    assert Authorizer("publisher", "secret").headers("PUT", "http://127.0.0.1:8890/store?graph=x") == {}


def test_a_basic_challenge_is_answered_in_basic() -> None:
    authorizer = Authorizer("publisher", "secret")
    assert authorizer.learn('Basic realm="store"')
    sent = authorizer.headers("PUT", "http://127.0.0.1:8890/store")["Authorization"]
    assert base64.b64decode(sent.removeprefix("Basic ")) == b"publisher:secret"


def test_digest_is_chosen_over_basic_and_each_request_counts_up() -> None:
    authorizer = Authorizer("publisher", "secret")
    assert authorizer.learn('Basic realm="x", Digest realm="SPARQL", nonce="abc", qop="auth", algorithm="MD5"')
    first = authorizer.headers("PUT", "http://127.0.0.1:8890/sparql-graph-crud-auth?graph=https%3A%2F%2Fw3id.org%2Fspacekg%2Fgraph%2Fmeta")
    second = authorizer.headers("PUT", "http://127.0.0.1:8890/sparql-graph-crud-auth?graph=x")
    assert first["Authorization"].startswith("Digest ") and "nc=00000001" in first["Authorization"] and "nc=00000002" in second["Authorization"]
    assert 'uri="/sparql-graph-crud-auth?graph=https%3A%2F%2Fw3id.org%2Fspacekg%2Fgraph%2Fmeta"' in first["Authorization"]


def test_a_challenge_these_credentials_cannot_answer_is_declined() -> None:
    assert not Authorizer("u", "p").learn('Digest realm="r", nonce="n", qop="auth-int"')  # would hash the body
    assert not Authorizer("u", "p").learn('Digest realm="r", nonce="n", algorithm="SHA-512-256"')
    assert not Authorizer("u", "p").learn('Bearer realm="r"')
