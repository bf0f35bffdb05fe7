"""The status rule: from the evidence about one actor and one instrument to its status on any day.

Evidence is every act (signature, ratification, …, withdrawal), every status document's listing, and
every complete status document's silence about the actor ("not listed" = not a party as of its date).
Each piece is known from a day on: its own date, or for an undated act the date of its source (an
act a source lists happened no later than the source).

On a day D:
1. Among the evidence known by D, the newest dated piece decides ("the newest authoritative status
   document wins; dated acts decide between documents": on the same day an act outranks a listing).
   Undated pieces decide only where no dated piece is known.
2. A piece not yet known by D whose day is unknown (undated, or a partial date spanning D, or a listing
   whose status no dated act explains) and that could have happened by D — no dated piece of a lower
   status lies between D and it — makes the status on D *unknown for want of a date*, unless the
   decided status already is at least as high.
3. With no evidence: *not covered by any source*. A complete document's silence speaks for every day
   up to its date, so an actor it does not list was not a party before it either.

The current status is the status on the last day any evidence is known. Disagreements are kept:
an older or undated piece of a higher status that no withdrawal explains, or two pieces of the same day
that differ, make the current status *contested*, with the pieces that disagree named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

RANKS = {"not-party": 0, "signatory": 1, "party": 2, "declared-acceptance": 2, "withdrawn": 0}
UNKNOWN, NOT_COVERED = "unknown", "not-covered"


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: what status it shows for the actor, and from when.

    earliest/latest: the first and last day its (possibly partial) date can mean; None when undated.
    known_by: the day from which it is known to have happened (latest for a dated piece, else the
    source's date). listing: a status document's statement about a state (as opposed to an act).
    """

    iri: str
    status: str
    earliest: dt.date | None
    latest: dt.date | None
    known_by: dt.date
    listing: bool = False
    contested: bool = False

    @property
    def dated(self) -> bool:
        return self.latest is not None

    @property
    def rank(self) -> int:
        return RANKS[self.status]


@dataclass(frozen=True)
class Verdict:
    status: str
    decided_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Period:
    """The status from `start` (inclusive) to `end` (exclusive; None: still so)."""

    start: dt.date | None
    end: dt.date | None
    status: str
    decided_by: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    status: str
    decided_by: tuple[str, ...]
    periods: tuple[Period, ...]
    contested: bool = False
    conflicting: tuple[str, ...] = field(default_factory=tuple)


def _newest(pieces: list[Evidence]) -> list[Evidence]:
    """The deciding pieces: the newest dated ones (acts before listings on the same day), else undated ones of the highest status."""
    dated = [piece for piece in pieces if piece.dated]
    if dated:
        day = max(piece.latest for piece in dated if piece.latest)
        same_day = [piece for piece in dated if piece.latest == day]
        acts = [piece for piece in same_day if not piece.listing]
        return acts or same_day
    top = max(piece.rank for piece in pieces)
    return [piece for piece in pieces if piece.rank == top and piece.status != "withdrawn"] or pieces


def _explained(piece: Evidence, evidence: list[Evidence]) -> bool:
    """A listing whose status a dated act of the same status explains says nothing new about when."""
    return any(other.dated and not other.listing and other.status == piece.status for other in evidence)


def _pending(piece: Evidence, day: dt.date, evidence: list[Evidence]) -> bool:
    """Could the piece, not known by `day`, already have happened on `day`?"""
    if piece.known_by <= day:
        return False
    if piece.dated and not piece.listing:
        return bool(piece.earliest and piece.earliest <= day)  # a partial date spanning the day
    if piece.listing and _explained(piece, evidence):
        return False
    # it happened after any dated lower status that lies between the day and the piece
    return not any(other.dated and other.rank < piece.rank and other.latest and day <= other.latest < piece.known_by
                   for other in evidence)


