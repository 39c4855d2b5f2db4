"""The partitions as the coordinator and the reads see them: one call per storage rpc.

`remote.RemoteStorage` implements it over gRPC (proto/storage.proto, through the
router); the tests drive the coordinator over participants in memory. Every call is
bounded by `deadline` (time.monotonic()) and never raises for an expected outcome:
what happened is in the answer (`answers`).
"""

from collections.abc import Collection, Mapping
from typing import Protocol

from core.domain import Command
from core.domain.partitions import Key, Value
from plugins.pysyncobj_raft_partitioned.portal.answers import Answer, Decided, Executed


class Storage(Protocol):
    @property
    def partitions(self) -> int: ...

    def prepare(
        self, partition: int, txid: str, keys: Collection[Key], decider: int, deadline: float
    ) -> Answer: ...

    def commit(
        self, partition: int, txid: str, writes: Mapping[Key, Value], deadline: float
    ) -> Answer: ...

    def abort(self, partition: int, txid: str, deadline: float) -> Answer: ...

    def decide(
        self,
        partition: int,
        txid: str,
        commit: bool,
        writes: Mapping[int, Mapping[Key, Value]],
        deadline: float,
    ) -> Decided: ...

    def execute(self, partition: int, command: Command, deadline: float) -> Executed:
        """The command in one entry of `partition`; never sent again once in doubt."""
        ...

    def read(self, partition: int, keys: Collection[Key], deadline: float) -> Answer: ...
