"""The built-in node kind: the portal server, registered through the same hook as others."""

import sys

from core.config import SERVER, NodeConfig
from core.hookspecs import hookimpl
from core.topology import Launch, NodeKind


def serve_command(node: NodeConfig, launch: Launch) -> list[str]:
    return [
        sys.executable, "-m", "core.cli.main", "serve",
        "--config", str(launch.config_file), "--name", node.name,
        "--ready-file", str(launch.ready_file),
    ]  # fmt: skip


@hookimpl
def testbed_node_kinds() -> list[NodeKind]:
    return [
        NodeKind(
            SERVER,
            "a portal server: AdminPortal and/or OrderPortal over one replicator",
            serve_command,
        )
    ]