def status_on(day: dt.date, evidence: list[Evidence]) -> Verdict:
    """The status on one day (rules 1-3 of the module's description)."""
    if not evidence:
        return Verdict(NOT_COVERED)
    # a source's silence (or a "no status" listing) looks back: the actor was not a party before it either
    known = [piece for piece in evidence if piece.known_by <= day or (piece.listing and piece.status == "not-party")]
    deciding = _newest(known) if known else []
    decided = Verdict(deciding[0].status, tuple(sorted(p.iri for p in deciding))) if deciding else None
    if decided is None:
        later = [piece for piece in evidence if piece.dated and not piece.listing and piece.earliest and piece.earliest > day]
        first = min((piece.earliest for piece in later if piece.earliest), default=None)
        decided = Verdict("not-party", tuple(sorted(p.iri for p in later if p.earliest == first))) if later else None
    pending = [piece for piece in evidence if _pending(piece, day, evidence)]
    floor = RANKS[decided.status] if decided else -1
    bound = decided is not None and decided.status in ("party", "declared-acceptance")
    raising = [piece for piece in pending if piece.rank > floor or (bound and piece.status == "withdrawn")]
    if raising:
        return Verdict(UNKNOWN, tuple(sorted(p.iri for p in raising)))
    return decided or Verdict(UNKNOWN, tuple(sorted(p.iri for p in pending)))


def _breakpoints(evidence: list[Evidence], opened: dt.date | None) -> list[dt.date]:
    days: set[dt.date] = {opened} if opened else set()
    for piece in evidence:
        for day in (piece.earliest, piece.latest, piece.known_by):
            if day is not None:
                days |= {day, day + dt.timedelta(days=1)}
    first = opened or min(days, default=None)
    return sorted(day for day in days if first is None or day >= first)


def periods(evidence: list[Evidence], opened: dt.date | None) -> tuple[Period, ...]:
    """The status from the instrument's opening for signature on, as consecutive periods."""
    if not evidence:
        return (Period(opened, None, NOT_COVERED, ()),)
    result: list[Period] = []
    for day in _breakpoints(evidence, opened):
        verdict = status_on(day, evidence)
        if result and (result[-1].status, result[-1].decided_by) == (verdict.status, verdict.decided_by):
            continue
        if result:
            result[-1] = Period(result[-1].start, day, result[-1].status, result[-1].decided_by)
        result.append(Period(day, None, verdict.status, verdict.decided_by))
    return tuple(result)


def _conflicts(decided: list[Evidence], evidence: list[Evidence]) -> list[Evidence]:
    """Pieces that disagree with the deciding ones and that no later withdrawal or act explains."""
    if not decided:
        return []
    status = decided[0].status
    rank = RANKS[status]
    newest = max((p.latest for p in decided if p.latest), default=None)
    withdrawals = [p.latest for p in evidence if p.status == "withdrawn" and p.latest]
    found = [p for p in decided if p.status != status]
    for piece in evidence:
        if piece in decided or piece.status == status:
            continue
        if newest is not None and piece.latest == newest and piece.rank != rank:
            found.append(piece)  # the same day, a different status
        elif piece.rank > rank and status != "withdrawn":
            withdrawn_after = any(piece.latest and day >= piece.latest for day in withdrawals)
            if not withdrawn_after:
                found.append(piece)  # a higher status, never withdrawn, now lower
    return found


def assess(evidence: list[Evidence], opened: dt.date | None) -> Assessment:
    """The current status with its deciding evidence, every period, and any disagreement."""
    spans = periods(evidence, opened)
    current = spans[-1]
    deciding = [piece for piece in evidence if piece.iri in current.decided_by]
    conflicting = _conflicts(deciding, evidence) if current.status not in (UNKNOWN, NOT_COVERED) else []
    return Assessment(current.status, current.decided_by, spans,
                      bool(conflicting) or any(piece.contested for piece in deciding),
                      tuple(sorted({piece.iri for piece in conflicting})))
