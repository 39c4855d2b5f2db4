"""One storage replica's settings, read from the cluster file and checked before it starts.

A replica is a `[[nodes]]` entry of kind "replica" (`address`: its gRPC address) with
the node settings `partition` (its partition number), `raft_address` (HOST:PORT, its
identity in its partition's Raft group and where it listens for it) and `data_dir`
(its Raft journal, PySyncObj's snapshot and its LMDB store). Its Raft peers are the
other replicas with the same `partition`. The strategy options it reads are in
options.py.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast

from core.config import ClusterConfig, NodeConfig
from plugins.pysyncobj_raft.settings import check_transport, raft_address
from plugins.pysyncobj_raft_partitioned.replica.options import resolve
from plugins.pysyncobj_raft_partitioned.store import Durability

KIND: Final = "replica"


@dataclass(frozen=True)
class Member:
    """A replica of the partition as its peers see it: both of its addresses."""

    name: str
    raft: str  # HOST:PORT of its Raft port, its id in the group
    grpc: str  # HOST:PORT of its Partition service


@dataclass(frozen=True)
class ReplicaSettings:
    node: NodeConfig
    partition: int
    partitions: int
    member: Member
    peers: tuple[Member, ...]  # the other replicas of this partition
    groups: Mapping[int, tuple[Member, ...]]  # every partition's replicas, this one's too
    data_dir: Path
    store: str
    durability: Durability
    lock_timeout: float
    timeout: float
    password: str | None
    compaction_entries: int

    @property
    def journal(self) -> Path:
        return self.data_dir / "journal"

    @property
    def snapshot(self) -> Path:
        return self.data_dir / "snapshot"

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    def by_raft(self, address: str) -> Member | None:
        """The replica of this partition whose Raft address this is."""
        return next((m for m in (self.member, *self.peers) if m.raft == address), None)


def replica_settings(cluster: ClusterConfig, name: str) -> ReplicaSettings:
    """The settings of replica `name`; raises ValueError with a sentence naming what to fix."""
    node = cluster.node(name, KIND)
    options = resolve(cluster.options)
    partitions = int(options["partitions"])
    groups = _groups(cluster, partitions)
    partition = _partition(node, partitions)
    group = groups[partition]
    if len(group) != options["replicas"]:
        raise ValueError(
            f"partition {partition} has {len(group)} replica node(s) in the cluster file, "
            f"but option replicas is {options['replicas']}"
        )
    member = next(m for m in group if m.name == node.name)
    password = str(options["password"]) or None
    check_transport(node, member.raft, password, bool(options["insecure_transport"]))
    data_dir = node.settings.get("data_dir")
    if not isinstance(data_dir, str) or not data_dir:
        raise ValueError(
            f'replica {node.name!r} has no data_dir: add data_dir = "PATH" (its journal and '
            "store) to its [[nodes]] entry"
        )
    return ReplicaSettings(
        node=node,
        partition=partition,
        partitions=partitions,
        member=member,
        peers=tuple(m for m in group if m.name != node.name),
        groups=groups,
        data_dir=Path(data_dir),
        store=str(options["store"]),
        durability=cast(Durability, options["durability"]),
        lock_timeout=float(options["lock_timeout"]),
        timeout=float(options["timeout"]),
        password=password,
        compaction_entries=int(options["compaction_entries"]),
    )


def _partition(node: NodeConfig, partitions: int) -> int:
    value = node.settings.get("partition")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < partitions:
        raise ValueError(
            f"replica {node.name!r} needs partition = N, a number from 0 to {partitions - 1} "
            f"(option partitions is {partitions}), in its [[nodes]] entry; it has {value!r}"
        )
    return value


def _groups(cluster: ClusterConfig, partitions: int) -> dict[int, tuple[Member, ...]]:
    replicas = [node for node in cluster.nodes if node.kind == KIND]
    members = [Member(n.name, raft_address(n), n.address) for n in replicas]
    if len({m.raft for m in members}) < len(members):
        raise ValueError("two replicas share a raft_address; each one needs its own")
    groups: dict[int, list[Member]] = {p: [] for p in range(partitions)}
    for node, member in zip(replicas, members, strict=True):
        groups[_partition(node, partitions)].append(member)
    return {p: tuple(group) for p, group in groups.items()}
