"""Read data/*.csv and data/*.ttl strictly, keeping the file and line of every record."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from spacekg.errors import SourceDataError, SourceDataErrors, SourcePosition


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


MIB = 1 << 20
# Largest curated file read. The curated tables are under 0.2 MiB; `spacekg synth` at a million triples
# writes 6.5 MiB; past this the build would need gigabytes (reasoning takes 2.5 GB at 835k triples).
MAX_SOURCE_BYTES = 32 * MIB

# Byte-order marks of encodings other than UTF-8: a spreadsheet's "Unicode text" export writes UTF-16.
OTHER_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
SAVE_AS_UTF8 = "save the file as UTF-8 (in a spreadsheet: CSV UTF-8; in an editor: encoding UTF-8)"


def _decode(raw: bytes, shown: str) -> str:
    """The file's text: UTF-8, with an optional byte-order mark, and CRLF line ends read as LF.

    A BOM and Windows line ends are harmless artefacts of spreadsheet exports: the same records give the
    same graph, at the same lines. Any other encoding is refused with the line and column of its first
    byte that is not UTF-8, because guessing it could silently change names.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for bom, encoding in OTHER_BOMS:
        if raw.startswith(bom):
            raise SourceDataError(SourcePosition(shown, 1), f"the file is encoded as {encoding}, not UTF-8", SAVE_AS_UTF8)
    if b"\x00" in raw[:4096]:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise SourceDataError(SourcePosition(shown, line), "the file contains NUL bytes: it is UTF-16 without a byte-order mark, or not text",
                              SAVE_AS_UTF8)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        line = raw[: error.start].count(b"\n") + 1
        column = len(raw[line_start: error.start].decode("utf-8", errors="replace")) + 1
        around = raw[max(line_start, error.start - 30): error.start + 30].split(b"\n")[0].decode("cp1252", errors="replace")
        guess = f" (read as Windows-1252 it would say {around!r})"
        raise SourceDataError(SourcePosition(shown, line, str(column)), f"byte {raw[error.start]:#04x} is not valid UTF-8{guess}",
                              SAVE_AS_UTF8 + "; the file is probably Latin-1 or Windows-1252") from error
    return text.replace("\r\n", "\n")


def _lines(text: str) -> list[str]:
    """Lines as an editor counts them: split after each LF only.

    str.splitlines also splits at U+2028, U+0085, form feeds and lone CRs; the csv module would then
    end a row inside an unquoted field and every later line number would be off.
    """
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


Columns = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # file stem -> (required columns, optional columns)


def _read_table(path: Path, shown: str, text: str, required: tuple[str, ...], optional: tuple[str, ...]) -> list[Record]:
    lines = _lines(text)
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
            if "unexpected end of data" in str(error):  # the last row opens a quoted field and the file ends inside it
                raise SourceDataError(SourcePosition(shown, start), "the file ends inside a quoted field that starts on this row",
                                      "close the quotation mark; if the file was cut short, restore it from version control") from error
            raise SourceDataError(SourcePosition(shown, start), f"malformed CSV: {error}",
                                  "close the quotation mark or double any quote inside a quoted field") from error
        if not any(cell.strip() for cell in row):
            start = reader.line_num + 1
            continue
        if len(row) != len(header):
            if reader.line_num == len(lines) and not text.endswith("\n"):
                raise SourceDataError(SourcePosition(shown, start), f"the last row has {len(row)} fields, the header has {len(header)}, "
                                      "and the file does not end with a line break: it was probably cut short",
                                      "complete the row, or restore the file from version control")
            raise SourceDataError(SourcePosition(shown, start), f"row has {len(row)} fields, the header has {len(header)}",
                                  "quote fields that contain commas, or add the missing fields")
        records.append(Record(shown, start, dict(zip(header, row, strict=True)), tuple(header)))
        start = reader.line_num + 1
    return records


def _read_bytes(path: Path, shown: str, max_file_bytes: int) -> bytes:
    """The file's bytes, refused before reading when it is larger than any curated file should be."""
    try:
        size = path.stat().st_size
        if size > max_file_bytes:
            raise SourceDataError(SourcePosition(shown, 0), f"the file is {size / MIB:.1f} MiB, over the limit of {max_file_bytes / MIB:g} MiB "
                                  "for one curated file (setting max_source_bytes)",
                                  "check that it is the file you meant to add (a curated table is well under 1 MiB), split it, "
                                  f"or raise the limit: SPACEKG_MAX_SOURCE_BYTES in bytes (this file needs {size})")
        return path.read_bytes()
    except OSError as error:
        raise SourceDataError(SourcePosition(shown, 0), f"the file cannot be read: {error.strerror}",
                              "make it a readable regular file, or remove it from data/") from error


def read_sources(data_dir: Path, project_dir: Path, tables: Columns, max_file_bytes: int = MAX_SOURCE_BYTES) -> CuratedSources:
    """Read every curated file in `data_dir`; raise SourceDataErrors listing every unreadable file.

    `tables` names the CSV files there must be and their columns (spacekg.kinds.record_columns()).

    A file over `max_file_bytes` is refused before it is read, so that a stray export or a runaway
    script cannot take the build's memory: the mapper, validator and reasoner each hold the graph.
    """
    if not data_dir.is_dir():
        raise SourceDataErrors([SourceDataError(SourcePosition(str(data_dir), 0), "data directory not found",
                                                "run from the project folder or set SPACEKG_DATA_DIR")])
    sources = CuratedSources()
    errors: list[SourceDataError] = []
    for path in sorted(data_dir.iterdir()):
        if path.suffix not in (".csv", ".ttl"):
            continue
        shown = _display(path, project_dir)
        try:
            raw = _read_bytes(path, shown, max_file_bytes)
            sources.checksums[shown] = hashlib.sha256(raw).hexdigest()
            text = _decode(raw, shown)
            if path.suffix == ".ttl":
                sources.turtle.append(TurtleSource(shown, text))
            elif path.stem in tables:
                sources.tables[path.stem] = _read_table(path, shown, text, *tables[path.stem])
            else:
                raise SourceDataError(SourcePosition(shown, 1), f"no curated table is called {path.stem!r}",
                                      f"rename the file to one of: {', '.join(sorted(tables))}.csv")
        except SourceDataError as error:
            errors.append(error)
    for stem in tables:
        if stem not in sources.tables and not any(error.position.path.endswith(f"{stem}.csv") for error in errors):
            errors.append(SourceDataError(SourcePosition(str(data_dir / f"{stem}.csv"), 0), "curated table is missing",
                                          "restore the file from version control"))
    if errors:
        raise SourceDataErrors(errors)
    return sources
