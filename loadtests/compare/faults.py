"""Faults injected in the middle of every load run, and the recovery after it.

    none            no fault (the default)
    kill-server     SIGKILL one server that is not the first (the last one up); it
                    stays down for the rest of the run
    kill-leader     SIGKILL the server whose status reports it leads; only for
                    strategies with a leader (roles leader/follower/candidate)
    restart-server  SIGKILL one server that is not the first, then start it again at
                    once with the same config and data directory

Several faults (kill-server,kill-leader) strike one after another, evenly spread
over the run. A fault needs at least two servers; one that does not apply to a
strategy is skipped with a note. After each run every server still down is
restarted, so the next run, and the convergence check, see the whole cluster.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import grpc

from core.launcher import Cluster, LaunchError, ServerProcess
from core.portals.control import fetch_status
from loadtests.compare.model import FaultEvent
from loadtests.compare.plan import PlanError

LEADER_ROLES: Final = frozenset({"leader", "follower", "candidate"})
LEADER_WAIT_S: Final = 3.0


@dataclass(frozen=True)
class Fault:
    name: str
    needs_leader: bool
    pick: Callable[[Cluster], ServerProcess | None]
    restart: bool  # bring the server back at once


def _alive(cluster: Cluster) -> list[ServerProcess]:
    return [s for s in cluster.servers if s.process.poll() is None]


def _roles(cluster: Cluster, timeout: float = 2.0) -> dict[str, str]:
    roles = {}
    for server in _alive(cluster):
        try:
            with grpc.insecure_channel(server.address) as channel:
                roles[server.name] = str(fetch_status(channel, timeout)["role"])
        except grpc.RpcError:
            continue
    return roles


def _not_first(cluster: Cluster) -> ServerProcess | None:
    others = [s for s in _alive(cluster) if s is not cluster.servers[0]]
    return others[-1] if others else None


def _leader(cluster: Cluster) -> ServerProcess | None:
    deadline = time.monotonic() + LEADER_WAIT_S  # an election may be under way
    while True:
        leaders = [name for name, role in _roles(cluster).items() if role == "leader"]
        if leaders:
            return cluster.server(leaders[0])
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)


FAULTS: Final = {
    "kill-server": Fault("kill-server", needs_leader=False, pick=_not_first, restart=False),
    "kill-leader": Fault("kill-leader", needs_leader=True, pick=_leader, restart=False),
    "restart-server": Fault("restart-server", needs_leader=False, pick=_not_first, restart=True),
}


def parse_faults(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if names in ((), ("none",)):
        return ()
    unknown = [name for name in names if name not in FAULTS]
    if unknown:
        raise PlanError(
            f"unknown fault {', '.join(map(repr, unknown))}; the faults are: "
            f"none, {', '.join(FAULTS)}"
        )
    return names


def skip_reason(name: str, cluster: Cluster) -> str | None:
    """Why fault `name` does not apply to this cluster, or None when it does."""
    if len(cluster.servers) < 2:
        return f"{name} skipped: it needs at least 2 servers, the cluster has 1"
    if FAULTS[name].needs_leader:
        roles = _roles(cluster)
        if not LEADER_ROLES & set(roles.values()):
            shown = ", ".join(sorted(set(roles.values()))) or "none answered"
            return f"{name} skipped: the servers report no leader (roles: {shown})"
    return None


def inject(name: str, cluster: Cluster, at_s: float) -> FaultEvent:
    fault = FAULTS[name]
    target = fault.pick(cluster)
    if target is None:
        return FaultEvent(name, None, at_s, "no server to strike; nothing done")
    cluster.kill(target.name)
    if not fault.restart:
        return FaultEvent(name, target.name, at_s, f"killed {target.name}")
    began = time.monotonic()
    try:
        cluster.restart(target.name)
    except LaunchError as error:
        return FaultEvent(name, target.name, at_s, f"killed {target.name}; restart failed: {error}")
    took = time.monotonic() - began
    return FaultEvent(
        name, target.name, at_s, f"killed {target.name}, serving again in {took:.1f} s"
    )


def recover(cluster: Cluster) -> list[str]:
    """Restart every server that is down; notes say which, and which would not start."""
    notes = []
    for server in list(cluster.servers):
        if server.process.poll() is None:
            continue
        try:
            cluster.restart(server.name)
            notes.append(f"restarted {server.name} after the load run")
        except LaunchError as error:
            notes.append(f"{server.name} did not restart: {error}")
    return notes
