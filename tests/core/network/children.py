"""Processes the network-fault tests start: `python -m tests.core.network.children ROLE ...`.

Each one ends when its stdin closes, so none outlives the test that started it.
"""

import json
import socket
import sys
from collections.abc import Callable

from pysyncobj import SyncObj, SyncObjConf  # type: ignore[import-untyped]

from core.network import Firewall, bind_outgoing


def connect(source: str, host: str, port: str) -> None:
    """Connect once to host:port, from `source` unless it is "default"."""
    if source != "default":
        bind_outgoing(source)
    with socket.create_connection((host, int(port))):
        sys.stdin.read()


def raft(me: str, *partners: str) -> None:
    """A PySyncObj node on `me` (host:port); each stdin line gets its view of the cluster."""
    bind_outgoing(me.rsplit(":", 1)[0])
    # Short timeouts, so that a cut link is noticed and a healed one retried in about a second.
    conf = SyncObjConf(
        connectionTimeout=1.5, connectionRetryTime=0.3, dynamicMembershipChange=False
    )
    node = SyncObj(me, list(partners), conf=conf)
    for _ in sys.stdin:
        status = node.getStatus()
        connected = [p for p in partners if status[f"partner_node_status_server_{p}"] == 2]
        leader = status["leader"]
        view = {"connected": connected, "leader": None if leader is None else str(leader)}
        print(json.dumps(view), flush=True)
    node.destroy()


def hold_partition(target: str, other: str) -> None:
    """Partition `target` from `other`, print our table's name, and hold it until killed."""
    with Firewall() as firewall:
        firewall.partition(target, [other])
        print(firewall.table, flush=True)
        sys.stdin.read()


ROLES: dict[str, Callable[..., None]] = {
    "connect": connect,
    "raft": raft,
    "hold-partition": hold_partition,
}

if __name__ == "__main__":
    ROLES[sys.argv[1]](*sys.argv[2:])
