"""Who did what to which instrument: participation records pivoted into rows, for entity pages and the treaty table.

A row joins everything the graph says about one actor and one instrument: the curated acts
(signature, ratification, …, with their dates), the status documents' listings (party, signatory,
declaration, or no status, as of a date), and the relations the reasoner inferred from them
(party to, signatory of, …), each with a link to its explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for

from spacekg.namespaces import SKG
from spacekg.web.pages.common import dataset, select, value
from spacekg.web.site import Term
from spacekg.web.state import site

SIGNED = {str(SKG.Signature): "signed"}
CONSENTED = {str(SKG.Ratification): "ratified", str(SKG.Accession): "acceded", str(SKG.Succession): "succeeded",
             str(SKG.Deposit): "deposited", str(SKG.DeclarationOfAcceptance): "declared acceptance"}
LISTED = {str(SKG.PartyListing): "party (R)", str(SKG.SignatoryListing): "signatory (S)",
          str(SKG.AcceptanceListing): "declaration (D)", str(SKG.NoStatusListing): "no status"}
WITHDREW = {str(SKG.Withdrawal): "withdrew"}
RELATIONS = {str(SKG.partyTo): "party", str(SKG.signatoryOf): "signatory", str(SKG.acceptedObligationsOf): "accepted obligations",
             str(SKG.withdrewFrom): "withdrew"}
PARTY_ACTS = {str(SKG.Ratification), str(SKG.Accession), str(SKG.Succession), str(SKG.Deposit), str(SKG.PartyListing)}
SIGNATORY_ACTS = {str(SKG.Signature), str(SKG.SignatoryListing)}
DECLARATION_ACTS = {str(SKG.DeclarationOfAcceptance), str(SKG.AcceptanceListing)}

RECORDS = """SELECT ?record ?actor ?instrument ?class ?date ?asOf ?source WHERE {
  VALUES ?class { CLASSES }
  ?record a ?class ; skg:instrument ?instrument .
  { ?record skg:actor ?actor } UNION { ?record skg:listedWithoutStatus ?actor }
  OPTIONAL { ?record skg:date ?date }
  OPTIONAL { ?record skg:asOf ?asOf }
  OPTIONAL { ?record dct:source ?source }
}""".replace("CLASSES", " ".join(f"<{iri}>" for iri in (*SIGNED, *CONSENTED, *LISTED, *WITHDREW)))
INFERRED = """SELECT ?actor ?instrument ?relation ?g WHERE {
  VALUES ?relation { RELATIONS }
  GRAPH ?g { ?actor ?relation ?instrument }
}""".replace("RELATIONS", " ".join(f"<{iri}>" for iri in RELATIONS))


@dataclass(frozen=True)
class Mark:
    """One fact in a cell: its words, the record it comes from (or the inferred statement) and, if inferred, why."""

    text: str
    record: Term | None = None
    why: str = ""


@dataclass
class Row:
    actor: Term
    instrument: Term
    status: list[Mark] = field(default_factory=list)
    signed: list[Mark] = field(default_factory=list)
    consented: list[Mark] = field(default_factory=list)
    listed: list[Mark] = field(default_factory=list)
    withdrew: list[Mark] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)
    sources: dict[str, set[str]] = field(default_factory=dict)  # class -> sources of records of that class


def why_href(subject: str, predicate: str, obj: str) -> str:
    """The explanation page of an inferred statement between IRIs ('' when this server cannot explain)."""
    return url_for("pages.why", s=subject, p=predicate, o=obj) if dataset().release is not None else ""


def participation_rows(actor: str = "", instrument: str = "") -> list[Row]:
    """Rows for one actor (all instruments), one instrument (all actors), or everything; unsorted."""
    bindings = {name: iri for name, iri in (("actor", actor), ("instrument", instrument)) if iri}
    inferred_graph = f"{site().base_iri}graph/inferred"
    rows: dict[tuple[str, str], Row] = {}

    def row_of(actor_iri: str, instrument_iri: str) -> Row:
        key = (actor_iri, instrument_iri)
        if key not in rows:
            rows[key] = Row(site().iri_term(actor_iri), site().iri_term(instrument_iri))
        return rows[key]

    seen: set[tuple[str, str]] = set()
    for found in select(RECORDS, **bindings):
        record, cls = value(found["record"]), value(found["class"])
        row = row_of(value(found["actor"]), value(found["instrument"]))
        row.sources.setdefault(cls, set()).add(value(found["source"]))
        if (record, cls) in seen:
            continue
        seen.add((record, cls))
        row.classes.add(cls)
        date, as_of = value(found["date"]), value(found["asOf"])
        when = Term(record, date or (f"as of {as_of}" if as_of else "undated"), site().local_href(record))
        if cls in SIGNED:
            row.signed.append(Mark(SIGNED[cls], when))
        elif cls in CONSENTED:
            row.consented.append(Mark(CONSENTED[cls], when))
        elif cls in LISTED:
            row.listed.append(Mark(LISTED[cls], when))
        else:
            row.withdrew.append(Mark(WITHDREW[cls], when))
    for found in select(INFERRED, **bindings):
        actor_iri, instrument_iri, relation = value(found["actor"]), value(found["instrument"]), value(found["relation"])
        inferred = value(found["g"]) == inferred_graph
        row = row_of(actor_iri, instrument_iri)
        row.status.append(Mark(RELATIONS[relation], site().iri_term(relation), why_href(actor_iri, relation, instrument_iri) if inferred else ""))
    for row in rows.values():
        row.status.sort(key=lambda mark: list(RELATIONS.values()).index(mark.text))
        for marks in (row.signed, row.consented, row.listed, row.withdrew):
            marks.sort(key=lambda mark: (mark.record.label if mark.record else "", mark.text))
    return list(rows.values())


def count_by_instrument(rows: list[Row], source: str = "") -> dict[str, dict[str, int]]:
    """Our counts per instrument, as the treaty-totals query counts them (see queries/counts-vs-official-totals.rq).

    parties: actors with a ratification, accession, succession, deposit or party listing;
    signatories: actors that signed or are listed as signatory and are not parties;
    declarations: organisations that declared acceptance or are listed as accepting.
    With `source`, only records citing that source count.
    """
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        classes = {cls for cls in row.classes if not source or source in row.sources.get(cls, set())}
        tally = counts.setdefault(row.instrument.value, {"parties": 0, "signatories": 0, "declarations": 0})
        party = bool(classes & PARTY_ACTS)
        tally["parties"] += party
        tally["signatories"] += bool(classes & SIGNATORY_ACTS) and not party
        tally["declarations"] += bool(classes & DECLARATION_ACTS)
    return counts
