"""One-off import of the UN Treaty Collection lists of 2014 (../shared/reference-data/registration_untc_2014.csv,
moon_untc_2014.csv) into data/participation_actions.csv and data/citations.csv.

Kept for provenance, like import_reference_data.py: it says as code how each row was derived. An act the
curated data already holds (same actor, instrument, action and date) gains the UNTC list as a second
source instead of a second row; any other act becomes a new row. Running it twice changes nothing.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

CITATIONS = {
    "reg": ("untc-2014-xxiv-1", "treaties/24-1.csv",
            "UN Treaty Collection, MTDSG chapter XXIV-1 (Registration Convention), status page as scraped by the untreaties project"),
    "moon": ("untc-2014-xxiv-2", "treaties/24-2.csv",
             "UN Treaty Collection, MTDSG chapter XXIV-2 (Moon Agreement), status page as scraped by the untreaties project"),
}
FILES = {"reg": "registration_untc_2014.csv", "moon": "moon_untc_2014.csv"}
AS_OF = "2014-07-10"  # the day the scraped file was last changed: every act it lists happened by then


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def add_citations(data: Path, commit: str) -> None:
    columns, rows = read(data / "citations.csv")
    known = {row["key"] for row in rows}
    for key, path, title in CITATIONS.values():
        if key not in known:
            rows.append(dict.fromkeys(columns, "") | {
                "key": key, "type": "dataset", "title": title, "year": "2014", "publisher": "zmjones/untreaties (GitHub)",
                "url": f"https://github.com/zmjones/untreaties/blob/{commit}/{path}",
                "notes": "file last changed 2014-07-10; the UN Secretary-General is the depositary, so the UN Treaty Collection is "
                         "the depositary record; status as of mid-2014 (later joiners are not in it)"})
    write(data / "citations.csv", columns, rows)


def acts_of(row: dict[str, str]) -> list[tuple[str, str]]:
    """(action, date) pairs of one UNTC row: the signature and the deposit, each where the list gives a date."""
    acts = []
    if row["signature_date"]:
        acts.append(("signature", row["signature_date"]))
    if row["deposit_date"]:
        acts.append((row["deposit_type"], row["deposit_date"]))
    return acts


def main(reference: Path, data: Path) -> int:
    columns, actions = read(data / "participation_actions.csv")
    by_key = {(r["actor"], r["instrument"], r["action"], r["date"]): r for r in actions}
    added = merged = 0
    commit = ""
    for instrument, file_name in FILES.items():
        key = CITATIONS[instrument][0]
        for row in read(reference / file_name)[1]:
            commit = row["source_commit"]
            for action, date in acts_of(row):
                existing = by_key.get((row["iso3166_alpha3"], instrument, action, date))
                if existing is not None:
                    if key not in existing["sources"].split("; "):
                        existing["sources"] = f"{existing['sources']}; {key}"
                        merged += 1
                    continue
                new = dict.fromkeys(columns, "") | {
                    "actor": row["iso3166_alpha3"], "actor_name_in_source": row["state_name_in_source"], "instrument": instrument,
                    "action": action, "date": date, "as_of": AS_OF, "sources": key,
                    "notes": f"UNTC cells as scraped: signature {row['signature_raw'] or '(blank)'}, deposit {row['deposit_raw'] or '(blank)'}"}
                actions.append(new)
                by_key[(new["actor"], instrument, action, date)] = new
                added += 1
    write(data / "participation_actions.csv", columns, actions)
    add_citations(data, commit)
    print(f"{added} acts added, {merged} existing acts gained a UNTC 2014 source")
    return 0


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    sys.exit(main(root.parent / "shared" / "reference-data", root / "data"))
