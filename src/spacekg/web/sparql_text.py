"""Lexical checks of SPARQL text without a full parse: which keywords occur outside strings, IRIs and comments.

Used to refuse SERVICE and updates before evaluation, and to know whether a query names its own
dataset (FROM / FROM NAMED), which decides whether the default graph is the union of all graphs.
"""

from __future__ import annotations

import re

# Strings (long and short, both quotes), IRIs, comments, and words; the first three are skipped.
TOKEN = re.compile(
    r"""(?P<skip>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\s]*>|\#[^\n]*)"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_-]*(?::[A-Za-z0-9_.-]*)?|[A-Za-z_]?[A-Za-z0-9_-]*:[A-Za-z0-9_.-]*)""",
    re.S,
)
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


def keywords(text: str) -> list[str]:
    """Bare words of the query in upper case, in order (prefixed names and variables excluded)."""
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
