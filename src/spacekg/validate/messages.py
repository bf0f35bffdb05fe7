"""Jena's messages written as pySHACL writes them, so that both engines give the same message.

A SPARQL constraint's message template ("... ({?signed}, {?signature}) ...") is filled with the values the
query bound. pySHACL writes an IRI in full; Jena writes it `<iri>`, or `prefix:name` where the constraint
declares the prefix. Only the filled-in parts are rewritten: the template's own text ("xsd:...") is
matched as it stands, so it is never mistaken for a value.
"""

from __future__ import annotations

import functools
import re

from rdflib import Graph, Literal
from rdflib.term import Node

from spacekg.namespaces import SH

_PLACEHOLDER = re.compile(r"\{[?$]\w+\}")
_BRACKETED = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*)>")
_PREFIXED = re.compile(r"([A-Za-z][\w.-]*)?:([A-Za-z_][\w.-]*)")


def as_pyshacl_writes(report: Graph, shapes: Graph) -> Graph:
    """Rewrite, in place, the values Jena filled into each result's message template."""
    prefixes = _declared(shapes)
    for result in set(report.subjects(SH.resultMessage, None)):
        # Jena names the source shape, not always the constraint: then each SPARQL constraint of the shape is tried.
        constraint = report.value(result, SH.sourceConstraint)
        shape = report.value(result, SH.sourceShape)
        constraints = [constraint] if constraint is not None else list(shapes.objects(shape, SH.sparql)) if shape is not None else []
        for message in list(report.objects(result, SH.resultMessage)):
            if not isinstance(message, Literal):
                continue
            rewritten = str(message)
            for template in (t for c in constraints if (t := _template(shapes, c, message)) is not None):
                rewritten = _refill(str(template), str(message), prefixes)
                if rewritten != str(message):
                    break
            if rewritten != str(message):
                report.remove((result, SH.resultMessage, message))
                report.add((result, SH.resultMessage, Literal(rewritten, lang=message.language)))
    return report


def _template(shapes: Graph, constraint: Node, message: Node) -> Literal | None:
    templates = [t for t in shapes.objects(constraint, SH.message) if isinstance(t, Literal)]
    same_language = [t for t in templates if t.language == getattr(message, "language", None)]
    chosen = same_language or templates
    return chosen[0] if chosen else None


def _refill(template: str, message: str, prefixes: dict[str, str]) -> str:
    parts = _PLACEHOLDER.split(template)
    if len(parts) == 1:
        return message
    found = _matcher(template).fullmatch(message)
    if found is None:
        return message
    values = [_as_pyshacl(value, prefixes) for value in found.groups()]
    return parts[0] + "".join(value + text for value, text in zip(values, parts[1:], strict=True))


@functools.lru_cache(maxsize=256)  # one per message template of the shapes in use
def _matcher(template: str) -> re.Pattern[str]:
    return re.compile("(.*?)".join(re.escape(part) for part in _PLACEHOLDER.split(template)), re.DOTALL)


def _as_pyshacl(value: str, prefixes: dict[str, str]) -> str:
    bracketed = _BRACKETED.fullmatch(value)
    if bracketed:
        return bracketed.group(1)
    prefixed = _PREFIXED.fullmatch(value)
    if prefixed and (prefixed.group(1) or "") in prefixes:
        return prefixes[prefixed.group(1) or ""] + prefixed.group(2)
    return value


def _declared(shapes: Graph) -> dict[str, str]:
    """The prefixes the shapes declare for their SPARQL (sh:declare), which Jena uses to write IRIs."""
    return {str(prefix): str(namespace) for declaration in shapes.objects(None, SH.declare)
            if (prefix := shapes.value(declaration, SH.prefix)) is not None
            and (namespace := shapes.value(declaration, SH.namespace)) is not None}
