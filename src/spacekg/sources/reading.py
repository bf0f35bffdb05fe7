"""Read data/*.csv and data/*.ttl strictly, keeping the file and line of every record."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from spacekg.errors import SourceDataError, SourceDataErrors, SourcePosition
from spacekg.sources.tables import TABLES


@dataclass(frozen=True)
class Record:
    """One CSV row: its values by column name and where it was written."""

    path: str
    line: int
    values: dict[str, str]
    columns: tuple[str, ...]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()

    def position(self, column: str = "") -> SourcePosition:
        if column and column in self.columns:
            return SourcePosition(self.path, self.line, f"{self.columns.index(column) + 1} ({column})")
        return SourcePosition(self.path, self.line, column)


@dataclass(frozen=True)
class TurtleSource:
    """A curated Turtle file, kept as text so the mapper can find each subject's line."""

    path: str
    text: str


@dataclass
class CuratedSources:
    """Everything read from data/: CSV tables by stem, Turtle files, and each file's SHA-256."""

    tables: dict[str, list[Record]] = field(default_factory=dict)
    turtle: list[TurtleSource] = field(default_factory=list)
    checksums: dict[str, str] = field(default_factory=dict)


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _decode(raw: bytes, shown: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a byte-order mark from a spreadsheet export is harmless
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SourceDataError(SourcePosition(shown, line), f"byte {raw[error.start]:#04x} is not valid UTF-8",
                              "save the file as UTF-8 (in a spreadsheet: CSV UTF-8)") from error


def _read_table(path: Path, shown: str, text: str) -> list[Record]:
    required, optional = TABLES[path.stem]
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise SourceDataError(SourcePosition(shown, 1), "the file is empty", f"restore the header row: {','.join(required)}") from None
    except csv.Error as error:
        raise SourceDataError(SourcePosition(shown, 1), f"malformed CSV header: {error}", "fix the quoting of the header row") from error
    header = [name.strip() for name in header]
    known = set(required) | set(optional)
    for index, name in enumerate(header, start=1):
        if name not in known:
            raise SourceDataError(SourcePosition(shown, 1, f"{index} ({name})"), f"unknown column {name!r}",
                                  f"rename it to one of: {', '.join(sorted(known))}")
        if header.count(name) > 1:
            raise SourceDataError(SourcePosition(shown, 1, f"{index} ({name})"), f"column {name!r} appears twice", "remove one of them")
    for name in required:
        if name not in header:
            raise SourceDataError(SourcePosition(shown, 1), f"required column {name!r} is missing", f"add a column named {name}")
    records: list[Record] = []
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise SourceDataError(SourcePosition(shown, start), f"malformed CSV: {error}",
                                  "close the quotation mark or double any quote inside a quoted field") from error
        if not any(cell.strip() for cell in row):
            start = reader.line_num + 1
            continue
        if len(row) != len(header):
            raise SourceDataError(SourcePosition(shown, start), f"row has {len(row)} fields, the header has {len(header)}",
                                  "quote fields that contain commas, or add the missing fields")
        records.append(Record(shown, start, dict(zip(header, row, strict=True)), tuple(header)))
        start = reader.line_num + 1
    return records


def read_sources(data_dir: Path, project_dir: Path) -> CuratedSources:
    """Read every curated file in `data_dir`; raise SourceDataErrors listing every unreadable file."""
    if not data_dir.is_dir():
        raise SourceDataErrors([SourceDataError(SourcePosition(str(data_dir), 0), "data directory not found",
                                                "run from the project folder or set SPACEKG_DATA_DIR")])
    sources = CuratedSources()
    errors: list[SourceDataError] = []
    for path in sorted(data_dir.iterdir()):
        if path.suffix not in (".csv", ".ttl"):
            continue
        shown = _display(path, project_dir)
        raw = path.read_bytes()
        sources.checksums[shown] = hashlib.sha256(raw).hexdigest()
        try:
            text = _decode(raw, shown)
            if path.suffix == ".ttl":
                sources.turtle.append(TurtleSource(shown, text))
            elif path.stem in TABLES:
                sources.tables[path.stem] = _read_table(path, shown, text)
            else:
                raise SourceDataError(SourcePosition(shown, 1), f"no curated table is called {path.stem!r}",
                                      f"rename the file to one of: {', '.join(sorted(TABLES))}.csv")
        except SourceDataError as error:
            errors.append(error)
    for stem in TABLES:
        if stem not in sources.tables and not any(error.position.path.endswith(f"{stem}.csv") for error in errors):
            errors.append(SourceDataError(SourcePosition(str(data_dir / f"{stem}.csv"), 0), "curated table is missing",
                                          "restore the file from version control"))
    if errors:
        raise SourceDataErrors(errors)
    return sources
