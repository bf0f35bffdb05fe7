"""Answer SPARQL protocol jobs from a remote store, with the same limits as the embedded one.

The time limit travels with the HTTP exchange (the remote store should have its own limit too, see
docs/remote-store.md); the row cap and the result writers are the embedded runner's. SERVICE is refused
by the protocol's lexical check before a job gets here; the query sandbox that backs that check up for
the embedded store cannot reach into another server, so here a real parser (rdflib's) reads the query
as well and any SERVICE in its syntax tree is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from spacekg.errors import Forbidden, QueryError
from spacekg.store.remote import RemoteStore
from spacekg.web.evaluation import QueryJob, QueryOutcome, evaluate


def _nodes(tree: Any) -> Iterator[Any]:
    yield tree
    if isinstance(tree, CompValue):
        for child in tree.values():
            yield from _nodes(child)
    elif isinstance(tree, ParseResults | list | tuple):
        for child in tree:
            yield from _nodes(child)


def refuse_service(query: str) -> None:
    """Raise Forbidden if the query calls SERVICE; a query the parser cannot read is refused too (fail closed)."""
    try:
        tree = parseQuery(query)
    except ParseException as error:
        raise QueryError(f"SPARQL syntax error: {error}", "check the query near the position given") from None
    if any(getattr(node, "name", None) == "ServiceGraphPattern" for node in _nodes(tree)):
        raise Forbidden("SERVICE is not allowed: this endpoint does not query other endpoints", "remove the SERVICE clause")


class RemoteQueryRunner:
    """The QueryRunner of a server whose release lives in a remote store."""

    def __init__(self, store: RemoteStore) -> None:
        self.store = store

    def run(self, job: QueryJob, timeout_s: float) -> QueryOutcome:
        refuse_service(job.query)
        # The evaluator reads one row past the cap to see that there are more: a store that cut its answer before that is refused.
        within_limit = RemoteStore(self.store.endpoint, self.store.graphs, timeout_s, rows_read=job.row_cap + 1)
        return evaluate(within_limit, job).raise_for_error()

    def close(self) -> None:
        """Nothing to stop: connections are pooled and shared."""
