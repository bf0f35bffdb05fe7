"""Oxigraph's SPARQL syntax errors, rewritten as one readable line with the position, the token there and a suggestion.

Oxigraph's parser reports the furthest place it reached and every token it would have taken there, character
classes included ("expected one of Prefix not found, ['%'], ['A' ..= 'Z' | '\\u{00C0}'..=…"): five lines of
Unicode ranges for a missing PREFIX. The endpoint, the query page and `spacekg query` all turn a SyntaxError
into a QueryError here, so that they say the same thing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from spacekg.errors import QueryError
from spacekg.namespaces import PREFIXES
from spacekg.store.sparql_text import code_only

POSITION = re.compile(r"^error at (\d+):(\d+): (?:expected (?:one of )?)?(.*)$", re.S)
# One expected item: a quoted token, a character class (which may hold quoted brackets), or a bare word or phrase.
EXPECTED_ITEM = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|\[(?:'(?:[^'\\]|\\.)*'|[^\]'])*\]|[^,]+)\s*(?:,|$)""", re.S)
# Strings, IRIs and comments, blanked before looking for prefixed names and brackets (offsets are kept).
PREFIXED_NAME = re.compile(r"(?<![\w?$:.\-])((?:[^\W\d_][\w.\-]*)?):(?:[\w\-:%]|\.(?=[\w\-:%]))*")
DECLARED = re.compile(r"\bPREFIX\s+((?:[^\W\d_][\w.\-]*)?):", re.I)
# Prefixes people write for vocabularies we predeclare under another name.
ALIASES = {"dcterms": "dct", "terms": "dct", "sdo": "schema", "shacl": "sh", "spacekg": "skg", "popolo": "opengov"}
PHRASES = {"IRI parsing failed": "the IRI before this point is not valid (it must be absolute, or relative to the endpoint's address)"}
QUERY_FORMS = {"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"}
FIRST_WORD = re.compile(r"\A\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*)*([^\W\d]\w*)", re.I)
FUNCTIONS = {"ABS", "STR", "IRI"}  # when the parser expects these, it expects an expression (it lists dozens of functions)
MOST_EXPECTED = 10  # tokens named in a message; the parser can list dozens
LONGEST_TOKEN = 30


def syntax_error(query: str, error: SyntaxError, prefixes: Mapping[str, str] = PREFIXES) -> QueryError:
    """The QueryError for Oxigraph's syntax error in `query`: one line with line, column and token, and a hint."""
    text = str(error)
    code = code_only(query)
    undeclared = _undeclared_prefix(code, prefixes)
    match = POSITION.match(text)
    if undeclared is not None:  # Oxigraph sometimes reports a missing prefix elsewhere ("expected OPTIONAL")
        return _unknown_prefix(query, code, undeclared, prefixes)
    first = FIRST_WORD.match(code)
    if first is not None and first.group(1).upper() not in QUERY_FORMS:  # Oxigraph reports "SELEC *" further on
        line, column = _line_column(code, first.start(1))
        return QueryError(f"SPARQL syntax error at line {line}, column {column}, at {first.group(1)!r}: a query starts with "
                          "SELECT, CONSTRUCT, ASK or DESCRIBE", "write one of them after the PREFIX and BASE declarations")
    if match is None:
        return QueryError(f"SPARQL syntax error: {' '.join(text.split())}", "check the query near the position given")
    line, column = int(match.group(1)), int(match.group(2))
    offset = _offset(query, line, column)
    phrases, tokens = _expected(match.group(3))
    where = f"SPARQL syntax error at line {line}, column {column}, {_token_at(query, offset)}"
    if phrases:
        return QueryError(f"{where}: {'; '.join(phrases)}", "correct the query at that place")
    expected = f"expected {' or '.join(tokens) if len(tokens) <= 2 else 'one of ' + ', '.join(tokens)}" if tokens else "the query cannot be read on from here"
    return QueryError(f"{where}: {expected}", _bracket_hint(code) or "check the query at that place and just before it")


