"""Group commit: the operations that arrive while one entry is in flight share the next.

Each log entry costs its partition's group a round of PySyncObj (pickling, append
messages to every follower, a tick of each replica's loop) and each replica a store
transaction, whatever it holds. So one entry at a time is in flight from here; the
operations that arrive meanwhile, of every kind (a Steps call's several, of any of
Execute, Prepare, Commit, Abort and Decide; a unary call's one), wait, and go
together as the next entry (at most `limit`), applied in their order of arrival. A
lone operation is still one entry at once, with no added wait. Whatever the entry's
call answered (its results, a failure, no answer in time) is every operation's
answer in it.
"""

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from plugins.pysyncobj_raft_partitioned.operations import Operation

LIMIT: Final = 64  # operations per entry at most: bounds an entry's size and apply time

# The entry's call: the operations -> a list of one result each, or one answer for all.
Send = Callable[[list[Operation]], Any]


@dataclass
class _Slot:
    operation: Operation
    wake: threading.Event = field(default_factory=threading.Event)  # its turn, or its result
    finished: bool = False
    result: Any = None


class Batcher:
    def __init__(self, send: Send, limit: int = LIMIT) -> None:
        self._send = send
        self._limit = limit
        self._queue: list[_Slot] = []
        self._sending = False  # an entry is in flight, or its sender is being woken
        self._lock = threading.Lock()

    def submit(self, operations: Sequence[Operation]) -> list[Any]:
        """Each operation's own result, or its entry's answer when it had none of its own.

        The operations queue together, in order (a Steps call's; a unary call's one).
        The caller whose turn it is sends the next entry (its operations and those
        queued behind them), then hands the turn to the first operation still waiting:
        when that is one of this caller's own, this caller sends again.
        """
        slots = [_Slot(operation) for operation in operations]
        if not slots:
            return []
        with self._lock:
            self._queue.extend(slots)
            turn = not self._sending
            self._sending = True
        if turn:
            self._send_next()
        for slot in slots:
            slot.wake.wait()
            if not slot.finished:
                self._send_next()
        for slot in slots:
            if isinstance(slot.result, BaseException):
                raise slot.result
        return [slot.result for slot in slots]

    def _send_next(self) -> None:
        with self._lock:
            batch, self._queue = self._queue[: self._limit], self._queue[self._limit :]
        try:
            answer = self._send([slot.operation for slot in batch])
        except BaseException as error:  # the waiters must not wait forever
            answer = error
        results = answer if isinstance(answer, list) else [answer] * len(batch)
        for slot, result in zip(batch, results, strict=True):
            slot.result, slot.finished = result, True
            slot.wake.set()
        with self._lock:
            if self._queue:
                self._queue[0].wake.set()
            else:
                self._sending = False
