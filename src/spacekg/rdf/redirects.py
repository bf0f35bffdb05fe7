"""data/redirects.csv: IRIs SpaceKG published and no longer mints, each with its successor (or none: gone).

Cool IRIs don't change, but a curator's correction can change what a row mints (a corrected action, a
merged duplicate, the move to keys without dates). Each such IRI keeps answering: 301 to its successor,
410 when there is none, and the meta graph says `old owl:sameAs new` and `old dct:isReplacedBy new`
(the final successor, chains followed). Kept in the meta graph, so the reasoner never draws equality
over them. The build checks the table: a retired IRI must not be minted again, a successor must be
minted (or itself retired towards one), no chain may loop, and no IRI of the previous release may
vanish without a row here (spacekg.pipeline).
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef

from spacekg.errors import SourcePosition
from spacekg.namespaces import DCTERMS, OWL, RDF, RDFS, SKG
from spacekg.rdf.context import MappingContext
from spacekg.sources.reading import Record

FILE = "redirects"
COLUMNS = (("old",), ("new", "reason"))  # required, optional
ENTITY_PATH = re.compile(r"[a-z][a-z-]*/[^\s/]+")


def _iri(ctx: MappingContext, record: Record, column: str) -> URIRef | None:
    path = record.get(column).removeprefix(ctx.minter.base).removeprefix("id/")  # a full IRI, id/kind/slug or kind/slug
    if not ENTITY_PATH.fullmatch(path):
        ctx.fail(record, column, f"{record.get(column)!r} is not an entity path", "write it as kind/slug, e.g. participation/ARM-moon-accession")
        return None
    kind, slug = path.split("/", 1)
    return ctx.minter.entity(kind, slug)


def map_redirects(ctx: MappingContext, records: list[Record]) -> None:
    """Read the table; the checks against what this build mints run in `check_redirects`, once every record is mapped."""
    for record in records:
        old = _iri(ctx, record, "old")
        new = _iri(ctx, record, "new") if record.get("new") else None
        if old is None or (record.get("new") and new is None):
            continue
        if old in ctx.redirects:
            ctx.fail(record, "old", f"{record.get('old')} is retired twice", "keep one row per retired IRI")
            continue
        ctx.redirects[old] = (new, record)


def _final(ctx: MappingContext, old: URIRef) -> tuple[URIRef | None, list[URIRef]]:
    """The successor at the end of the chain from `old`, and the chain (to report a loop)."""
    chain = [old]
    target = ctx.redirects[old][0]
    while target is not None and target in ctx.redirects:
        if target in chain:
            return None, [*chain, target]
        chain.append(target)
        target = ctx.redirects[target][0]
    return target, chain


def check_redirects(ctx: MappingContext) -> None:
    """Check the table against what this build mints, and write the meta-graph statements of every retired IRI."""
    for old, (new, record) in ctx.redirects.items():
        if old in ctx.positions:
            first = ctx.positions[old]
            ctx.fail(record, "old", f"{old} is retired here but {first.path}:{first.line} mints it again",
                     "delete this row (the IRI is in use again), or change the record so that it mints another IRI")
            continue
        final, chain = _final(ctx, old)
        if len(chain) > 1 and chain[-1] in chain[:-1]:
            ctx.fail(record, "new", f"the redirects loop: {' -> '.join(chain)}", "point the chain at an IRI the build mints")
            continue
        if new is not None and final is not None and final not in ctx.positions:
            ctx.fail(record, "new", f"the successor {final} is not minted by any record",
                     "write the IRI the corrected record mints now (the build's message that retired this IRI names it), or leave new empty if it is gone")
            continue
        ctx.meta_positions[old] = SourcePosition(record.path, record.line)
        ctx.meta.add((old, RDF.type, SKG.RetiredIRI))
        if record.get("reason"):
            ctx.meta.add((old, RDFS.comment, Literal(record.get("reason"), lang="en")))
        if new is not None and final is not None:
            ctx.meta.add((old, OWL.sameAs, new))
            ctx.meta.add((old, DCTERMS.isReplacedBy, final))
