"""Completing a cluster file for this machine: a Raft port and a data directory per node.

Settings the file already gives are kept, so a file written for several machines (each
node's raft_address on its own host, its data_dir there) runs unchanged, and a
cluster started again from the file it generated finds its journals where it left them.
"""

from dataclasses import replace
from pathlib import Path

from core.config import SERVER, ClusterConfig, NodeConfig
from core.ports import free_ports

LOOPBACK = "127.0.0.1"  # PySyncObj's transport pickles: nothing beyond this machine


def provision(config: ClusterConfig, workdir: Path) -> ClusterConfig:
    nodes = tuple(
        _complete(node, workdir) if node.kind == SERVER else node for node in config.nodes
    )
    return replace(config, nodes=nodes)


def _complete(server: NodeConfig, workdir: Path) -> NodeConfig:
    """A Raft port on the server's own loopback address (its host, when that is one)."""
    settings = dict(server.settings)
    if "raft_address" not in settings:
        host = server.host if server.host.startswith("127.") else LOOPBACK
        settings["raft_address"] = f"{host}:{free_ports(1, host)[0]}"
    settings.setdefault("data_dir", str((workdir / "raft" / server.name).resolve()))
    return replace(server, settings=settings)
