"""A remote SPARQL 1.1 store: a release is published over the Graph Store Protocol and queried over the SPARQL Protocol.

Any store that speaks both standards works (Oxigraph server, Apache Jena Fuseki, GraphDB, Virtuoso …;
see docs/remote-store.md). The release's named graphs keep their names in the remote store; queries that
SpaceKG sends name them as the dataset (default-graph-uri and named-graph-uri), so the remote store may
hold other graphs beside them and its own default graph is never read.

HTTP goes through urllib3: pooled keep-alive connections matter because a page makes many small lookups.
Credentials are sent in the scheme the store asks for (http_auth); what a store says beside the standard
answer, such as a time limit or a row limit it reached, is read by dialects.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox
import urllib3

from spacekg.errors import QueryError, QueryTimeout, RemoteStoreError, UsageError
from spacekg.namespaces import SKG, Minter
from spacekg.store.dialects import canonical_results, raise_if_stopped_early, rows_cut_at
from spacekg.store.http_auth import Authorizer
from spacekg.store.releases import Release

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
QUERY_ACCEPT = f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"
# Ask for the one format the query's form answers in: Virtuoso answers CONSTRUCT in results JSON when that comes first,
# and SELECT as an RDF graph when N-Triples does.
ACCEPT_BY_FORM = {"SELECT": RESULTS_JSON, "ASK": RESULTS_JSON, "CONSTRUCT": N_TRIPLES, "DESCRIBE": N_TRIPLES}
_PROLOGUE = re.compile(r"(?:\s|#[^\n]*|(?i:BASE)\s*<[^>]*>|(?i:PREFIX)\s+[^\s:]*:\s*<[^>]*>)*")
MAX_ANSWER_BYTES = 256 << 20  # a remote answer larger than this is refused rather than held in memory
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class RemoteEndpoint:
    """A URL of the remote store, and the credentials its user:password@ part carried (sent as the store asks, see http_auth)."""

    url: str
    authorizer: Authorizer | None = field(default=None, compare=False)

    @classmethod
    def parse(cls, url: str, what: str) -> RemoteEndpoint:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"{what} {url!r} is not an http(s) URL", "e.g. http://127.0.0.1:7878/query")
        if parts.username is None:
            return cls(url)
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
        return cls(bare, Authorizer(unquote(parts.username), unquote(parts.password or "")))


@dataclass(frozen=True)
class Answer:
    """A 2xx answer of the remote store: its media type, its body, and the row count at which the store cut it (if it says)."""

    media: str
    body: bytes
    rows_cut_at: int | None = None


_pool = urllib3.PoolManager(maxsize=16, retries=urllib3.Retry(total=2, connect=2, read=0, status=0, redirect=2))


def request(endpoint: RemoteEndpoint, method: str, *, timeout_s: float, body: bytes | None = None,
            fields: Sequence[tuple[str, str]] = (), headers: Mapping[str, str] | None = None,
            query_string: str = "") -> Answer:
    """One HTTP exchange with the remote store: its 2xx answer, else RemoteStoreError (QueryTimeout if the store ran out of time).

    The whole exchange, reading and one answer to an authentication challenge included, ends within `timeout_s`.
    """
    deadline = time.monotonic() + timeout_s
    url = endpoint.url + (("&" if "?" in endpoint.url else "?") + query_string if query_string else "")
    all_headers = dict(headers or {})
    if fields:
        body = urlencode(list(fields)).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    authorizer = endpoint.authorizer
    for attempt in (1, 2):
        credentials = authorizer.headers(method, url) if authorizer else {}
        response, data = _exchange(endpoint, method, url, body, {**all_headers, **credentials}, deadline, timeout_s)
        # A store that asks for credentials (first contact, or a stale Digest nonce) is answered once, within the same deadline.
        if response.status != 401 or authorizer is None or attempt == 2 or not authorizer.learn(response.headers.get("WWW-Authenticate", "")):
            break
    media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    raise_if_stopped_early(response.status, response.headers, data)
    if response.status == 400:
        raise QueryError(f"the remote store rejected the query: {_excerpt(data)}", "check the query near the position given")
    if response.status == 401:
        refusal = f"refused the user {authorizer.user!r}" if authorizer else "asks for a user and password"
        raise RemoteStoreError(f"the remote store at {endpoint.url} {refusal}",
                               "give a user the store lets write in the URL: http://USER:PASSWORD@HOST/... (see docs/remote-store.md)")
    if not 200 <= response.status < 300:
        raise RemoteStoreError(f"the remote store answered {response.status} to {method} {endpoint.url}: {_excerpt(data)}",
                               "see the remote store's log")
    return Answer(media, data, rows_cut_at(response.headers))


def _exchange(endpoint: RemoteEndpoint, method: str, url: str, body: bytes | None, headers: Mapping[str, str], deadline: float,
              timeout_s: float) -> tuple[urllib3.BaseHTTPResponse, bytes]:
    """Send one request and read its whole answer by the deadline."""
    late = QueryTimeout(f"the remote store did not answer within the time limit of {timeout_s:g} s", "add LIMIT, or narrow the query")
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise late
    try:
        response = _pool.request(method, url, body=body, headers=headers, timeout=urllib3.Timeout(total=remaining), preload_content=False)
        chunks, size = [], 0
        try:
            for chunk in response.stream(1 << 16):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    raise RemoteStoreError(f"the remote store's answer is larger than {MAX_ANSWER_BYTES >> 20} MB",
                                           "add LIMIT, or narrow the query")
                if time.monotonic() > deadline:
                    raise late
        except (RemoteStoreError, QueryTimeout):
            response.close()  # an answer cut off midway leaves its connection unusable: drop it, not back to the pool
            raise
        response.release_conn()
    except urllib3.exceptions.TimeoutError as error:
        raise late from error
    except urllib3.exceptions.HTTPError as error:
        raise RemoteStoreError(f"the remote store at {endpoint.url} cannot be reached: {error}",
                               "check that it is running and that the URL is right") from error
    return response, b"".join(chunks)


def _excerpt(data: bytes) -> str:
    return " ".join(data.decode("utf-8", errors="replace").split())[:300]


def publish_release(release: Release, graph_store: str, timeout_s: float = 600.0) -> dict[str, int]:
    """Write each named graph of `release` to a Graph Store Protocol service (PUT replaces the graph); return triples per graph.

    The meta graph goes last: it names the release, so a store names a release only once it holds all of its graphs.
    """
    endpoint = RemoteEndpoint.parse(graph_store, "graph store")
    meta = str(Minter(str(release.manifest.get("base_iri", "https://w3id.org/spacekg/"))).graph("meta"))
    graphs = sorted(release.manifest["graphs"], key=lambda iri: (iri == meta, iri))
    store = release.open_store()
    written = {}
    with tempfile.TemporaryDirectory(prefix="spacekg-publish-") as scratch:
        for graph in graphs:
            path = Path(scratch) / "graph.nt"
            store.dump(str(path), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
            request(endpoint, "PUT", timeout_s=timeout_s, body=path.read_bytes(), headers={"Content-Type": N_TRIPLES},
                    query_string=urlencode({"graph": graph}))
            written[graph] = int(release.manifest["graphs"][graph])  # the build counted them
    return written


class RemoteStore:
    """The part of pyoxigraph.Store that SpaceKG's pages use, answered by a remote SPARQL endpoint.

    Blank nodes cannot be named from one request to the next, so a lookup that starts at a blank node finds nothing.
    `rows_read` is how many rows of an answer the caller reads at most (the endpoint's row cap and one more, to see
    that there are more); 0, as for pages, means every row. An answer the store cut before that is refused.
    """

    def __init__(self, endpoint: RemoteEndpoint, graphs: Sequence[str], timeout_s: float, rows_read: int = 0) -> None:
        self.endpoint = endpoint
        self.graphs = tuple(graphs)
        self.timeout_s = timeout_s
        self.rows_read = rows_read

    def exchange(self, text: str, *, union_default: bool, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
                 timeout_s: float | None = None) -> Answer:
        """Send a query with an explicit dataset: the release's graphs, or the graphs the caller names."""
        fields = [("query", text)]
        if union_default:
            fields += [("default-graph-uri", graph) for graph in self.graphs]
        fields += [("default-graph-uri", graph) for graph in default_graphs]
        fields += [("named-graph-uri", graph) for graph in (named_graphs or self.graphs)]
        return request(self.endpoint, "POST", timeout_s=timeout_s or self.timeout_s, fields=fields,
                       headers={"Accept": ACCEPT_BY_FORM.get(query_form(text), QUERY_ACCEPT)})

    def query(self, text: str, *, prefixes: Mapping[str, str] | None = None, substitutions: Mapping[ox.Variable, Term] | None = None,
              use_default_graph_as_union: bool = False, default_graph: Sequence[ox.NamedNode] | None = None,
              named_graphs: Sequence[ox.NamedNode] | None = None, base_iri: str | None = None,
              timeout_s: float | None = None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Like pyoxigraph.Store.query; graph answers come back as the triples of a CONSTRUCT over them."""
        full_text = with_prologue(bind_values(text, substitutions or {}), prefixes or {}, base_iri)
        answer = self.exchange(full_text, union_default=use_default_graph_as_union and not default_graph,
                               default_graphs=[g.value for g in default_graph or ()],
                               named_graphs=[g.value for g in named_graphs or ()], timeout_s=timeout_s)
        cut = answer.rows_cut_at
        if cut is not None and (self.rows_read == 0 or cut < self.rows_read):
            raise RemoteStoreError(f"the remote store cut its answer at {cut} rows (its own row limit), before SpaceKG's row cap",
                                   "raise the store's row limit above SpaceKG's row cap (Virtuoso: ResultSetMaxRows; see docs/remote-store.md)")
        if answer.media == RESULTS_JSON:
            return ox.parse_query_results(canonical_results(answer.body), format=ox.QueryResultsFormat.JSON)
        if answer.media == N_TRIPLES:
            # pyoxigraph makes query answers only from a store: load the triples and read them back as a graph answer.
            scratch = ox.Store()
            scratch.bulk_load(answer.body, format=ox.RdfFormat.N_TRIPLES)
            return scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        raise RemoteStoreError(f"the remote store answered with {answer.media or 'no media type'}, not {RESULTS_JSON} or {N_TRIPLES}",
                               "check that the URL is the store's SPARQL query endpoint")

    def quads_for_pattern(self, subject: Term | None, predicate: ox.NamedNode | None, obj: Term | None,
                          graph_name: ox.NamedNode | ox.DefaultGraph | None = None) -> Iterator[ox.Quad]:
        if isinstance(subject, ox.BlankNode) or isinstance(obj, ox.BlankNode):
            return iter(())
        pattern = " ".join(str(term) if term is not None else f"?{name}" for name, term in (("s", subject), ("p", predicate), ("o", obj)))
        graph = str(graph_name) if isinstance(graph_name, ox.NamedNode) else "?g"
        result = self.query(f"SELECT * WHERE {{ GRAPH {graph} {{ {pattern} }} }}")
        assert isinstance(result, ox.QuerySolutions)
        return iter([ox.Quad(subject or row["s"], predicate or row["p"], obj or row["o"],  # type: ignore[arg-type]
                             graph_name if isinstance(graph_name, ox.NamedNode) else row["g"]) for row in result])

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        assert isinstance(result, ox.QuerySolutions)
        graphs = [row["g"] for row in result]
        if not graphs or not all(isinstance(graph, ox.NamedNode) for graph in graphs):
            # SPARQL gives `GRAPH ?g {}` one solution per named graph, and Oxigraph answers it from its list of graphs; Virtuoso 7
            # answers one solution with ?g unbound (none once named-graph-uri is given), so such a store is asked for graphs with triples.
            result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
            assert isinstance(result, ox.QuerySolutions)
            graphs = [row["g"] for row in result]
        return iter([graph for graph in graphs if isinstance(graph, ox.NamedNode)])


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the first word after the prologue (comments, BASE and PREFIX declarations); '' if none."""
    rest = text[_PROLOGUE.match(text).end():]  # type: ignore[union-attr]  # the pattern also matches the empty string
    word = re.match(r"[A-Za-z]+", rest)
    return word[0].upper() if word else ""


def with_prologue(text: str, prefixes: Mapping[str, str], base_iri: str | None) -> str:
    """The query with BASE and the PREFIX declarations it relies on but does not make itself (SPARQL lets a later one win)."""
    declared = {match.lower() for match in re.findall(r"(?i)\bPREFIX\s+([^\s:]*):", text)}
    lines = [f"BASE <{base_iri}>"] if base_iri else []
    lines += [f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items() if name.lower() not in declared]
    return "\n".join([*lines, text])


def bind_values(text: str, substitutions: Mapping[ox.Variable, Term]) -> str:
    """Bind variables before evaluation, as pyoxigraph's substitutions do: a VALUES block opens the WHERE group."""
    if not substitutions:
        return text
    match = re.search(r"(?i)\bWHERE\s*\{", text) or re.search(r"\{", text)
    if match is None:
        raise QueryError("the query has no WHERE group to bind parameters in")
    names = " ".join(str(variable) for variable in substitutions)
    values = " ".join(str(term) for term in substitutions.values())
    return f"{text[:match.end()]} VALUES ({names}) {{ ({values}) }} {text[match.end():]}"


def release_graphs(store: RemoteStore, base_iri: str) -> list[str]:
    """The SpaceKG graphs the remote store holds (under BASE/graph/)."""
    prefix = str(Minter(base_iri).graph("x"))[:-1]
    return sorted(graph.value for graph in store.named_graphs() if graph.value.startswith(prefix))


def remote_release_id(store: RemoteStore, base_iri: str) -> str:
    """The release whose meta graph the remote store holds, or '' when it holds none (nothing was published)."""
    meta = Minter(base_iri).graph("meta")
    result = store.query(f"SELECT ?release WHERE {{ GRAPH <{meta}> {{ ?release a <{SKG.Release}> }} }}",
                         timeout_s=10)
    assert isinstance(result, ox.QuerySolutions)
    ids = sorted(row["release"].value.rstrip("/").rsplit("/", 1)[-1] for row in result)
    if len(ids) > 1:
        raise RemoteStoreError(f"the remote store's meta graph names {len(ids)} releases: {', '.join(ids)}",
                               "publish one release into it with 'spacekg publish --to'")
    return ids[0] if ids else ""
