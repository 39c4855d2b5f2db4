"""The `memory` strategy: one node, one locked copy of the state. The baseline."""

from typing import Any

from core.domain import Command, Query, Reply
from core.hookspecs import hookimpl
from core.replica import Replica
from core.replication import Status
from core.strategy import NodeContext, StrategyDescriptor
from core.topology import Count, Member, Topology


class MemoryReplicator:
    def __init__(self, context: NodeContext) -> None:
        self._node = context.node.name
        self._replica = Replica()

    def start(self) -> None:
        pass

    def execute(self, command: Command) -> Reply:
        return self._replica.execute(command).reply

    def read(self, query: Query) -> Any:
        return self._replica.read(query)

    def digest(self) -> str:
        return self._replica.digest()

    def status(self) -> Status:
        return Status(strategy="memory", node=self._node, role="single", leader=self._node)

    def stop(self) -> None:
        pass


@hookimpl
def testbed_strategies() -> list[StrategyDescriptor]:
    return [
        StrategyDescriptor(
            name="memory",
            description="One server holds the state in memory under a lock; the baseline.",
            factory=MemoryReplicator,
            # One process holds the only copy: a restart starts it empty.
            topology=Topology((Member("server", Count(default=1, minimum=1, maximum=1)),)),
        )
    ]
