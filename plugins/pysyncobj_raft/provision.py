"""Completing a cluster file for this machine: a Raft port and a data directory per node.

Settings the file already gives are kept, so a file written for several machines (each
node's raft_address on its own host, its data_dir there) runs unchanged, and a
cluster started again from the file it generated finds its journals where it left them.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from core.config import ClusterConfig, ServerConfig
from core.ports import free_ports
from core.strategy import Provisioned

LOOPBACK = "127.0.0.1"  # PySyncObj's transport pickles: nothing beyond this machine


@contextmanager
def provision(config: ClusterConfig, workdir: Path) -> Iterator[Provisioned]:
    missing = [s.name for s in config.servers if "raft_address" not in s.settings]
    ports = dict(zip(missing, free_ports(len(missing)), strict=True))
    servers = tuple(_complete(server, workdir, ports.get(server.name)) for server in config.servers)
    yield Provisioned(replace(config, servers=servers))


def _complete(server: ServerConfig, workdir: Path, port: int | None) -> ServerConfig:
    settings = dict(server.settings)
    if port is not None:
        settings["raft_address"] = f"{LOOPBACK}:{port}"
    settings.setdefault("data_dir", str((workdir / "raft" / server.name).resolve()))
    return replace(server, settings=settings)
