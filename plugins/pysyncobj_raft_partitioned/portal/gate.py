"""The keys this portal's own transactions are working on, so its others wait in-process.

Two transactions of one portal after the same keys would otherwise meet only in the
partitions: the second gets LOCKED, aborts and retries, and every such try is an
entry in a Raft log, the very resource the first one needs to finish. Here the second
waits for the first to end (bounded by its deadline) and only then prepares. It is
an optimization, not the isolation: the partitions' locks still order transactions
of different portals, and a transaction whose portal died.
"""

import threading
import time
from collections.abc import Collection

from core.domain.partitions import Key


class Gate:
    def __init__(self) -> None:
        self._held: set[Key] = set()
        self._changed = threading.Condition()

    def enter(self, keys: Collection[Key], deadline: float) -> bool:
        """Hold `keys` once no other transaction here does; False if not by `deadline`."""
        with self._changed:
            while not self._held.isdisjoint(keys):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            self._held.update(keys)
            return True

    def leave(self, keys: Collection[Key]) -> None:
        with self._changed:
            self._held.difference_update(keys)
            self._changed.notify_all()
