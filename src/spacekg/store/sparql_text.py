"""Lexical checks of SPARQL text without a full parse.

Used to refuse updates and SERVICE with a clear message before evaluation, to know whether a query
names its own dataset (FROM / FROM NAMED), which decides whether the default graph is the union of
all graphs, and to read a query's code apart from its strings, IRIs and comments when explaining a syntax error
(store/syntax_errors.py; the CLI explains errors too, so this lives with the store, not the web). A lexer can
disagree with Oxigraph's parser on odd input, so these checks are the polite first line only: the query process
itself cannot open network sockets (web/sandbox.py), which is what guarantees that SERVICE never reaches another host.
"""

from __future__ import annotations

import re

_LONG_SINGLE = r"'''(?:[^'\\]|\\.|'(?!''))*'''"
_LONG_DOUBLE = r'"""(?:[^"\\]|\\.|"(?!""))*"""'
_SHORT_SINGLE = r"'(?:[^'\\\n\r]|\\.)*'"
_SHORT_DOUBLE = r'"(?:[^"\\\n\r]|\\.)*"'
_COMMENT = r"\#[^\r\n]*"
_IRI = r"<[^<>\"{}|^`\\\s]*>"
_SKIPPED = "|".join((_LONG_SINGLE, _LONG_DOUBLE, _SHORT_SINGLE, _SHORT_DOUBLE, _IRI, _COMMENT))
SKIPPED = re.compile(_SKIPPED, re.S)
# Strings, comments and IRIs are skipped; words are kept.
TOKEN = re.compile(
    f"(?P<skip>{_SKIPPED})"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_-]*(?::[A-Za-z0-9_.-]*)?|[A-Za-z_]?[A-Za-z0-9_-]*:[A-Za-z0-9_.-]*)",
    re.S,
)
# Brackets outside strings, comments and IRIs, for the nesting depth.
BRACKET = re.compile(f"(?P<skip>{_SKIPPED})" + r"|(?P<open>[{(\[])|(?P<close>[})\]])", re.S)
CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


LAST_CODEPOINT = 0x10FFFF


def _codepoint(match: re.Match[str]) -> str:
    value = int(match.group(1) or match.group(2), 16)
    # \U0011FFFF and beyond name no character; the escape is left as written and Oxigraph's parser refuses it.
    return chr(value) if value <= LAST_CODEPOINT else match.group(0)


def unescape_codepoints(text: str) -> str:
    r"""Apply SPARQL's \uXXXX and \UXXXXXXXX escapes, which the grammar allows anywhere (SPARQL 1.1, 19.2)."""
    return CODEPOINT_ESCAPE.sub(_codepoint, text)


def code_only(text: str) -> str:
    """The text with its strings, IRIs and comments blanked (newlines kept), so positions in it are positions in `text`."""
    return SKIPPED.sub(lambda match: re.sub(r"[^\n]", " ", match.group(0)), text)


def keywords(text: str) -> list[str]:
    """Bare words of the query in upper case, in order (prefixed names and variables excluded)."""
    text = unescape_codepoints(text)
    words = []
    for match in TOKEN.finditer(text):
        word = match.group("word")
        if word and ":" not in word:
            start = match.start()
            if start > 0 and text[start - 1] in "?$:":
                continue  # a variable name or the local part of a prefixed name
            words.append(word.upper())
    return words


def uses_service(text: str) -> bool:
    """True when the keyword SERVICE occurs outside strings, IRIs and comments (the sandbox catches the rest)."""
    return "SERVICE" in keywords(text)


def names_dataset(text: str) -> bool:
    """True when the query has FROM or FROM NAMED clauses of its own."""
    return "FROM" in keywords(text)


def looks_like_update(text: str) -> bool:
    """True when the first operation keyword after the prologue is an update operation."""
    for word in keywords(text):
        if word in ("PREFIX", "BASE"):
            continue
        return word in UPDATE_KEYWORDS
    return False


def nesting_depth(text: str) -> int:
    """How deep groups, brackets and parentheses nest outside strings, comments and IRIs.

    Oxigraph's parser recurses once per level and overflows its stack near 3,000 levels, which kills the query
    process; the endpoint refuses such a query before parsing it.
    """
    depth = deepest = 0
    for match in BRACKET.finditer(text):
        if match.group("open"):
            depth += 1
            deepest = max(deepest, depth)
        elif match.group("close"):
            depth = max(0, depth - 1)
    return deepest
