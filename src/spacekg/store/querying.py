"""Run SPARQL queries against a store with the union of all named graphs as the default graph."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from spacekg.errors import QueryError
from spacekg.namespaces import PREFIXES
from spacekg.queries import CannedQuery
from spacekg.store.syntax_errors import syntax_error


def term_from_text(text: str) -> ox.NamedNode | ox.Literal:
    """A parameter value: an IRI when it looks like one (or is in <...>), otherwise a plain literal."""
    stripped = text.strip()
    if stripped.startswith("<") and stripped.endswith(">"):
        return ox.NamedNode(stripped[1:-1])
    if stripped.startswith(("http://", "https://", "urn:")):
        return ox.NamedNode(stripped)
    return ox.Literal(stripped.strip('"'))


def run_query(store: ox.Store, text: str, bindings: Mapping[str, str] | None = None,
              default_graphs: Sequence[str] | None = None) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
    """Evaluate a query; the default graph is the union of all graphs unless `default_graphs` names some."""
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(name): term_from_text(value) for name, value in (bindings or {}).items()}
    try:
        if default_graphs:
            return store.query(text, prefixes=PREFIXES, substitutions=substitutions,
                               default_graph=[ox.NamedNode(g) for g in default_graphs])
        return store.query(text, prefixes=PREFIXES, substitutions=substitutions, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise syntax_error(text, error) from error
    except (OSError, ValueError, RuntimeError) as error:
        raise QueryError(f"the query could not be evaluated: {error}") from error


def run_canned(store: ox.Store, query: CannedQuery, params: Mapping[str, str] | None = None) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
    """Run a catalogue query with its parameter defaults, overridden by `params`.

    Oxigraph substitutes only variables of the SELECT projection, so a parameter must be projected.
    """
    bindings = {p.name: p.default for p in query.parameters}
    unknown = set(params or {}) - set(bindings)
    if unknown:
        raise QueryError(f"query {query.name!r} has no parameter {', '.join(sorted(unknown))}",
                         f"its parameters are: {', '.join(bindings) or 'none'}")
    bindings.update(params or {})
    return run_query(store, query.text, bindings)


def solutions_as_rows(solutions: ox.QuerySolutions) -> tuple[list[str], list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode | None]]]:
    """Materialise SELECT results as (variable names, rows by name)."""
    names = [v.value for v in solutions.variables]
    rows = [{name: solution[name] for name in names} for solution in solutions]
    return names, rows
