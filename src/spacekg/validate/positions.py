"""Find where each subject of a Turtle file is written, so results about it can name file:line."""

from __future__ import annotations

import re

from rdflib import Graph, URIRef

from spacekg.errors import SourcePosition

_PREFIX = re.compile(r"@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)


def turtle_positions(text: str, path: str) -> dict[URIRef, SourcePosition]:
    """Map each IRI that starts a statement in the Turtle `text` to its first such line in `path`.

    A statement's subject is written at the start of a line, as <iri> or prefix:local; that line is
    where a curator edits the resource (the ontology's terms, a shapes fixture's records).
    """
    graph = Graph().parse(data=text, format="turtle")
    prefixes = {prefix or "": namespace for prefix, namespace in _PREFIX.findall(text)}
    forms: dict[str, URIRef] = {}
    for subject in set(graph.subjects()):
        if not isinstance(subject, URIRef):
            continue
        forms[f"<{subject}>"] = subject
        for prefix, namespace in prefixes.items():
            if subject.startswith(namespace):
                forms[f"{prefix}:{subject[len(namespace):]}"] = subject
    positions: dict[URIRef, SourcePosition] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        token = line.split(maxsplit=1)[0] if line.strip() and not line[0].isspace() else ""
        written = forms.get(token)
        if written is not None and written not in positions:
            positions[written] = SourcePosition(path, number)
    return positions
