"""One-off import of ../shared/reference-data into the curated files in data/.

Kept for provenance: it documents, as code, exactly how every curated row was
derived from the collected reference facts (nothing is added from memory).
Since the first import, data/ is the source of truth and curators edit it by
hand; re-running this script overwrites their edits, so it refuses to run
when data/ already exists unless --force is given.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

SPLIT_SOURCES = re.compile(r"\s;\s")
URL = re.compile(r"https?://\S+")
UN_SYMBOL_AT_START = re.compile(r"^((?:A|CD|ST|GA)/[A-Za-z0-9./]+(?: \([IVXLC]+\))?(?: [A-Z]\b)?)")
CONFIDENCE = re.compile(r"confidence\s*=\s*(high|medium|low)", re.I)
CONTESTED = re.compile(r"contradict|conflict|discrepanc|\bdisagree", re.I)

# Event actors and norm proposers are written as names in the reference data;
# curated data refers to them by identifier (ISO alpha-3 for states).
ACTOR_IDS = {
    "UNGA": "unga", "UNODA": "unoda", "COPUOS": "copuos", "CD": "cd", "IADC": "iadc",
    "Stimson": "stimson", "Stimson Center": "stimson", "EU": "eu", "MacArthur": "macarthur",
    "NASA": "nasa", "ESA": "esa", "UNIDIR": "unidir", "SWF": "swf", "OEF": "oef",
    "Ploughshares Fund": "ploughshares-fund", "New-Land Foundation": "new-land-foundation",
    "Rockefeller Foundation": "rockefeller-foundation", "UNOOSA": "unoosa", "GGE": "gge-tcbm",
    "European Space Agency": "esa",
    "European Organization for the Exploitation of Meteorological Satellites": "eumetsat",
    "European Telecommunications Satellite Organization": "eutelsat-igo",
}
DEPOSITARY_IDS = {
    "Russian Federation": "RUS", "United Kingdom of Great Britain and Northern Ireland": "GBR",
    "United States of America": "USA", "United Kingdom": "GBR",
    "Union of Soviet Socialist Republics (Russian Federation)": "SUN",
    "Secretary-General of the United Nations": "un-secretary-general",
}
ACTION_CODES = {
    "ratification (deposit)": "ratification",
    "accession/succession (deposit; third column)": "deposit",
    "deposit": "deposit",
}
EVENT_TYPE_CODES = {"asat-test": "destructive-asat-test"}  # every ASAT row's title says it destroyed its target
INSTRUMENT_KIND_CODES = {"resolution-declaration": "declaration", "code": "code-of-conduct"}
DRAFT_INSTRUMENTS = {"ppwt": "draft-treaty", "eu_icoc": "draft-code-of-conduct"}
GUIDELINES = {"iadc_sdm_guidelines", "un_sdm_guidelines", "lts_guidelines"}
SEED_B_BIBLIOGRAPHY = {
    "un-a-res-47-68", "un-a-res-51-122", "un-a-ac105-1166", "un-a-res-61-75", "un-a-res-62-43",
    "campbell-1991-dangerous-military-activities", "chanock-2013-space-weapons",
    "fuller-2017-measuring-space-debris-risk", "hart-2007-asat-weapons",
    "lukaszuk-1999-dyplomacja-wspolczesna", "meyer-2016-space-security-diplomacy",
    "milik-2016-transfer-of-weapons", "milosz-2010-dyplomacja-wspolczesna",
    "onley-2013-death-from-above", "polkowska-2019-ssa-europe", "rendleman-2013-hosted-payloads",
    "unoda-2013-study-series-34", "new-start-2010",
}
SEED_A = "seed-stimson-space-diplomacy"

# Organisation kinds as written in the reference data, mapped to the ontology's codes.
ORG_TYPES = {
    "think tank": "think-tank", "private operating foundation": "foundation", "foundation": "foundation",
    "conference centre (of Rockefeller Foundation)": "conference-centre", "UN research institute": "un-body",
    "NGO": "ngo", "university research centre": "university-unit", "university law centre": "university-unit",
    "UN committee": "un-body", "UN office": "un-body", "multilateral negotiating forum": "un-body",
    "intergovernmental military alliance": "intergovernmental-organization",
    "inter-agency forum": "forum", "intergovernmental organization": "intergovernmental-organization",
    "national space agency": "government-agency",
}
# Actors named in events.csv, norms.csv or as depositaries that organizations.csv lacks.
# Each cites the reference source in which it is named.
ADDED_ORGANIZATIONS = [
    {"id": "unga", "name": "United Nations General Assembly", "type": "un-body", "kind": "UN principal organ",
     "sources": "fredsakademiet-december-dec0813-htm; wikisource-69-38",
     "notes": "named as actor UNGA in the reference chronology (events.csv)"},
    {"id": "eu", "name": "European Union", "type": "intergovernmental-organization", "kind": "regional organization",
     "sources": "cfr-eu-code-conduct-outer-space-activities-p26677",
     "notes": "named as actor EU in the reference chronology (draft Code of Conduct)"},
    {"id": "rockefeller-foundation", "name": "Rockefeller Foundation", "type": "foundation", "kind": "foundation",
     "sources": "seed-stimson-space-diplomacy; stimson-bellagio-workshop-summary",
     "notes": "owner of the Bellagio Conference Center (seed a)"},
    {"id": "gge-tcbm", "name": "Group of Governmental Experts on Transparency and Confidence-Building Measures in Outer Space Activities",
     "type": "un-body", "kind": "UN group of governmental experts", "part_of": "unga",
     "sources": "un-a-68-189; unoda-2013-study-series-34",
     "notes": "established by A/RES/65/68; report A/68/189 of 29 July 2013"},
    {"id": "un-secretary-general", "name": "Secretary-General of the United Nations", "type": "un-body",
     "kind": "UN office", "sources": "a-ac-105-c-2-2022-crp-10",
     "notes": "depositary named in the UNOOSA status documents"},
    {"id": "stimson-space-security-project", "name": "Space Security Project (Stimson Center)", "type": "programme",
     "kind": "research programme", "country": "USA", "part_of": "stimson",
     "sources": "seed-stimson-space-diplomacy; stimson-2010-code-of-conduct",
     "notes": "initiated 2002 with a MacArthur Foundation grant (stimson-2010-code-of-conduct)"},
]
PART_OF = {"rockefeller-bellagio": "rockefeller-foundation", "copuos": "unga"}
# Relations between instruments stated in the texts cited in the reference data (preambles).
INSTRUMENT_LINKS = [
    ("ost", "builds-on", "decl_legal_principles", "github-statengeneraal-laws-markdown-readme-md", "OST preamble recalls resolution 1962 (XVIII)"),
    ("ost", "builds-on", "A/RES/1884 (XVIII)", "github-statengeneraal-laws-markdown-readme-md", "OST preamble recalls resolution 1884 (XVIII)"),
    ("moon", "builds-on", "ost", "compls-agreement-governing-the-activities-of-states-on-the-m", "Moon Agreement preamble recalls the Outer Space Treaty"),
    ("moon", "builds-on", "arra", "compls-agreement-governing-the-activities-of-states-on-the-m", "Moon Agreement preamble recalls the Rescue Agreement"),
    ("moon", "builds-on", "liab", "compls-agreement-governing-the-activities-of-states-on-the-m", "Moon Agreement preamble recalls the Liability Convention"),
    ("moon", "builds-on", "reg", "compls-agreement-governing-the-activities-of-states-on-the-m", "Moon Agreement preamble recalls the Registration Convention"),
    ("reg", "builds-on", "A/RES/1721 (XVI)", "unoosa-treaties-introregistration-convention-html", "UNOOSA: the UN register was established by resolution 1721 B (XVI)"),
    ("eutelsat", "builds-on", "itso", "jaxa-3-2-2-2-index-e-html", "EUTELSAT convention preamble refers to the INTELSAT agreement"),
    ("eutelsat", "builds-on", "imso", "jaxa-3-2-2-2-index-e-html", "EUTELSAT convention preamble refers to the INMARSAT convention"),
    ("un_sdm_guidelines", "builds-on", "iadc_sdm_guidelines", "nap-page-79", "IADC guidelines presented to COPUOS STSC in Feb 2003 as basis for the COPUOS guidelines"),
]
SEED_B = "seed-space-diplomacy-article"


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")


def read(reference: Path, name: str) -> list[dict[str, str]]:
    with open(reference / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write(data: Path, name: str, columns: list[str], rows: list[dict[str, str]]) -> None:
    with open(data / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})


def confidence_of(notes: str) -> str:
    found = {m.lower() for m in CONFIDENCE.findall(notes)}
    for level in ("low", "medium", "high"):
        if level in found:
            return level
    return ""


def contested_of(notes: str) -> str:
    return "yes" if CONTESTED.search(notes) else ""


class SourceRegistry:
    """Turns the free-text source cells into citation records with stable keys."""

    def __init__(self, citations: list[dict[str, str]], un_symbols: set[str]) -> None:
        self.rows: dict[str, dict[str, str]] = {}
        self.by_url: dict[str, str] = {}
        self.by_text: dict[str, str] = {}
        self.un_symbols = un_symbols
        for row in citations:
            self.rows[row["key"]] = row
            if row.get("url"):
                self.by_url[row["url"]] = row["key"]

    def _new(self, key: str, row: dict[str, str]) -> str:
        base, n = key, 2
        while key in self.rows:
            key, n = f"{base}-{n}", n + 1
        row["key"] = key
        self.rows[key] = row
        return key

    def key_for(self, item: str) -> str:
        item = item.strip()
        if item in self.by_text:
            return self.by_text[item]
        if item.startswith("seed (a)"):
            return SEED_A
        if item.startswith("seed (b)"):
            return SEED_B
        urls = URL.findall(item)
        symbol = UN_SYMBOL_AT_START.match(item)
        rest = URL.sub("", item).strip()
        if symbol:
            sym = symbol.group(1)
            note = rest[len(sym):].strip()
            same_symbol = [k for k, r in self.rows.items() if r.get("un_symbol") == sym]
            if urls and urls[0] in self.by_url:
                key = self.by_url[urls[0]]
            elif same_symbol:
                key = same_symbol[0]
                if urls and not self.rows[key].get("url"):
                    self.rows[key]["url"] = urls[0]
                    self.by_url[urls[0]] = key
            else:
                github = re.search(r"github\.com/[\w.-]+/[\w.-]+", note)
                url = urls[0] if urls else ("https://" + github.group(0) if github else "")
                key = self._new(slugify(sym), {
                    "type": "un-document", "un_symbol": sym, "title": sym,
                    "url": url, "notes": note,
                    "contested": contested_of(note), "confidence": confidence_of(note),
                })
                if urls:
                    self.by_url[urls[0]] = key
        elif item.startswith("github.com/"):
            repo, _, path = item.partition(" ")
            owner_repo = "/".join(repo.split("/")[1:3])
            key = self._new(slugify("github " + owner_repo.replace("/", " ") + " " + path.split("/")[-1], 70), {
                "type": "software-repository-file", "title": f"{owner_repo}: {path}",
                "url": "https://" + repo, "notes": f"file {path} in repository {repo}",
            })
        elif urls:
            url = urls[0].rstrip(",")
            if url in self.by_url:
                key = self.by_url[url]
            else:
                parts = urlsplit(url)
                host = parts.netloc.removeprefix("www.").removeprefix("m.")
                labels = host.split(".")
                site = labels[-2] if len(labels) >= 2 else labels[0]
                path_words = [p for p in re.split(r"[/?=&]", parts.path + "?" + parts.query) if p]
                label = " ".join(path_words[-2:])
                key = self._new(slugify(f"{site} {label}", 60) or slugify(host), {
                    "type": "web-page", "title": rest or "", "url": url,
                    "publisher": host,
                })
                self.by_url[url] = key
        else:
            raise SystemExit(f"cannot turn source item into a citation: {item!r}")
        self.by_text[item] = key
        return key

    def keys_for(self, cell: str) -> str:
        items = [i for i in SPLIT_SOURCES.split(cell.strip()) if i.strip()]
        keys: list[str] = []
        for item in items:
            key = self.key_for(item)
            if key not in keys:
                keys.append(key)
        return "; ".join(keys)


def actor_id(code: str, name: str = "") -> str:
    code = code.strip()
    if code in ACTOR_IDS:  # organisation abbreviations such as ESA look like ISO codes
        return ACTOR_IDS[code]
    if re.fullmatch(r"[A-Z]{3}", code):
        return code
    return ACTOR_IDS[name.strip()]


def split_list(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, default=Path("../shared/reference-data"))
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    if (args.data / "events.csv").exists() and not args.force:
        sys.exit("data/ already holds curated files; pass --force to overwrite curators' edits")
    args.data.mkdir(exist_ok=True)
    ref = args.reference

    un_rows = read(ref, "resolutions")
    un_symbols = set()
    un_documents = []
    for row in un_rows:
        symbol, _, qualifier = row["symbol"].partition(" (")
        if re.fullmatch(r"[IVXLC]+\)", qualifier):  # session number belongs to the symbol
            symbol, qualifier = row["symbol"], ""
        qualifier = qualifier.rstrip(")")
        un_symbols.add(symbol)
        kind = ("resolution" if symbol.startswith("A/RES/") else "decision" if symbol.startswith("A/DEC/")
                else "draft-resolution" if "/L." in symbol else "press-release" if symbol.startswith("GA/")
                else "conference-room-paper" if "/CRP." in symbol else "letter" if symbol.startswith("CD/")
                else "report")
        notes = "; ".join(n for n in (qualifier, row["vote_notes"]) if n)
        un_documents.append({
            "symbol": symbol, "kind": kind, "title": row["title"], "date": row["adoption_date"],
            "vote_yes": row["vote_yes"], "vote_no": row["vote_no"], "vote_abstain": row["vote_abstain"],
            "topics": row["topic"], "source_cell": row["source"], "notes": notes,
            "confidence": confidence_of(notes), "contested": contested_of(notes),
        })

    citations = read(ref, "citations")
    curated_citations = []
    for row in citations:
        notes = row["notes"]
        authors = row["authors"]
        curated_citations.append({
            "key": row["key"], "type": row["type"], "authors": authors, "title": row["title"],
            "container": row["container"], "volume": row["volume"], "issue": row["issue"],
            "pages": row["pages"], "year": row["year"], "doi": row["doi"],
            "un_symbol": (re.search(r"\((A/[^)]+)\)$", row["title"]) or re.match(r"(A/\S+)$", row["title"]) or [None, ""])[1],
            "publisher": row["publisher"], "place": row["place"], "url": row["url"],
            "metadata_from": row["source_of_metadata"], "notes": notes,
            "confidence": "low" if "NOT verified" in notes or "NOT found" in notes else confidence_of(notes),
            "contested": contested_of(notes),
            "cited_by": SEED_B if row["key"] in SEED_B_BIBLIOGRAPHY else "",
        })
    curated_citations.append({
        "key": SEED_A, "type": "web-page", "authors": "Stimson Center", "title": "Space Diplomacy",
        "container": "Stimson Center research pages (International Order & Conflict programme)",
        "publisher": "Stimson Center",
        "notes": "seed document (a) of the project: the Stimson Center's Space Diplomacy research page; its address is not recorded in the seed copy",
    })
    registry = SourceRegistry(curated_citations, un_symbols)

    def sourced(row: dict[str, str], cell: str) -> dict[str, str]:
        row["sources"] = registry.keys_for(cell)
        return row

    for doc in un_documents:
        sourced(doc, doc.pop("source_cell"))

    instruments = []
    for row in read(ref, "treaties"):
        depositaries, notes = [], [row["notes"]] if row["notes"] else []
        for name in split_list(row["depositaries"]):
            if name in DEPOSITARY_IDS:
                depositaries.append(DEPOSITARY_IDS[name])
            else:
                notes.append(f"status source names {name}")
        kind = DRAFT_INSTRUMENTS.get(row["id"]) or ("guidelines" if row["id"] in GUIDELINES else INSTRUMENT_KIND_CODES.get(row["kind"], row["kind"]))
        adopted_by = f"A/RES/{row['adopted_by_resolution']}" if row["adopted_by_resolution"] else ""
        note_text = "; ".join(notes)
        instruments.append(sourced({
            "id": row["id"], "kind": kind, "short_name": row["short_name"], "title": row["full_title"],
            "legally_binding": row["legally_binding"], "adopted_by": adopted_by,
            "adoption_date": row["adoption_date"], "opened_for_signature": row["opened_for_signature_date"],
            "signature_place": row["signature_place"], "entry_into_force": row["entry_into_force_date"],
            "depositaries": "; ".join(depositaries), "unts_citation": row["unts_citation"],
            "notes": note_text, "confidence": confidence_of(note_text), "contested": contested_of(note_text),
        }, row["source"]))

    def actor_rows(name: str) -> list[dict[str, str]]:
        out = []
        for row in read(ref, name):
            country = row.get("country", "")
            notes = row["notes"]
            out.append(sourced({
                "id": row["id"], "name": row["name"], "kind": row["kind"], "type": ORG_TYPES.get(row["kind"], ""),
                "part_of": PART_OF.get(row["id"], ""),
                "country": country, "homepage": row["homepage"], "notes": notes,
                "confidence": confidence_of(notes), "contested": contested_of(notes),
            }, row["source"]))
        return out

    organizations = actor_rows("organizations") + ADDED_ORGANIZATIONS
    people = actor_rows("people")

    status_rows = []
    for row in read(ref, "participation"):
        notes = row["notes"]
        status_rows.append(sourced({
            "actor": actor_id(row["iso3166_alpha3"], row["state_name"]),
            "actor_name_in_source": row["state_name"], "instrument": row["instrument_id"],
            "status": row["status"], "as_of": row["as_of"], "notes": notes,
            "confidence": confidence_of(notes), "contested": contested_of(notes),
        }, row["source"]))

    actions = []
    seen = set()
    for name in ("participation_dates", "participation_actions"):
        for row in read(ref, name):
            action = ACTION_CODES.get(row["action"], row["action"])
            notes = row["notes"]
            if name == "participation_dates" and row["action"] != action:
                notes = "; ".join(n for n in (f"source column: {row['action']}", notes) if n)
            record = {
                "actor": actor_id(row["iso3166_alpha3"], row["state_name"]),
                "actor_name_in_source": row["state_name"], "instrument": row["instrument_id"],
                "action": action, "date": row["date"], "as_of": row.get("as_of", ""), "notes": notes,
                "confidence": confidence_of(notes), "contested": contested_of(notes),
            }
            sourced(record, row["source"])
            identity = (record["actor"], record["instrument"], record["action"], record["date"], record["sources"])
            if identity in seen:  # participation_actions repeats the Moon rows of participation_dates
                continue
            seen.add(identity)
            actions.append(record)

    artemis = []
    for row in read(ref, "artemis_signatories"):
        order = row["order"].split(" ")[0]
        low, _, high = order.partition("-")
        notes = "; ".join(n for n in (row["notes"], f"order given as {row['order']!r}" if " " in row["order"] else "") if n)
        artemis.append(sourced({
            "state": row["iso3166_alpha3"], "order_from": low, "order_to": high or low,
            "date_signed": row["date_signed"], "notes": notes,
            "confidence": confidence_of(notes), "contested": contested_of(notes),
        }, row["source"]))

    events = []
    for row in read(ref, "events"):
        notes = row["notes"]
        instruments_cell = []
        for ref_id in split_list(row["related_instruments"]):
            instruments_cell.append(ref_id)
        events.append(sourced({
            "id": row["id"], "date": row["date"], "title": row["title"],
            "type": EVENT_TYPE_CODES.get(row["event_type"], row["event_type"]),
            "actors": "; ".join(actor_id(a) for a in split_list(row["actors"])),
            "instruments": "; ".join(instruments_cell), "notes": notes,
            "confidence": confidence_of(notes), "contested": contested_of(notes),
        }, row["source"]))

    norms = []
    for row in read(ref, "norms"):
        proposers, extra = [], []
        for part in split_list(row["proposed_by"]):
            head = part.split(" (")[0].strip()
            if head in ACTOR_IDS or re.fullmatch(r"[A-Z]{3}", head):
                proposers.append(actor_id(head))
                if head != part:
                    extra.append(f"proposer note: {part}")
            elif head == "Canada":
                proposers.append("CAN")
                extra.append(f"proposer note: {part}")
            else:
                extra.append(f"proposed by (as written in the reference data): {part}")
        notes = "; ".join(n for n in [row["notes"], *extra] if n)
        norms.append(sourced({
            "id": row["id"], "name": row["name"], "status": row["status"], "strength": row["strength"],
            "codified_in": row["codified_in"], "proposed_by": "; ".join(proposers), "notes": notes,
            "confidence": confidence_of(notes), "contested": contested_of(notes),
        }, row["source"]))

    totals = []
    for row in read(ref, "treaty_totals"):
        as_of = row["as_of"]
        notes = row["notes"]
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", as_of):
            notes = "; ".join(n for n in (f"as of: {as_of}", notes) if n)
            as_of = ""
        totals.append(sourced({
            "instrument": row["instrument_id"], "as_of": as_of, "parties": row["parties"],
            "signatories": row["signatories"], "igo_declarations": row["declarations_igo"], "notes": notes,
            "confidence": confidence_of(notes), "contested": contested_of(notes),
        }, row["source"]))

    doubt = ["confidence", "contested", "notes"]
    write(args.data, "un_documents", ["symbol", "kind", "title", "date", "vote_yes", "vote_no", "vote_abstain", "topics", "sources", *doubt], un_documents)
    write(args.data, "instruments", ["id", "kind", "short_name", "title", "legally_binding", "adopted_by", "adoption_date", "opened_for_signature", "signature_place", "entry_into_force", "depositaries", "unts_citation", "sources", *doubt], instruments)
    write(args.data, "organizations", ["id", "name", "type", "kind", "part_of", "country", "homepage", "sources", *doubt], organizations)
    write(args.data, "instrument_links", ["instrument", "relation", "target", "sources", "notes"],
          [dict(zip(["instrument", "relation", "target", "sources", "notes"], link, strict=True)) for link in INSTRUMENT_LINKS])
    write(args.data, "people", ["id", "name", "kind", "country", "homepage", "sources", *doubt], people)
    write(args.data, "participation_status", ["actor", "actor_name_in_source", "instrument", "status", "as_of", "sources", *doubt], status_rows)
    write(args.data, "participation_actions", ["actor", "actor_name_in_source", "instrument", "action", "date", "as_of", "sources", *doubt], actions)
    write(args.data, "artemis_signatories", ["state", "order_from", "order_to", "date_signed", "sources", *doubt], artemis)
    write(args.data, "events", ["id", "date", "type", "title", "actors", "instruments", "sources", *doubt], events)
    write(args.data, "norms", ["id", "name", "status", "strength", "codified_in", "proposed_by", "sources", *doubt], norms)
    write(args.data, "treaty_totals", ["instrument", "as_of", "parties", "signatories", "igo_declarations", "sources", *doubt], totals)
    write(args.data, "citations", ["key", "type", "authors", "title", "container", "volume", "issue", "pages", "year", "doi", "un_symbol", "publisher", "place", "url", "cited_by", "metadata_from", *doubt], list(registry.rows.values()))
    print(f"wrote {len(registry.rows)} citations and the curated record files to {args.data}/")


if __name__ == "__main__":
    main()
