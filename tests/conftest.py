"""Shared fixtures: a real release built from the repository's curated data, in a temporary folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from spacekg.pipeline import build
from spacekg.settings import Settings, load_settings
from spacekg.store.releases import Release

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"


@pytest.fixture(scope="session")
def built_release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """One build of the real curated data, shared by the tests that only read it."""
    settings = load_settings({}, project_dir=PROJECT, releases_dir=tmp_path_factory.mktemp("releases"))
    return build(settings)


@pytest.fixture(scope="session")
def release_store(built_release: Release) -> Iterator[ox.Store]:
    yield built_release.open_store()


@pytest.fixture
def project_copy(tmp_path: Path) -> Settings:
    """A writable copy of the project's ontology, data and queries, for tests that break things."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(PROJECT / folder, tmp_path / folder)
    return load_settings({}, project_dir=tmp_path)
