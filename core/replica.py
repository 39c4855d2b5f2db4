"""One copy of the state behind a lock: the building block of every strategy."""

import threading
from typing import Any

from core.domain import Command, Effect, Outcome, Query, State, decide, digest, execute, query


class Replica:
    """Thread-safe access to a `State`: commands, received effects and reads."""

    def __init__(self, state: State | None = None) -> None:
        self._state = state or State()
        self._lock = threading.Lock()

    def execute(self, command: Command) -> Outcome:
        with self._lock:
            return execute(command, self._state)

    def decide(self, command: Command) -> Outcome:
        """What `command` would do to the current state, leaving it unchanged."""
        with self._lock:
            return decide(command, self._state)

    def apply(self, effects: tuple[Effect, ...] | list[Effect]) -> None:
        with self._lock:
            self._state.apply(effects)

    def read(self, q: Query) -> Any:
        with self._lock:
            return query(q, self._state)

    def digest(self) -> str:
        return digest(self.snapshot())  # hashed outside the lock: records are immutable

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """A copy of the tables; the records themselves are immutable and shared."""
        with self._lock:
            return {name: dict(table) for name, table in self._state.snapshot().items()}

    def replace(self, state: State) -> None:
        with self._lock:
            self._state = state
