"""The per-request contract between the portals and a replication strategy.

Core calls a `Replicator` directly on every request; pluggy is only used to find
the strategy and build it (see `core.registry`).
"""

from dataclasses import dataclass, field
from typing import Any, Protocol

from core.domain import Command, Query, Reply


class Unavailable(Exception):
    """A read cannot be served now (no leader, no quorum); the caller may retry."""


@dataclass(frozen=True)
class Status:
    """How one node sees itself: for `testbed status` and the comparison's checks."""

    strategy: str
    node: str
    role: str  # "single", "peer", "leader", "follower", "candidate", ...
    leader: str | None = None
    details: dict[str, Any] = field(default_factory=dict)  # commit index, lag, broker, ...


class Replicator(Protocol):
    """One node's replication layer, shared by all request threads of a server.

    `execute` runs a command through the strategy and returns the reply the
    shared state machine computed, or a 503 reply when nothing could be committed
    (its `certainty` says whether nothing changed or the outcome is unknown; the
    description says the same to a person). It never raises for an
    expected outcome. `read` answers a query at the strategy's read consistency
    and raises `Unavailable` when it cannot. `digest` hashes this node's state.
    """

    def start(self) -> None: ...

    def execute(self, command: Command) -> Reply: ...

    def read(self, query: Query) -> Any: ...

    def digest(self) -> str: ...

    def status(self) -> Status: ...

    def stop(self) -> None: ...
