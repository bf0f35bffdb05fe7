"""What the query page says when a cap cut an answer short, and the ways to get all of it.

The page shows at most PAGE_ROWS rows (or max_page_bytes); past the cap the query process goes on counting rows
(without keeping them) for at most COUNT_S seconds and COUNT_TO rows, so the page can say "the first 2,000 of
23,932" when that is cheap and "of at least 2,001" when it is not. The ways to all of it: the next page (the
query with LIMIT and OFFSET appended, when that is safe), the endpoint's downloads (with their own row cap,
stated), and the release's dumps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import url_for

from spacekg.store.sparql_text import keywords

COUNT_TO = 1_000_000  # rows counted past the cap at most (about a second: a microsecond a row over the curated release)
COUNT_S = 1.0  # counting ends this long after the query started, and before half its time limit
# A query that ends with LIMIT and OFFSET (and has no other) can be paged on by changing the OFFSET.
PAGED = re.compile(r"\bLIMIT\s+(\d+)\s+OFFSET\s+(\d+)\s*\Z", re.I)


@dataclass(frozen=True)
class Cut:
    """How much of an answer the page shows, and where the rest is."""

    shown: int
    counted: int  # rows in the answer, or at least this many when not counted_all
    counted_all: bool
    by_bytes: bool  # the page's byte cap, not its row cap, cut the answer
    next_href: str  # the next page of the query, or "" when LIMIT and OFFSET cannot be appended safely
    ordered: bool  # the query has ORDER BY, so that pages neither overlap nor miss rows
    download_cap: int  # the endpoint's row cap
    dumps: list[tuple[str, str]] = field(default_factory=list)  # (file name, link)

    @property
    def downloads_complete(self) -> bool:
        """The endpoint's downloads hold the whole answer."""
        return self.counted_all and self.counted <= self.download_cap


def next_page(text: str, shown: int) -> str:
    """The query for the `shown` rows after these, or "" when LIMIT and OFFSET cannot be set safely.

    A query without LIMIT, OFFSET and VALUES takes them at its end; one that ends with "LIMIT n OFFSET m" (and has
    no other) gets its OFFSET moved on. Anything else is left to the user: a second LIMIT (or one after a
    sub-query's) would be a syntax error or mean something else, and a trailing VALUES block must stay last.
    """
    paged = PAGED.search(text)
    offset = 0
    if paged is not None:
        text, offset = text[:paged.start()], int(paged.group(2))
    if shown <= 0 or {"LIMIT", "OFFSET", "VALUES"} & set(keywords(text)):
        return ""
    return f"{text.rstrip()}\nLIMIT {shown} OFFSET {offset + shown}"


def cut(text: str, graph: str, form: str, shown: int, counted: int, counted_all: bool, page_rows: int, download_cap: int,
        dumps: dict[str, str], fields: dict[str, str]) -> Cut:
    """The page's account of an answer cut at `shown` rows, with the links that lead to the rest.

    Only a SELECT is paged for the user: a CONSTRUCT's LIMIT counts solutions, not the triples the page counts.
    """
    following = next_page(text, shown) if form == "select" else ""
    return Cut(shown, max(counted, shown + 1), counted_all, shown < page_rows, page_href(following, graph, fields), "ORDER" in keywords(text),
               download_cap, [(name, url_for("void.dump", name=name)) for name in sorted(dumps) if name != "SHA256SUMS"])


def page_href(query: str, graph: str, fields: dict[str, str]) -> str:
    """The query page running `query` over `graph` (or the union) with an example's parameter fields, or "" for no query."""
    extra: dict[str, Any] = {"graph": graph, **fields} if graph else dict(fields)
    return url_for("pages.query", query=query, **extra) if query else ""


def paged_on(text: str, shown: int) -> str:
    """For a query ending in "LIMIT n OFFSET m" whose n rows all came back: the query for the page after it, else ""."""
    paged = PAGED.search(text)
    if paged is None or int(paged.group(1)) != shown:
        return ""
    return next_page(text, shown)
