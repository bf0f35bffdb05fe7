"""Stage 1: read the curated files in data/ into records that remember their file and line."""

from spacekg.sources.reading import MAX_SOURCE_BYTES, Columns, CuratedSources, read_sources

__all__ = ["MAX_SOURCE_BYTES", "Columns", "CuratedSources", "read_sources"]
