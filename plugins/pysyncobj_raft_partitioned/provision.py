"""Completing a cluster file for this machine: P x R replica nodes, each with its settings.

A replica node that names its `partition` is kept as given (a file written for several
machines runs unchanged). One without is a placeholder, as the launcher's default
replica nodes are: it lends its host and port to the next missing replica. Each
partition is filled up to option `replicas` with nodes named `p<P>-r<I>` (partition,
then 1, 2, ...); placeholders left over are dropped. Every replica then gets what it
lacks of `raft_address` (a free port on its loopback host), `data_dir` (under the
work directory) and its group, `p<P>`, and is checked as `testbed replica` will check
it, so that a misplaced one is refused before any replica starts. Portal servers are
kept as they are.
"""

from collections import Counter
from dataclasses import replace
from pathlib import Path

from core.config import ClusterConfig, NodeConfig
from core.ports import LOOPBACK, free_ports
from plugins.pysyncobj_raft_partitioned.options import resolve
from plugins.pysyncobj_raft_partitioned.portal.settings import REPLICA
from plugins.pysyncobj_raft_partitioned.replica.settings import replica_settings


def provision(config: ClusterConfig, workdir: Path) -> ClusterConfig:
    options = resolve(config.options)
    replicas = [node for node in config.nodes if node.kind == REPLICA]
    placed = [node for node in replicas if "partition" in node.settings]
    placeholders = [node for node in replicas if "partition" not in node.settings]
    ports = Ports({node.port for node in config.nodes})
    added = _missing(
        placed, placeholders, int(options["partitions"]), int(options["replicas"]), config, ports
    )
    others = [node for node in config.nodes if node.kind != REPLICA]
    completed = [_complete(node, workdir, ports) for node in [*placed, *added]]
    done = replace(config, nodes=tuple([*completed, *others]))
    for node in completed:  # what each replica would refuse once the others had started
        replica_settings(done, node.name)
    return done


def _missing(
    placed: list[NodeConfig],
    placeholders: list[NodeConfig],
    partitions: int,
    replicas: int,
    config: ClusterConfig,
    ports: "Ports",
) -> list[NodeConfig]:
    counts = Counter(node.settings["partition"] for node in placed)
    taken = {node.name for node in config.nodes}
    spare = list(placeholders)
    added = []
    for partition in range(partitions):
        number = 0
        for _ in range(replicas - counts[partition]):
            number += 1
            while f"p{partition}-r{number}" in taken:
                number += 1
            name = f"p{partition}-r{number}"
            taken.add(name)
            lent = spare.pop(0) if spare else None
            host = LOOPBACK if lent is None else lent.host
            port = ports.fresh(host) if lent is None else lent.port
            settings = {} if lent is None else dict(lent.settings)
            added.append(
                NodeConfig(
                    name, host, port, kind=REPLICA, settings={**settings, "partition": partition}
                )
            )
    return added


class Ports:
    """Free ports that no node of the config uses yet: free_ports() alone may give a
    port again that a node was given but does not listen on yet."""

    def __init__(self, used: set[int]) -> None:
        self._used = used

    def fresh(self, host: str) -> int:
        while (port := free_ports(1, host)[0]) in self._used:
            pass
        self._used.add(port)
        return port


def _complete(node: NodeConfig, workdir: Path, ports: Ports) -> NodeConfig:
    settings = dict(node.settings)
    if "raft_address" not in settings:
        host = node.host if node.host.startswith("127.") else LOOPBACK
        settings["raft_address"] = f"{host}:{ports.fresh(host)}"
    settings.setdefault("data_dir", str((workdir / "partitioned" / node.name).resolve()))
    group = node.group or f"p{settings['partition']}"
    return replace(node, settings=settings, group=group)
