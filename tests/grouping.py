"""How the README's parallel run (pytest-xdist, `--dist loadgroup`) shares the tests between its workers.

A module's tests go to one worker unless they name a group of their own (`xdist_group`, e.g. "curated" for every check
of the session's one curated build): a module-scoped fixture (three builds for the change feed, every document of the
tiny release) is then made once, not once per worker, which cost about 40 s of the suite's CPU. A test whose group
pytest-xdist ignored fails, naming why, rather than running with its shared fixture made again on every worker.
"""

from __future__ import annotations

import pytest

UNGROUPED = pytest.StashKey[str]()


def grouping_workers(config: pytest.Config) -> bool:
    return bool(getattr(config.option, "loadgroup", False))  # set on xdist workers only, under --dist loadgroup


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if grouping_workers(config):
        for item in items:
            if not item.get_closest_marker("xdist_group"):
                item.add_marker(pytest.mark.xdist_group(item.module.__name__ if isinstance(item, pytest.Function) else item.nodeid))


def pytest_collection_finish(session: pytest.Session) -> None:
    if grouping_workers(session.config):
        for item in session.items:
            if "@" not in item.nodeid:  # pytest-xdist suffixes the node id of a grouped test with "@group"
                item.stash[UNGROUPED] = ("pytest-xdist ignored this test's xdist_group mark: pytest 9.2 broke --dist loadgroup "
                                         "(pytest-xdist#1386); install the test extra's pinned pytest")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if UNGROUPED in item.stash:
        pytest.fail(item.stash[UNGROUPED], pytrace=False)
