"""One-off import of the UN General Assembly roll calls on outer space (../shared/reference-data/unga_*) into
data/un_roll_calls.csv, data/un_votes.csv, and the resolutions they adopt into data/un_documents.csv.

Kept for provenance: it says as code how each curated row was derived. Rules:

- One source per roll call. The Voeten data (1958-2019) and the UN Digital Library scrape (2019-2024)
  overlap on four roll calls of December 2019; the UN Digital Library's is kept (it tells non-voting
  members apart), and the roll call's note records that the two agree (SOURCES.md: 772/772 positions).
- Topic: derived here from the roll call's title and description (TOPICS below), not the reference files' keyword tag.
- Left out: three Voeten roll calls of the reference subset that are not on outer space (NOT_ON_OUTER_SPACE below).
- Official symbol: the UN Digital Library gives it. A Voeten `unres` R/<session>/<number><part> becomes
  A/RES/<session>/<number>[ <part>] only for a vote on a whole resolution from session 31 on, when the UN
  numbered resolutions by session. A vote is on a paragraph or an amendment where the source's flag says
  so (para = 1, amend = 1); where the source leaves both flags blank (55 of the roll calls kept, all with the
  resolution's own title as description) it is taken as a vote on the whole resolution, and its note says
  so. Earlier ids (R/13/621 of 1958-12-01 is not numbered or dated as resolution 1348 (XIII) of 1958-12-13) and votes on a paragraph or an amendment keep
  the source id alone: the source does not say which resolution they became.
- States: the source's ISO 3166-1 code through Our World in Data's alpha-2 -> alpha-3 table; historic
  states by the ISO 3166 code in force on the day of the vote: Yugoslavia YUG (to 2003-07-23), then
  Serbia and Montenegro SCG (to 2006-09-26), then Serbia SRB; Czechoslovakia CSK; the German Democratic
  Republic DDR; the USSR SUN (the source writes "Russia" for the USSR's seat: SUN before 1991-12-24, when the
  Russian Federation continued it); the Byelorussian SSR BYS (the source writes "Belarus": BYS while that code was
  in force, to 1992-06-15); the Federal Republic of Germany DEU (ISO gives Germany one code before and after 1990);
  the Yemen Arab Republic YEM (its code continued in unified Yemen); the People's Democratic Republic of
  Yemen YMD.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

TOPICS = (  # first match wins, on the lower-cased title and description
    ("no-first-placement", r"first placement"), ("further-practical-measures", r"further practical measures"),
    ("reducing-space-threats", r"reducing space threats"), ("da-asat-testing", r"anti-satellite"),
    ("tcbm", r"confidence.?building"), ("wmd-in-outer-space", r"weapons of mass destruction in outer space"),
    ("paros", r"arms race,? (in )?outer space"), ("nuclear-testing", r"nuclear"),
)
# Roll calls of the reference subset that are not on outer space: the keyword search matched the end of the
# previous agenda item, which the source's description quotes. The description says what was put to the vote.
NOT_ON_OUTER_SPACE = {
    "5851": "operative paragraph 4 of draft resolution XXII, 'The illicit trade in small arms and light weapons in all its aspects'",
    "5943": "the fourth preambular paragraph of draft resolution XII, 'Transparency in armaments'",
    "5997": "the sixteenth preambular paragraph of draft resolution XXXI, 'Follow-up to the advisory opinion of the International Court "
            "of Justice on the legality of the threat or use of nuclear weapons'",
}
# Titles where the source's short title is blank and its description is a verbatim record of the meeting: the
# item the description names.
TITLES = {"5819": "International cooperation in the peaceful uses of outer space (separate vote on paragraph 42 of draft resolution II)"}
HISTORIC = {"Czechoslovakia": "CSK", "German Democratic Republic": "DDR", "Federal Republic of Germany": "DEU",
            "Yemen Arab Republic": "YEM", "Yemen People's Republic": "YMD"}
# Where the source writes today's state for the seat's earlier holder: that holder's ISO 3166-3 code, and the first
# day of today's state (the Russian Federation continued the USSR's seat on 1991-12-24; the source's last vote of
# the USSR is of 1991-12-06) or the day the earlier code was withdrawn (BYS, 1992-06-15).
RENAMED_CODES = {"RUS": ("SUN", "1991-12-24"), "BLR": ("BYS", "1992-06-15")}
VOETEN_ID = re.compile(r"R/(\d+)/(\d+)([A-Z]?)")
CITATIONS = {
    "voeten": ("voeten-unga-voting-data", "Voeten, Erik",
               "United Nations General Assembly Voting Data (Harvard Dataverse hdl:1902.1/12379), as packaged in the R package unvotes",
               "https://github.com/dgrtwo/unvotes/tree/7eb7034314ff79c49c9e0785fcd9d216fa04cf14/data",
               "CC0; Voeten et al.; data-raw downloaded 2021-02-21, roll calls to 2020-01-14; yes/no/abstain only (absences not recorded)"),
    "undl": ("undl-voting-records-scrape", "",
             "UN Digital Library voting records (scrape of digitallibrary.un.org, one row per resolution)",
             "https://github.com/data-driven-decision-lab/un-digital-library-scraper/blob/f0c1f9784349ace0d872e3ab5a850c4aa5478e37/"
             "UN_VOTING_DATA_RAW_WITH_TAGS_2025-07-07.csv",
             "file of 2025-07-07; per-row tallies checked against the row's own counts; December 2019-2024 read; "
             "no roll call found for PAROS 2021-2024, TCBM 2021-2024 or DA-ASAT testing 2023-2024 (adopted without a vote "
             "or missing from the scrape: the source holds only resolutions with a voting record, so it cannot tell)"),
}
ROLL_CALL_COLUMNS = ["id", "date", "source_id", "symbol", "session", "title", "topic", "vote_on", "yes", "no", "abstain", "non_voting",
                     "record_url", "sources", "confidence", "contested", "notes"]
VOTE_COLUMNS = ["roll_call", "state", "vote", "sources"]


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def topic(title: str) -> str:
    lowered = title.lower()
    return next((code for code, pattern in TOPICS if re.search(pattern, lowered)), "other-outer-space")


def voeten_title(row: dict[str, str]) -> str:
    return row["short"] or TITLES.get(whole(row["rcid"])) or row["descr"].split(" : ")[0]


def whole(value: str) -> str:
    return str(int(float(value))) if value else ""


def vote_on(row: dict[str, str]) -> str:
    return "amendment" if row["amend"] == "1" else "paragraph" if row["para"] == "1" else "resolution"


def voeten_symbol(row: dict[str, str]) -> str:
    if vote_on(row) != "resolution":
        return ""
    if row["unres"].startswith("A/RES/"):
        return row["unres"]
    match = VOETEN_ID.fullmatch(row["unres"])
    if not match or int(match.group(1)) < 31:
        return ""
    return f"A/RES/{match.group(1)}/{match.group(2)}" + (f" {match.group(3)}" if match.group(3) else "")


def state_code(row: dict[str, str]) -> str:
    day = row["date_iso"]
    if row["country"] == "Yugoslavia":
        return "YUG" if day < "2003-07-23" else "SCG" if day < "2006-09-26" else "SRB"
    if row["iso3_via_owid_alpha2"] in RENAMED_CODES:
        old, until = RENAMED_CODES[row["iso3_via_owid_alpha2"]]
        if day < until:
            return old
    return row["iso3_via_owid_alpha2"] or HISTORIC[row["country"]]


def main(reference: Path, data: Path) -> int:
    undl_calls = read(reference / "unga_rollcalls_undl_2019-2024.csv")
    undl_symbols = {row["unres"] for row in undl_calls}
    voeten_key, undl_key = CITATIONS["voeten"][0], CITATIONS["undl"][0]
    calls, votes = [], []
    for row in read(reference / "unga_rollcalls_voeten_1958-2019.csv"):
        if row["unres"] in undl_symbols or whole(row["rcid"]) in NOT_ON_OUTER_SPACE:
            continue  # the UN Digital Library's record of the same roll call is kept (see the module's description)
        blank = "" if row["amend"] or row["para"] else " (The source leaves its amendment and paragraph flags blank: taken as a vote on the whole resolution.)"
        calls.append({"id": f"voeten-{whole(row['rcid'])}", "date": row["date_iso"], "source_id": row["unres"], "symbol": voeten_symbol(row),
                      "session": whole(row["session"]), "title": voeten_title(row), "topic": topic(f"{voeten_title(row)} {row['descr']}"),
                      "vote_on": vote_on(row), "yes": whole(row["yes"]), "no": whole(row["no"]), "abstain": whole(row["abstain"]),
                      "sources": voeten_key, "notes": row["descr"] + blank})
    for row in undl_calls:
        agreed = " The Voeten data record the same roll call and agree on every position (non-voting there: absent)." \
            if row["date_iso"].startswith("2019") else ""
        calls.append({"id": f"undl-{row['undl_row_id']}", "date": row["date_iso"], "source_id": row["unres"], "symbol": row["unres"],
                      "session": whole(row["session"]), "title": row["short"], "topic": topic(row["short"]), "vote_on": "resolution",
                      "yes": whole(row["yes"]) or "0", "no": whole(row["no"]) or "0", "abstain": whole(row["abstain"]) or "0",
                      "non_voting": whole(row["nonvoting"]) or "0", "record_url": row["undl_record_url"], "sources": undl_key,
                      "notes": f"{row['descr']}.{agreed}"})
    kept = {row["id"] for row in calls}
    for row in read(reference / "unga_votes_voeten_1958-2019.csv"):
        call = f"voeten-{whole(row['rcid'])}"
        if call in kept:
            votes.append({"roll_call": call, "state": state_code(row), "vote": row["vote"], "sources": voeten_key})
    undl_ids = {row["unres"]: f"undl-{row['undl_row_id']}" for row in undl_calls}
    for row in read(reference / "unga_votes_undl_2019-2024.csv"):
        votes.append({"roll_call": undl_ids[row["unres"]], "state": row["iso3_via_owid_alpha2"] or row["country_code"],
                      "vote": "not-voting" if row["vote"] == "non-voting" else row["vote"], "sources": undl_key})
    add_resolutions(data, calls)
    write(data / "un_roll_calls.csv", ROLL_CALL_COLUMNS, calls)
    write(data / "un_votes.csv", VOTE_COLUMNS, votes)
    add_citations(data)
    linked = sum(1 for row in calls if row["symbol"])
    print(f"{len(calls)} roll calls ({linked} with an official symbol, {len(calls) - linked} with the source id only), {len(votes)} votes")
    return 0


def add_resolutions(data: Path, calls: list[dict[str, str]]) -> None:
    """Each resolution a roll call adopted, if data/un_documents.csv does not hold it yet: its symbol and title as the source gives them."""
    path = data / "un_documents.csv"
    rows = read(path)
    columns = list(rows[0])
    known = {row["symbol"] for row in rows}
    for call in calls:
        if call["symbol"] and call["symbol"] not in known:
            known.add(call["symbol"])
            rows.append(dict.fromkeys(columns, "") | {"symbol": call["symbol"], "kind": "resolution", "title": call["title"],
                                                      "sources": call["sources"], "notes": "title as the roll-call source writes it"})
    write(path, columns, rows)


def add_citations(data: Path) -> None:
    path = data / "citations.csv"
    rows = read(path)
    columns = list(rows[0])
    known = {row["key"] for row in rows}
    for key, authors, title, url, notes in CITATIONS.values():
        if key not in known:
            rows.append(dict.fromkeys(columns, "") | {"key": key, "type": "dataset", "authors": authors, "title": title, "url": url,
                                                      "notes": notes})
    write(path, columns, rows)


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    sys.exit(main(root.parent / "shared" / "reference-data", root / "data"))