def _offset(query: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column (Oxigraph counts characters, lines by \\n)."""
    lines = query.split("\n")
    before = sum(len(text) + 1 for text in lines[:max(0, line - 1)])
    return min(len(query), before + max(0, column - 1))


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _token_at(query: str, offset: int) -> str:
    """Where the parser stopped, as words: the token that starts there, or the end of the query."""
    rest = query[offset:]
    if not rest.strip():
        return "at the end of the query"
    token = re.match(r"\s*(\S+)", rest)
    assert token is not None
    word = token.group(1)
    shown = word if len(word) <= LONGEST_TOKEN else word[:LONGEST_TOKEN] + "…"
    return f"near {shown!r}"


def _expected(listing: str) -> tuple[list[str], list[str]]:
    """Oxigraph's expected items as (messages of the parser, tokens), character classes summarised, never spelled out."""
    phrases: list[str] = []
    tokens: list[str] = []
    for match in EXPECTED_ITEM.finditer(listing):
        item = match.group(1).strip()
        if not item or item == "[_]":
            continue  # "any character": says nothing
        if item.startswith("["):
            described = _character_class(item)
            if described and described not in tokens:
                tokens.append(described)
        elif " " in item:  # a sentence of the parser, e.g. "The SELECT contains a variable that is unbound"
            phrases.append(PHRASES.get(item, item[0].lower() + item[1:]))
        elif item not in tokens:
            tokens.append(item if item.startswith('"') else item.upper() if item.isupper() else item)
    if FUNCTIONS <= set(tokens):
        tokens = ["an expression", *(token for token in tokens if token.startswith(('"', "a ")))]
    if len(tokens) > MOST_EXPECTED:
        tokens = [*tokens[:MOST_EXPECTED], f"… ({len(tokens) - MOST_EXPECTED} more)"]
    return phrases, tokens


def _character_class(item: str) -> str:
    """A character class in a few words: 'a letter', 'a digit', or its one character."""
    if "'A' ..= 'Z'" in item or "'a' ..= 'z'" in item:
        return "a name"
    if "'0'" in item and "'9'" in item:
        return "a digit"
    single = re.fullmatch(r"\['(.)'\]", item)
    return f'"{single.group(1)}"' if single else ""


def _undeclared_prefix(code: str, prefixes: Mapping[str, str]) -> re.Match[str] | None:
    """The first prefixed name whose prefix is neither predeclared nor declared in the query (strings, IRIs, comments blanked)."""
    declared = set(prefixes) | {m.group(1) for m in DECLARED.finditer(code)}
    for name in PREFIXED_NAME.finditer(code):
        if name.group(1) not in declared and name.group(1) != "_" and not name.group(0).startswith("_:"):
            return name
    return None


def _unknown_prefix(query: str, code: str, name: re.Match[str], prefixes: Mapping[str, str]) -> QueryError:
    prefix = name.group(1)
    line, column = _line_column(code, name.start())
    token = query[name.start():name.end()]
    message = f"SPARQL syntax error at line {line}, column {column}, at {token!r}: the prefix {prefix}: is not declared"
    known = ", ".join(sorted(prefixes))
    close = ALIASES.get(prefix) or next(iter(difflib.get_close_matches(prefix, list(prefixes), n=1, cutoff=0.6)), None)
    if close is not None and close in prefixes:
        local = token.partition(":")[2]
        hint = (f"did you mean {close}:{local}? ({close}: is predeclared as <{prefixes[close]}>); or declare it: "
                f"PREFIX {prefix}: <{prefixes[close]}>")
    else:
        hint = f"declare it at the top of the query: PREFIX {prefix}: <the vocabulary's namespace IRI>"
    return QueryError(message, f"{hint}. Predeclared prefixes: {known}")


def _bracket_hint(code: str) -> str:
    """A suggestion when a string is not closed or brackets do not balance (outside strings, IRIs and comments), else ''."""
    unclosed = re.search(r"[\"']", code)  # closed strings are blanked: a quote left over opens a string that never ends
    if unclosed:
        line, column = _line_column(code, unclosed.start())
        return f"the string that starts at line {line}, column {column} is not closed: end it with {unclosed.group(0)}"
    for opening, closing in ("{}", "()", "[]"):
        missing = code.count(opening) - code.count(closing)
        if missing > 0:
            return f"{missing} {opening!r} not closed: add {closing!r} where the group ends"
        if missing < 0:
            return f"{-missing} {closing!r} too many: remove the extra one or add the {opening!r} it closes"
    return ""
