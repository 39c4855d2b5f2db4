"""Faults struck on any node of a cluster in the middle of a load run, then healed.

A fault is `ACTION-TARGET`:

    kill       SIGKILL the node, start it again in place after `--fault-for`
    pause      SIGSTOP the node for `--fault-for`, then SIGCONT
    restart    SIGTERM the node and start it again in place at once
    partition  cut the node off from every other node for `--fault-for`, then heal
    flaky      drop a share (FLAKY_SHARE) of the node's packets to and from the other
               nodes for `--fault-for`

    leader     the node whose status says it leads (a strategy with a leader only)
    follower   a node whose status says it follows
    server     a portal server other than the first
    broker     the cluster's broker node
    NAME       the node of that name (s2, broker, ...)

The old names `kill-server`, `kill-leader` and `restart-server` read the same way. A
target is chosen when the fault strikes (the leader then, not at start): of the nodes
that fit it then, in the cluster's order, the one a seeded draw in [0, 1) falls on
(`loadtests.compare.seeds`), so a replay with the same seed makes the same choice
whenever the cluster offers the same candidates. A fault
that does not apply to a strategy (no leader, no broker, network faults without
root and nftables) is skipped with a note. `partition` and `flaky` need each node on
its own loopback address (`Cluster(distinct_addresses=True)`) and `core.network`.
"""

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import grpc

from core import network
from core.launcher import Cluster, LaunchError, Node
from core.portals.control import fetch_status
from core.topology import Probe
from loadtests.compare.nodes import named

ACTIONS: Final = ("kill", "pause", "restart", "partition", "flaky")
ROLE_TARGETS: Final = ("leader", "follower", "server", "broker")
NETWORK: Final = frozenset({"partition", "flaky"})
LEADER_ROLES: Final = frozenset({"leader", "follower", "candidate"})
FLAKY_SHARE: Final = 0.3
LEADER_WAIT_S: Final = 3.0
STATUS_TIMEOUT_S: Final = 1.0


class FaultError(ValueError):
    """A fault that is not `ACTION-TARGET`; the message says what would be right."""


@dataclass(frozen=True)
class Fault:
    action: str  # one of ACTIONS
    target: str  # one of ROLE_TARGETS, or a node name

    @property
    def name(self) -> str:
        return f"{self.action}-{self.target}"

    @property
    def network(self) -> bool:
        return self.action in NETWORK


def parse_faults(text: str) -> tuple[Fault, ...]:
    parts = tuple(part.strip() for part in text.split(",") if part.strip())
    if parts in ((), ("none",)):
        return ()
    return tuple(parse_fault(part) for part in parts)


def parse_fault(text: str) -> Fault:
    action, dash, target = text.partition("-")
    if action not in ACTIONS or not dash or not target:
        raise FaultError(
            f"fault {text!r} must be ACTION-TARGET: actions {', '.join(ACTIONS)}; targets "
            f"{', '.join(ROLE_TARGETS)} or a node name (e.g. kill-leader, partition-s2)"
        )
    return Fault(action, target)


def needs_distinct_addresses(faults: tuple[Fault, ...]) -> bool:
    return any(fault.network for fault in faults)


# --- Choosing the node ---------------------------------------------------------------


def roles(cluster: Cluster, timeout: float = STATUS_TIMEOUT_S) -> dict[str, str]:
    """Each running node's role, as its control service reports it (those that answer)."""
    found = {}
    for node in cluster.nodes:
        if node.kind.probe is not Probe.CONTROL or not node.running or node.paused:
            continue
        with contextlib.suppress(grpc.RpcError), grpc.insecure_channel(node.address) as channel:
            found[node.name] = str(fetch_status(channel, timeout)["role"])
    return found


def candidate(draw: float, count: int) -> int:
    """Which of `count` nodes that fit a fault a draw in [0, 1) strikes."""
    return min(int(draw * count), count - 1)


def _choose(candidates: list[Node], draw: float) -> Node | None:
    return candidates[candidate(draw, len(candidates))] if candidates else None


def _with_role(cluster: Cluster, role: str, draw: float) -> Node | None:
    deadline = time.monotonic() + LEADER_WAIT_S  # an election may be under way
    while True:
        seen = roles(cluster)
        if chosen := _choose([n for n in cluster.nodes if seen.get(n.name) == role], draw):
            return chosen
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)


def pick(fault: Fault, cluster: Cluster, draw: float) -> Node | None:
    """The node `fault` strikes now, or None when there is none; `draw` (in [0, 1))
    chooses among several that fit (followers, servers, leaders of several groups)."""
    if fault.target in ("leader", "follower"):
        return _with_role(cluster, fault.target, draw)
    if fault.target == "server":
        return _choose([s for s in cluster.servers[1:] if s.running], draw)
    if fault.target == "broker":
        return _choose([n for n in cluster.nodes if n.config.kind == "broker"], draw)
    return next((n for n in cluster.nodes if n.name == fault.target), None)


