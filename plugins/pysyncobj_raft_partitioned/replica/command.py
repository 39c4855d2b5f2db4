"""`testbed replica`: one storage replica process, and the node kind that runs it.

Both are registered by this plugin (hooks `testbed_commands`, `testbed_node_kinds`),
not by core: the launcher starts a "replica" node as
`python -m core.cli.main replica --config FILE --name N --ready-file R`.
"""

import argparse
import logging
import sys
from pathlib import Path

from core import config
from core.data_dir import Held
from core.topology import Launch, NodeKind, Probe, Readiness
from plugins.pysyncobj_raft_partitioned.replica.settings import KIND, replica_settings


def replica_command(node: config.NodeConfig, launch: Launch) -> list[str]:
    return [
        sys.executable, "-m", "core.cli.main", KIND,
        "--config", str(launch.config_file), "--name", node.name,
        "--ready-file", str(launch.ready_file),
    ]  # fmt: skip


NODE_KIND = NodeKind(
    KIND,
    "a storage replica: one partition's Raft member (PySyncObj) over its LMDB store",
    replica_command,
    readiness=Readiness.READY_FILE,
    probe=Probe.CONTROL,
    stateful=True,
)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        KIND,
        help="run a storage replica of the pysyncobj-raft-partitioned strategy",
        description="Run one storage replica: a member of its partition's Raft group that "
        "keeps the partition in its store and serves the internal Partition service "
        "(proto/storage.proto) to the portals, until Ctrl-C or SIGTERM.",
    )
    parser.add_argument("--config", type=Path, required=True, help="cluster file (TOML)")
    parser.add_argument("--name", required=True, help="which replica node of the file this is")
    parser.add_argument(
        "--ready-file", type=Path, help="write name, address and pid here once serving"
    )
    parser.add_argument(
        "--log-level", type=str.upper, default="INFO", choices=LOG_LEVELS, help="default INFO"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=args.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Imported here: the server brings PySyncObj, LMDB and gRPC's servers.
    from plugins.pysyncobj_raft_partitioned.replica.server import serve
    from plugins.pysyncobj_raft_partitioned.store import StoreError

    try:
        cluster = config.load(args.config)
        settings = replica_settings(cluster, args.name)
        if args.ready_file is not None and not args.ready_file.parent.is_dir():
            raise config.ConfigError(f"--ready-file {str(args.ready_file)!r}: no such directory")
        with Held(settings.data_dir):
            return serve(cluster, settings, args.ready_file)
    except (config.ConfigError, ValueError) as error:
        print(f"testbed replica: {error}", file=sys.stderr)
        return 2
    except (OSError, StoreError) as error:  # a busy port, a data directory open elsewhere
        print(f"testbed replica: {error}", file=sys.stderr)
        return 1
