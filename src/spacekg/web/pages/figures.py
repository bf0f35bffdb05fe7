"""What every picture on a page shares: the figure (the SVG, its caption, legend and text alternative are the template's)
and "this picture as data", the query behind it as it runs on the endpoint, with the page's IRIs and days written in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from markupsafe import Markup

from spacekg.store.remote import bind_values
from spacekg.web.pages.common import Alternate
from spacekg.web.pages.views import query_alternates


@dataclass(frozen=True)
class Figure:
    """One picture of a page: its SVG, its caption, its legend (HTML, may be empty) and its query as SPARQL JSON and CSV."""

    id: str
    caption: str
    svg: Markup
    query: str
    legend: Markup = field(default_factory=Markup)
    short: str = "the picture"  # what the page's own list of alternates calls it: "the map", "the chart"

    @property
    def alternates(self) -> list[Alternate]:
        """The picture's query as data, named by format only (the figure says which picture)."""
        return [(media, "SPARQL JSON" if "json" in media else "CSV", href) for media, _, href in query_alternates(self.query)]

    @property
    def page_alternates(self) -> list[Alternate]:
        """The same links named for the page's list, which holds every picture's: "SPARQL JSON (the map)"."""
        return [(media, f"{name} ({self.short})", href) for media, name, href in self.alternates]


def bound_query(text: str, **bindings: ox.NamedNode | ox.Literal) -> str:
    """The query with its variables bound by a VALUES block at the start of its WHERE group: the same answer the page
    got by substitution, as a query a reader can run, copy and change on the endpoint."""
    text = "\n".join(line for line in text.splitlines() if not line.startswith("#"))  # a canned query's header names parameters it no longer has
    return bind_values(text, {ox.Variable(name): term for name, term in bindings.items()})
