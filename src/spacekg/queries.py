"""The catalogue of canned queries in queries/*.rq: one loader for the CLI, the pages and the tests.

Each file starts with a comment header:

    # title: Parties and signatories of each UN space treaty
    # description: One row per state and treaty ...
    # param: state = https://w3id.org/spacekg/id/state/AUS  (an IRI or a "literal")

A parameter is a variable of the query bound before evaluation (SPARQL SEP-0007 substitution), so
every canned query also runs as written, with its default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from spacekg.errors import UsageError

HEADER = re.compile(r"#\s*(title|description|param)\s*:\s*(.*)")
PARAM = re.compile(r"(\w+)\s*=\s*(\S+)\s*(?:\((.*)\))?")


@dataclass(frozen=True)
class Parameter:
    name: str
    default: str
    description: str = ""


@dataclass(frozen=True)
class CannedQuery:
    """A query of the catalogue: its name (file stem), header fields and text."""

    name: str
    title: str
    description: str
    text: str
    path: Path
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)


def parse_canned(path: Path) -> CannedQuery:
    text = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": []}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = HEADER.match(line)
        if match:
            fields[match.group(1)].append(match.group(2).strip())
        elif fields["description"] and line.strip("# "):
            fields["description"].append(line.lstrip("# ").strip())
    if not fields["title"]:
        raise UsageError(f"{path}: the query has no '# title:' header line", "start the file with '# title: ...'")
    params = []
    for spec in fields["param"]:
        match = PARAM.fullmatch(spec)
        if not match:
            raise UsageError(f"{path}: bad parameter line {spec!r}", "write '# param: name = default (what it means)'")
        params.append(Parameter(match.group(1), match.group(2), match.group(3) or ""))
    return CannedQuery(path.stem, fields["title"][0], " ".join(fields["description"]), text, path, tuple(params))


def load_catalogue(queries_dir: Path) -> dict[str, CannedQuery]:
    """Every canned query in the folder, by name, in file-name order."""
    return {path.stem: parse_canned(path) for path in sorted(queries_dir.glob("*.rq"))}
