"""Turn curated cell text into typed RDF values, or explain why it cannot be."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from rdflib import Literal

from spacekg.namespaces import XSD

PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class PartialDate:
    """A date known to day, month or year: its typed literal and the first and last day it can mean."""

    literal: Literal
    earliest: dt.date
    latest: dt.date
    precision: str


def parse_partial_date(text: str) -> PartialDate:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD; raise ValueError naming what is wrong."""
    match = PARTIAL_DATE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if month is None:
        return PartialDate(Literal(f"{year:04d}", datatype=XSD.gYear), dt.date(year, 1, 1), dt.date(year, 12, 31), "year")
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} has month {month:02d}; months run from 01 to 12")
    last_day = calendar.monthrange(year, month)[1]
    if day is None:
        return PartialDate(Literal(f"{year:04d}-{month:02d}", datatype=XSD.gYearMonth),
                           dt.date(year, month, 1), dt.date(year, month, last_day), "month")
    if not 1 <= day <= last_day:
        raise ValueError(f"{text!r} is not a real date: {calendar.month_name[month]} {year} has {last_day} days")
    day_date = dt.date(year, month, day)
    return PartialDate(Literal(day_date.isoformat(), datatype=XSD.date), day_date, day_date, "day")


LEADING_DATE = re.compile(r"(\d{4}(?:-\d{2}(?:-\d{2})?)?)(?=[\s(;,]|$)")


def stated_date(text: str) -> PartialDate | None:
    """The date an as-of cell states: the cell itself, or the date it starts with ("1969 (AJIL reprint)"); None otherwise."""
    match = LEADING_DATE.match(text.strip())
    try:
        return parse_partial_date(match.group(1)) if match else None
    except ValueError:
        return None  # not a real date: the mapper reports it where the cell is a date


def parse_count(text: str) -> Literal:
    """Parse a non-negative whole number such as a vote or party count.

    Typed xsd:integer, not xsd:nonNegativeInteger: stores canonicalise the derived integer types to xsd:integer,
    and what is served must be what was validated (the shapes say `sh:minInclusive 0`)."""
    if not re.fullmatch(r"\d+", text.strip()):
        raise ValueError(f"{text!r} is not a whole number")
    return Literal(int(text), datatype=XSD.integer)


def split_cell(text: str) -> list[str]:
    """Split a multi-valued cell on semicolons, dropping blanks."""
    return [part.strip() for part in text.split(";") if part.strip()]
