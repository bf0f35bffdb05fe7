"""The links of an entity to other datasets, as its page shows them: Wikidata, UN documents, DOIs, UN Digital Library."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from spacekg.namespaces import RDFS, SCHEMA
from spacekg.rdf.links import target_of
from spacekg.web.pages.common import select, value
from spacekg.web.site import Term
from spacekg.web.state import site

LINK_PREDICATES = (str(SCHEMA.sameAs), str(RDFS.seeAlso))
CITED = """SELECT ?thing ?statement ?object WHERE { ?statement a skg:WikidataLink ; rdf:subject ?thing ; rdf:object ?object }"""


@dataclass(frozen=True)
class LinkOut:
    """One link: the dataset it leads to, the identifier there, the outside address, and the statement that cites it."""

    dataset: str
    identifier: str
    href: str
    statement: Term | None = None


def links_out(quads: list[ox.Quad], node: ox.NamedNode) -> list[LinkOut]:
    """The entity's links out, by dataset then identifier; a curated link (Wikidata) names the statement that cites it."""
    cited = {value(row["object"]): site().iri_term(value(row["statement"])) for row in select(CITED, thing=node.value)}
    links = set()
    for quad in quads:
        if quad.subject == node and quad.predicate.value in LINK_PREDICATES and isinstance(quad.object, ox.NamedNode):
            target = target_of(quad.object.value)
            if target is not None:
                links.add(LinkOut(target.title, quad.object.value[len(target.uri_space):], quad.object.value, cited.get(quad.object.value)))
    return sorted(links, key=lambda link: (link.dataset, link.identifier))
