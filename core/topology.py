"""A cluster's shape: the kinds of node it runs, how many of each, in which groups.

A *node kind* is one sort of process a cluster can hold: a portal server, an MQTT
broker, a storage replica. It says how a node of it starts (its command line), when
it is ready, how its status is read, and whether it holds replicated state. Kinds are
registered through the `testbed_node_kinds` hook, the built-in `server` kind too (in
`core.kinds`), the way tox 4 registers its kinds of environment.

A strategy's `Topology` names the kinds its clusters run, in start order, each with
its counts (default, limits) and the replica group its nodes belong to. The launcher
starts, stops, kills, pauses and restarts any node by name, whatever its kind.
"""

import signal
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final

from core.config import NodeConfig

DEFAULT_GROUP: Final = "replicas"


class Readiness(StrEnum):
    """How the launcher knows a node of a kind is ready."""

    READY_FILE = "ready-file"  # the node writes its ready file, then serves gRPC health
    LISTENING = "listening"  # the node accepts TCP connections on its address


class Probe(StrEnum):
    """How a running node's status is read."""

    CONTROL = "control"  # `/testbed.Control/Status`: role, leader, digest (core.portals)
    LISTENING = "listening"  # only whether it accepts connections


@dataclass(frozen=True)
class Launch:
    """What a kind's command line may refer to: the files the launcher keeps for a node."""

    config_file: Path  # the whole cluster, as TOML (core.config)
    workdir: Path  # the cluster's work directory; kinds keep generated files here
    ready_file: Path  # where a READY_FILE node writes its address and pid


Command = Callable[[NodeConfig, Launch], list[str]]
# What program a node runs and its version, e.g. {"kind": "mosquitto", "version": "2.0.11"}
# (version None: it could not be told), so reports say what actually ran.
Software = Callable[[NodeConfig], dict[str, str | None]]


@dataclass(frozen=True)
class NodeKind:
    name: str
    description: str
    command: Command  # how a node starts: its argv; may write files under launch.workdir
    readiness: Readiness = Readiness.READY_FILE
    probe: Probe = Probe.CONTROL
    stateful: bool = True  # holds a replica of the state: has a digest, is in a group
    stop_signal: int = signal.SIGTERM  # asks it to stop gracefully
    software: Software | None = None  # None: the testbed's own process, nothing to tell


@dataclass(frozen=True)
class Count:
    default: int
    minimum: int = 0
    maximum: int | None = None  # None: any number

    def clamp(self, wanted: int) -> int:
        """The count nearest `wanted` that these limits allow."""
        ceiling = wanted if self.maximum is None else min(wanted, self.maximum)
        return max(self.minimum, ceiling)

    def refusal(self, kind: str, strategy: str, count: int) -> str | None:
        """Why `count` nodes of `kind` are not allowed, or None when they are."""
        if count < self.minimum:
            return (
                f"strategy {strategy!r} needs at least {self.minimum} {kind} node(s), not {count}"
            )
        if self.maximum is not None and count > self.maximum:
            return f"strategy {strategy!r} runs at most {self.maximum} {kind} node(s), not {count}"
        return None


@dataclass(frozen=True)
class Member:
    """One kind in a topology: how many nodes of it, and their replica group."""

    kind: str
    count: Count
    group: str | None = DEFAULT_GROUP  # None: its nodes hold no replicated state

    def default_names(self) -> list[str]:
        prefix = "s" if self.kind == "server" else self.kind
        if self.count.default == 1 and self.kind != "server":
            return [self.kind]
        return [f"{prefix}{n}" for n in range(1, self.count.default + 1)]


@dataclass(frozen=True)
class Topology:
    members: tuple[Member, ...]  # in start order: a node may need the ones before it

    def member(self, kind: str) -> Member | None:
        return next((m for m in self.members if m.kind == kind), None)

    def servers(self, wanted: int) -> int:
        """How many portal servers to run when `wanted` are asked for."""
        member = self.member("server")
        return 0 if member is None else member.count.clamp(wanted)

    def group_of(self, node: NodeConfig) -> str | None:
        """The node's replica group: its own, else its kind's in this topology."""
        member = self.member(node.kind)
        if member is None or member.group is None:
            return None
        return node.group or member.group

    def refusals(self, strategy: str, nodes: tuple[NodeConfig, ...]) -> list[str]:
        """Why these nodes do not fit this topology (unknown kinds, counts out of bounds)."""
        known = {m.kind for m in self.members}
        found = [
            f"strategy {strategy!r} runs no {node.kind} nodes (node {node.name}); "
            f"its kinds are: {', '.join(sorted(known))}"
            for node in nodes
            if node.kind not in known
        ]
        for member in self.members:
            count = sum(1 for node in nodes if node.kind == member.kind)
            refusal = member.count.refusal(member.kind, strategy, count)
            if refusal is not None:
                found.append(refusal)
        return found


SERVERS: Final = Member("server", Count(default=3, minimum=1))
SERVERS_ONLY: Final = Topology((SERVERS,))  # portal servers that each hold a replica
