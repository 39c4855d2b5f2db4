"""A portal's settings: the strategy's options and where each partition's replicas are."""

from dataclasses import dataclass

from core.config import ClusterConfig
from core.strategy import NodeContext
from plugins.pysyncobj_raft_partitioned.options import check_options

REPLICA = "replica"  # the node kind of a storage replica


@dataclass(frozen=True)
class PortalSettings:
    node: str
    replicas: dict[int, list[str]]  # partition -> its replicas' gRPC addresses
    cache_size: int
    linearizable: bool
    timeout: float  # a replicated call's bound
    lock_wait: float  # a contended command's bound, over all its tries


def portal_settings(context: NodeContext) -> PortalSettings:
    """This portal's settings; raises ValueError with a sentence naming what to fix."""
    options = context.options
    check_options(options)
    return PortalSettings(
        node=context.node.name,
        replicas=replica_addresses(context.cluster, int(options["partitions"])),
        cache_size=int(options["cache_size"]),
        linearizable=options["read"] == "linearizable",
        timeout=float(options["timeout"]),
        lock_wait=float(options["lock_wait"]),
    )


def replica_addresses(cluster: ClusterConfig, partitions: int) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {partition: [] for partition in range(partitions)}
    for node in cluster.nodes:
        if node.kind != REPLICA:
            continue
        partition = node.settings.get("partition")
        if not isinstance(partition, int) or isinstance(partition, bool) or partition not in found:
            raise ValueError(
                f"replica {node.name!r} needs partition = N, a number from 0 to {partitions - 1}, "
                f"not {partition!r}; or start the cluster with `testbed cluster up`"
            )
        found[partition].append(node.address)
    empty = [str(partition) for partition, addresses in found.items() if not addresses]
    if empty:
        raise ValueError(
            f"partition(s) {', '.join(empty)} have no replica: add [[nodes]] of kind "
            f'"{REPLICA}" with partition = N to the cluster file'
        )
    return found