def skip_reason(fault: Fault, cluster: Cluster) -> str | None:
    """Why `fault` does not apply to this cluster, or None when it does."""
    name = fault.name
    if fault.target in ("leader", "follower"):
        seen = roles(cluster)
        if not LEADER_ROLES & set(seen.values()):
            shown = ", ".join(sorted(set(seen.values()))) or "none answered"
            return f"{name} skipped: the nodes report no leader (roles: {shown})"
    elif fault.target == "server" and len(cluster.servers) < 2:
        return f"{name} skipped: it needs at least 2 servers, the cluster has 1"
    elif fault.target not in ROLE_TARGETS and fault.target not in {n.name for n in cluster.nodes}:
        known = ", ".join(n.name for n in cluster.nodes)
        return f"{name} skipped: the cluster has no node {fault.target!r} (its nodes: {known})"
    elif fault.target == "broker" and pick(fault, cluster, 0.0) is None:
        return f"{name} skipped: the cluster runs no broker node"
    if fault.network:
        if (why := network.available()) is not None:
            return f"{name} skipped: network faults need nftables as root: {why}"
        if len({node.config.host for node in cluster.nodes}) < len(cluster.nodes):
            return f"{name} skipped: the nodes do not each have their own loopback address"
    return None


# --- Striking and healing ---------------------------------------------------------------


@dataclass
class Strike:
    """A fault under way: what to do when its time is up."""

    fault: Fault
    node: str
    start: float  # time.monotonic()
    heal: Callable[[], str]  # undoes the fault; returns a note
    # After healing: waits until the node is back (a killed one ready again); a note.
    recover: Callable[[], str] = lambda: ""


def strike(fault: Fault, node: Node, cluster: Cluster, firewall: network.Firewall | None) -> Strike:
    """Begin `fault` on `node` now; `heal` ends it (restart returns at once healed)."""
    began = time.monotonic()
    name = node.name
    if fault.action == "kill":
        cluster.kill(name)
        return Strike(
            fault, name, began, lambda: _respawn(cluster, name), lambda: _ready(cluster, name)
        )
    if fault.action == "pause":
        cluster.pause(name)
        return Strike(fault, name, began, lambda: _resume(cluster, name))
    if fault.action == "restart":
        note = _restart(cluster, name)
        return Strike(fault, name, began, lambda: note)
    assert firewall is not None, "skip_reason() refuses network faults without a firewall"
    others = [n.config.host for n in cluster.nodes if n is not node]
    if fault.action == "partition":
        rule = firewall.partition(node.config.host, others)
        what = "cut off from the other nodes"
    else:
        rule = firewall.flaky(node.config.host, others, FLAKY_SHARE)
        what = f"dropping {FLAKY_SHARE:.0%} of its packets"

    def heal() -> str:
        firewall.heal(rule)
        return f"{_shown(cluster, name)} {what}, healed"

    return Strike(fault, name, began, heal)


def _respawn(cluster: Cluster, name: str) -> str:
    """The kill ends when the node is started again; its recovery is timed after."""
    cluster.start_node(name, wait=False)
    return f"{_shown(cluster, name)} killed, started again"


def _ready(cluster: Cluster, name: str) -> str:
    began = time.monotonic()
    try:
        cluster.await_ready(name)
    except LaunchError as error:
        return f"; it did not become ready: {error}"
    return f", serving {time.monotonic() - began:.1f} s later"


def _resume(cluster: Cluster, name: str) -> str:
    cluster.resume(name)
    return f"{_shown(cluster, name)} paused, then resumed"


def _restart(cluster: Cluster, name: str) -> str:
    began = time.monotonic()
    try:
        cluster.restart(name)
    except LaunchError as error:
        return f"{_shown(cluster, name)} stopped; it did not start again: {error}"
    return f"{_shown(cluster, name)} restarted in place in {time.monotonic() - began:.1f} s"


def _shown(cluster: Cluster, name: str) -> str:
    return named(name, cluster.node(name).address)


def recover(cluster: Cluster) -> list[str]:
    """Resume paused nodes and start every node that is down; notes say which."""
    notes = []
    for node in cluster.nodes:
        if node.paused:
            cluster.resume(node.name)
            notes.append(f"resumed {named(node.name, node.address)} after the load run")
        if node.running:
            continue
        try:
            cluster.start_node(node.name)
            notes.append(f"restarted {named(node.name, node.address)} after the load run")
        except LaunchError as error:
            notes.append(f"{named(node.name, node.address)} did not restart: {error}")
    return notes
