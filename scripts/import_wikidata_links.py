"""One-off import of Wikidata QIDs into data/wikidata_links.csv, kept for provenance: it says as code how each row was derived.

Sources (each row cites one):
- states: ../shared/reference-data/iso3_wikidata_qids.csv, Our World in Data's country table (citation
  owid-countries-regions), for the states another record of data/ mentions (the table has territories too;
  a link never makes a state part of the graph, the build refuses a row for a state nothing else mentions).
  The Netherlands maps to Q29999, the Kingdom of the Netherlands: the party to treaties (the row's note says so).
- instruments: docs/research/instrument-wikidata-qids.csv, rows with a QID (citation world4d-wikidata-treaties);
  the others have no sourced QID and get no link.
- historic states: docs/research/historic-state-wikidata-qids.csv, for the three whose QID independent sources
  agree on (USSR, Czechoslovakia, German Democratic Republic), citing the SpocWiki/_Standards page (a copy of the
  Wikidata item with its ISO codes) and soviet-cinema-tools' country table. Left out: Yugoslavia (the sources
  disagree: Q36704 or Q83286), Serbia and Montenegro and South Yemen (one machine-written source each).

Usage: python scripts/import_wikidata_links.py  (from the project folder; rewrites data/wikidata_links.csv)
"""

from __future__ import annotations

import csv
from pathlib import Path

from spacekg.kinds import RECORD_KINDS, record_columns
from spacekg.namespaces import Minter
from spacekg.pipeline import load_ontology
from spacekg.rdf import map_sources
from spacekg.settings import Settings
from spacekg.sources import read_sources

PROJECT = Path(__file__).resolve().parents[1]
STATES = PROJECT.parent / "shared" / "reference-data" / "iso3_wikidata_qids.csv"
INSTRUMENTS = PROJECT / "docs" / "research" / "instrument-wikidata-qids.csv"
HISTORIC = PROJECT / "docs" / "research" / "historic-state-wikidata-qids.csv"
TARGET = PROJECT / "data" / "wikidata_links.csv"
COLUMNS = ("entity", "qid", "label_in_source", "sources", "confidence", "contested", "notes")
AGREED = ("SUN", "CSK", "DDR")
HISTORIC_CITATIONS = {"SpocWiki/_Standards": lambda code: f"spocwiki-standards-{code.lower()}",
                      "soviet-kino/soviet-cinema-tools": lambda code: "soviet-cinema-tools-wikidata-films"}
NOTES = {"NLD": "Q29999 is the Kingdom of the Netherlands (the party to treaties), not the constituent country Netherlands"}


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def states_in_graph() -> set[str]:
    """ISO codes of the states the other curated records mention (the data mapped without this file)."""
    settings = Settings(project_dir=PROJECT)
    sources = read_sources(settings.data, settings.project_dir, record_columns())
    sources.tables["wikidata_links"] = []
    asserted = map_sources(sources, load_ontology(settings.ontology), Minter(settings.base_iri), RECORD_KINDS)
    prefix = str(Minter(settings.base_iri).entity("state", ""))
    return {str(iri)[len(prefix):] for iri in asserted.positions if str(iri).startswith(prefix)}


def state_rows() -> list[dict[str, str]]:
    used = states_in_graph()
    return [{"entity": row["iso3166_alpha3"], "qid": row["wikidata_qid"], "label_in_source": row["wikidata_label"],
             "sources": "owid-countries-regions", "notes": NOTES.get(row["iso3166_alpha3"], "")}
            for row in _rows(STATES) if row["iso3166_alpha3"] in used and row["wikidata_qid"]]


def instrument_rows() -> list[dict[str, str]]:
    return [{"entity": row["instrument_id"], "qid": row["wikidata_qid"], "label_in_source": row["wikidata_label_in_source"],
             "sources": "world4d-wikidata-treaties", "confidence": "medium",
             "notes": "one third-party export of Wikidata (2026-10-07), not checked against Wikidata itself"}
            for row in _rows(INSTRUMENTS) if row["wikidata_qid"]]


def historic_rows() -> list[dict[str, str]]:
    cited = [row for row in _rows(HISTORIC) if row["iso3166_3_code"] in AGREED and row["source_repo"] in HISTORIC_CITATIONS]
    rows = []
    for code in AGREED:
        own = [row for row in cited if row["iso3166_3_code"] == code]
        assert len({row["wikidata_qid"] for row in own}) == 1, f"the sources disagree on {code}"
        label = next(row["wikidata_label_in_source"] for row in own if row["source_repo"] == "SpocWiki/_Standards")
        rows.append({"entity": code, "qid": own[0]["wikidata_qid"], "label_in_source": label.split(" (")[0],
                     "sources": "; ".join(sorted({HISTORIC_CITATIONS[row["source_repo"]](code) for row in own}))})
    return rows


def main() -> None:
    rows = state_rows() + historic_rows() + instrument_rows()
    with open(TARGET, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({column: row.get(column, "") for column in COLUMNS} for row in rows)
    print(f"{TARGET.relative_to(PROJECT)}: {len(rows)} rows")


if __name__ == "__main__":
    main()
