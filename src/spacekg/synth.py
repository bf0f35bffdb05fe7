"""Generate a synthetic SpaceKG project of a chosen size, for benchmarks and scale tests.

The project is the real curated data plus generated rows in the same CSV files, in realistic
proportions (most triples are participation acts, then events and citations), so every stage of
the pipeline (read, map, validate, reason, load, dumps) runs on it unchanged. A share of the
generated signature/ratification pairs is seeded with a SHACL violation: the ratification is dated
before the signature.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import pycountry

# Measured on the mapper's output: asserted triples written per generated row of each kind.
TRIPLES_PER_ROW = {"participation": 9.0, "event": 10.0, "citation": 5.0, "instrument": 10.0}
TRIPLES_PER_STATE = 19.0  # a state's first use mints it: codes, ISO names, their translations and list forms (curated mean)
TRIPLES_PER_STATUS = 11.0  # and a treaty status with one period per instrument some status source covers (a state with no evidence)
SHARE = {"participation": 0.62, "event": 0.2, "citation": 0.12, "instrument": 0.06}
EVENT_TYPES = ("policy", "launch", "un-resolution", "treaty-signature", "negotiation", "conference", "destructive-asat-test",
               "guideline-adoption", "publication", "moratorium")


@dataclass(frozen=True)
class SynthReport:
    folder: Path
    rows: dict[str, int]
    seeded_violations: int


def _append(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with open(path, "a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in header})


def _day(rng: random.Random, start: int = 1957, end: int = 2025) -> dt.date:
    return dt.date(rng.randint(start, end), rng.randint(1, 12), rng.randint(1, 28))


def _states_in(data: Path) -> set[str]:
    """The state codes the project's acts, listings and Artemis rows already name."""
    found = set()
    for name, column in (("participation_actions", "actor"), ("participation_status", "actor"), ("artemis_signatories", "state")):
        path = data / f"{name}.csv"
        if path.is_file():
            with open(path, encoding="utf-8", newline="") as handle:
                found |= {row[column] for row in csv.DictReader(handle) if len(row.get(column, "")) == 3 and row[column].isupper()}
    return found


def _covered_instruments(data: Path) -> set[str]:
    """The instruments data/status_coverage.csv names: every state gets a treaty status for each (spacekg.rdf.status)."""
    path = data / "status_coverage.csv"
    if not path.is_file():
        return set()
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["instrument"] for row in csv.DictReader(handle)}


def synthesize(project: Path, target: Path, triples: int, violation_share: float = 0.01, seed: int = 7) -> SynthReport:
    """Copy `project`'s ontology, data and queries to `target` and add rows until about `triples` more triples."""
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    for folder in ("ontology", "data", "queries", "shapes"):
        shutil.copytree(project / folder, target / folder)
    data = target / "data"
    states = sorted(c.alpha_3 for c in pycountry.countries)
    counts = {kind: int(triples * SHARE[kind] / TRIPLES_PER_ROW[kind]) for kind in SHARE}

    citations = [{"key": f"synth-source-{n:07d}", "type": "web-page", "title": f"Synthetic source {n}",
                  "url": f"https://example.org/source/{n}", "publisher": "example.org"} for n in range(max(1, counts["citation"]))]
    _append(data / "citations.csv", citations)
    keys = [c["key"] for c in citations]

    instruments = []
    for n in range(max(1, counts["instrument"])):
        opened = _day(rng)
        instruments.append({"id": f"synth-instrument-{n:06d}", "kind": rng.choice(("treaty", "convention", "agreement")),
                            "short_name": f"Synthetic agreement {n}", "title": f"Synthetic agreement number {n} on outer space",
                            "legally_binding": "yes", "opened_for_signature": opened.isoformat(),
                            "entry_into_force": (opened + dt.timedelta(days=rng.randint(30, 2000))).isoformat(),
                            "sources": rng.choice(keys)})
    _append(data / "instruments.csv", instruments)
    instrument_ids = [i["id"] for i in instruments]
    opened_on = {i["id"]: dt.date.fromisoformat(i["opened_for_signature"]) for i in instruments}

    acts: list[dict[str, str]] = []
    seeded, most = 0, len(states) * len(instrument_ids)
    taken: set[tuple[str, str]] = set()  # one signature/ratification pair per state and instrument, as in reality
    known = _states_in(data)  # states the project mints already; a new one costs its own triples and its treaty statuses
    per_state = TRIPLES_PER_STATE + TRIPLES_PER_STATUS * len(_covered_instruments(data))
    budget = counts["participation"] * TRIPLES_PER_ROW["participation"]
    while budget >= 2 * TRIPLES_PER_ROW["participation"] and len(taken) < most:
        state, instrument = rng.choice(states), rng.choice(instrument_ids)
        while (state, instrument) in taken:
            state, instrument = rng.choice(states), rng.choice(instrument_ids)
        n = len(taken)
        taken.add((state, instrument))
        budget -= 2 * TRIPLES_PER_ROW["participation"] + (0 if state in known else per_state)
        known.add(state)
        # Acts follow the opening for signature; the 400-day margin keeps a seeded early ratification after it too.
        signed = opened_on[instrument] + dt.timedelta(days=rng.randint(400, 3000))
        ratified = signed + dt.timedelta(days=rng.randint(1, 1500))
        if rng.random() < violation_share:
            ratified, seeded = signed - dt.timedelta(days=rng.randint(1, 400)), seeded + 1
        source = rng.choice(keys)
        acts.append({"actor": state, "instrument": instrument, "action": "signature", "date": signed.isoformat(), "sources": source,
                     "notes": f"synthetic pair {n}"})
        acts.append({"actor": state, "instrument": instrument, "action": "ratification", "date": ratified.isoformat(), "sources": source,
                     "notes": f"synthetic pair {n}"})
    _append(data / "participation_actions.csv", acts)

    events = []
    for n in range(counts["event"]):
        instrument = rng.choice(instrument_ids)
        happened = opened_on[instrument] + dt.timedelta(days=rng.randint(0, 3000))  # events about an instrument follow it
        events.append({"id": f"S{n:07d}", "date": happened.isoformat(), "type": rng.choice(EVENT_TYPES),
                       "title": f"Synthetic event {n}", "actors": "; ".join(rng.sample(sorted(known) if len(known) >= 2 else states, 2)),
                       "instruments": instrument, "sources": rng.choice(keys)})
    _append(data / "events.csv", events)
    rows = {"citations": len(citations), "instruments": len(instruments), "participation_actions": len(acts), "events": len(events)}
    return SynthReport(target, rows, seeded)
