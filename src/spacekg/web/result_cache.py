"""Answers of the SPARQL endpoint kept per release, by request key."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from spacekg.web.evaluation import QueryOutcome


class ResultCache:
    """Answers by request key; a release never changes, so entries never go stale within a worker."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.entries: OrderedDict[str, QueryOutcome] = OrderedDict()
        self.max_entries, self.max_bytes, self.size = max_entries, max_bytes, 0
        self.lock = Lock()

    def get(self, key: str) -> QueryOutcome | None:
        with self.lock:
            outcome = self.entries.get(key)
            if outcome is not None:
                self.entries.move_to_end(key)
            return outcome

    def put(self, key: str, outcome: QueryOutcome) -> None:
        if len(outcome.body) > self.max_bytes // 8:
            return  # one huge answer must not evict everything else
        with self.lock:
            self.entries[key] = outcome
            self.size += len(outcome.body)
            while len(self.entries) > self.max_entries or self.size > self.max_bytes:
                _, evicted = self.entries.popitem(last=False)
                self.size -= len(evicted.body)
