"""Stage 1: read the curated files in data/ into records that remember their file and line."""

from spacekg.sources.reading import CuratedSources, read_sources

__all__ = ["CuratedSources", "read_sources"]
