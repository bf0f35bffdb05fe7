"""The query page's parameter fields: a canned example's parameters as form fields, checked and bound as the CLI binds them.

A field is `param.NAME=VALUE` in the page's URL, so a link to a parameterised answer carries its values and means the
same thing whatever the catalogue's defaults become. When the query text is a catalogue example's, a parameter the URL
does not give takes the header's default (a link from before the fields existed, or the example pasted as plain text,
runs exactly as `spacekg query --name` runs it). A field left empty leaves its variable unbound, which makes some
examples cover every value. Values are read as the CLI reads `--param` (spacekg.store.querying.term_from_text).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from werkzeug.datastructures import MultiDict

from spacekg.errors import UsageError
from spacekg.queries import CannedQuery
from spacekg.store.querying import term_from_text

FIELD_PREFIX = "param."
MAX_VALUE_CHARS = 2000  # an IRI or a short literal; a longer value is a mistake, and the query text has its own limit
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # SPARQL's VARNAME, ASCII only: a field name must survive a URL
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class ParameterField:
    """One parameter as the form shows it: the value to bind ('' leaves it unbound), the header's default and meaning."""

    name: str
    value: str
    default: str = ""
    description: str = ""

    @property
    def field_name(self) -> str:
        return FIELD_PREFIX + self.name


def example_for(text: str, catalogue: Mapping[str, CannedQuery]) -> CannedQuery | None:
    """The catalogue example whose text this is (line endings aside: a browser's form sends CRLF), or None."""
    wanted = _normalised(text)
    return next((query for query in catalogue.values() if _normalised(query.text) == wanted), None)


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def parameter_fields(args: MultiDict[str, str], text: str, catalogue: Mapping[str, CannedQuery]) -> list[ParameterField]:
    """The fields the form shows for this query, values checked; UsageError (400) names a bad parameter.

    An example's own parameters come first, in header order; other `param.` fields of the URL bind variables of a
    query of one's own (the CLI's `--param` for `--query`).
    """
    given: dict[str, str] = {}
    for key in args:
        if not key.startswith(FIELD_PREFIX):
            continue
        name = key[len(FIELD_PREFIX):]
        values = args.getlist(key)
        if not VARIABLE_NAME.fullmatch(name):
            raise UsageError(f"parameter {name!r} is not a SPARQL variable name",
                             "a parameter field is param.NAME, NAME made of letters, digits and _ (e.g. param.state)")
        if len(values) != 1:
            raise UsageError(f"parameter {name} is given {len(values)} times", f"give param.{name} once")
        given[name] = values[0].strip()
    example = example_for(text, catalogue) if text else None
    declared = {p.name: p for p in example.parameters} if example else {}
    if example and given and set(given) - set(declared):
        unknown = ", ".join(sorted(set(given) - set(declared)))
        raise UsageError(f"the example {example.name!r} has no parameter {unknown}",
                         f"its parameters are: {', '.join(declared) or 'none'}")
    # A parameter the URL leaves out takes the header's default; one given empty stays unbound.
    fields = [ParameterField(name, given.get(name, p.default), p.default, p.description) for name, p in declared.items()]
    fields += [ParameterField(name, value) for name, value in given.items() if name not in declared]
    for field in fields:
        check_value(field)
    return fields


def check_value(field: ParameterField) -> None:
    """Refuse a value the query could only fail on or silently ignore: a broken IRI, a day that is no day, a runaway length."""
    value = field.value
    if not value:
        return  # left unbound on purpose
    if len(value) > MAX_VALUE_CHARS:
        raise UsageError(f"parameter {field.name} is {len(value)} characters long; the limit is {MAX_VALUE_CHARS}",
                         "give an IRI or a short value")
    if any(ord(character) < 0x20 for character in value):
        raise UsageError(f"parameter {field.name} contains a control character", "give the value on one line")
    try:
        term_from_text(value)
    except ValueError as error:
        raise UsageError(f"parameter {field.name}: {value!r} is not a valid IRI ({error})",
                         "write a full IRI such as https://w3id.org/spacekg/id/state/FRA, without spaces or < >") from None
    if DAY.fullmatch(field.default):  # a day parameter read by xsd:date(): anything else fails every row, silently
        try:
            if not DAY.fullmatch(value):
                raise ValueError(value)
            date.fromisoformat(value)
        except ValueError:
            raise UsageError(f"parameter {field.name}: {value!r} is not a day written YYYY-MM-DD",
                             f"e.g. {field.default}") from None


def submitted_fields(args: MultiDict[str, str]) -> list[ParameterField]:
    """The fields as the URL gives them, unchecked: shown again with the message that names the bad one."""
    return [ParameterField(key[len(FIELD_PREFIX):], value) for key, value in args.items(multi=True) if key.startswith(FIELD_PREFIX)]


def bindings(fields: list[ParameterField]) -> tuple[tuple[str, str], ...]:
    """The (variable, value) pairs to bind: every field with a value."""
    return tuple((field.name, field.value) for field in fields if field.value)
