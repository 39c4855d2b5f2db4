"""The portal's LRU read cache: records it read, each with its partition's applied index.

Only reads use it; writes are validated against the partitions (Prepare), never
against the cache. An entry can be stale (docs/partitioned.md, "Reads and the
cache"): another portal, or recovery, may have changed the record since. This
portal's own writes drop the entries they change, and a read that began before such
a drop cannot put its older value back (`epoch`). Of two reads of one record the
answer from the later log index is kept. `size` 0 turns the cache off.
"""

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from core.domain.partitions import Key, Value


@dataclass(frozen=True)
class Cached:
    value: Value  # None: the record did not exist
    applied_index: int  # its partition's log index when it was read


@dataclass(frozen=True)
class _Dropped:
    epoch: int  # reads that began before it may not put a value back


class Cache:
    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Key, Cached | _Dropped] = OrderedDict()
        self._epoch = 0
        self._lock = threading.Lock()

    def get(self, key: Key) -> Cached | None:
        if self.size == 0:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if isinstance(entry, Cached):
                self._entries.move_to_end(key)
                self.hits += 1
                return entry
            self.misses += 1
            return None

    def epoch(self) -> int:
        """Taken before reading the partition: `put` refuses what a later drop replaced."""
        with self._lock:
            return self._epoch

    def put(self, key: Key, value: Value, applied_index: int, since: int) -> None:
        if self.size == 0:
            return
        with self._lock:
            entry = self._entries.get(key)
            if isinstance(entry, _Dropped) and entry.epoch > since:
                return
            if isinstance(entry, Cached) and entry.applied_index > applied_index:
                return
            self._store(key, Cached(value, applied_index))

    def drop(self, keys: Iterable[Key]) -> None:
        """This portal is changing these records: no entry may answer with the old value."""
        if self.size == 0:
            return
        with self._lock:
            self._epoch += 1
            for key in keys:
                self._store(key, _Dropped(self._epoch))

    def __len__(self) -> int:
        with self._lock:
            return sum(isinstance(entry, Cached) for entry in self._entries.values())

    def _store(self, key: Key, entry: Cached | _Dropped) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
