"""The columns each curated CSV file must have: the contract between curators and the mapper."""

from __future__ import annotations

DOUBT = ("confidence", "contested", "notes")

# file stem -> (required columns, optional columns)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "citations": (("key", "type", "title"), ("authors", "container", "volume", "issue", "pages", "year", "doi",
                                              "un_symbol", "publisher", "place", "url", "cited_by", "metadata_from", *DOUBT)),
    "organizations": (("id", "name", "type", "sources"), ("kind", "part_of", "country", "homepage", *DOUBT)),
    "people": (("id", "name", "sources"), ("kind", "country", "homepage", *DOUBT)),
    "instruments": (("id", "kind", "short_name", "sources"),
                    ("title", "legally_binding", "adopted_by", "adoption_date", "opened_for_signature", "signature_place",
                     "entry_into_force", "depositaries", "unts_citation", *DOUBT)),
    "instrument_links": (("instrument", "relation", "target", "sources"), ("notes",)),
    "un_documents": (("symbol", "kind", "title", "sources"),
                     ("date", "vote_yes", "vote_no", "vote_abstain", "topics", *DOUBT)),
    "participation_status": (("actor", "instrument", "status", "sources"), ("actor_name_in_source", "as_of", *DOUBT)),
    "participation_actions": (("actor", "instrument", "action", "sources"),
                              ("actor_name_in_source", "date", "as_of", *DOUBT)),
    "artemis_signatories": (("state", "sources"), ("order_from", "order_to", "date_signed", *DOUBT)),
    "events": (("id", "date", "type", "title", "sources"), ("actors", "instruments", *DOUBT)),
    "norms": (("id", "name", "status", "sources"), ("strength", "codified_in", "proposed_by", *DOUBT)),
    "treaty_totals": (("instrument", "sources"), ("as_of", "parties", "signatories", "igo_declarations", *DOUBT)),
}
