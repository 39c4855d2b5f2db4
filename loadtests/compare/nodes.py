"""A cluster's nodes as the comparison names them: `s2 (127.0.0.1:50052)`, everywhere.

The runner records every node of a strategy's cluster from its ready-file entries
(`core.launcher.Node.describe`): name, kind, address, and what program runs it
when that is not the testbed's own (the MQTT broker: mosquitto or amqtt, its version).
results.json keeps name and address apart; the report and the plots show `label`.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

BROKER: Final = "broker"  # the node kind whose software results.json shows as "broker"


@dataclass(frozen=True)
class NodeInfo:
    name: str
    kind: str  # server, broker, replica, ...
    address: str  # HOST:PORT
    software: Mapping[str, str | None] | None = None  # {"kind", "version"}; None: the testbed's


def recorded(described: Iterable[Mapping[str, Any]]) -> tuple[NodeInfo, ...]:
    """The nodes of a cluster's ready file (`Cluster.describe()["nodes"]`)."""
    return tuple(
        NodeInfo(node["name"], node["kind"], node["address"], node.get("software"))
        for node in described
    )


def named(name: str, address: str) -> str:
    """How the comparison names a node, in the report, the plots and the notes."""
    return f"{name} ({address})"


def label(nodes: Sequence[NodeInfo], who: str) -> str:
    """`who` (a node's name or address) as `name (address)`; as given when no node has it."""
    for node in nodes:
        if who in (node.name, node.address):
            return named(node.name, node.address)
    return who


def broker(nodes: Sequence[NodeInfo]) -> NodeInfo | None:
    """The broker node that ran, its software told; None: the cluster ran none."""
    return next((n for n in nodes if n.kind == BROKER and n.software), None)


def broker_text(nodes: Sequence[NodeInfo]) -> str | None:
    """The broker that ran, for people: `mosquitto 2.0.11 on broker (127.0.0.1:1883)`."""
    node = broker(nodes)
    if node is None or node.software is None:
        return None
    version = node.software.get("version") or "of unknown version"
    return f"{node.software.get('kind')} {version} on {named(node.name, node.address)}"
