"""`testbed cluster up`: a whole cluster on this machine until Ctrl-C or SIGTERM.

The flags describe the portal servers; the strategy adds the nodes of its other kinds
(a broker, ...), which a config file may also list under `[[nodes]]`.
"""

import argparse
import json
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path

from core import config
from core.cli.serve import parse_options
from core.launcher import Cluster, LaunchError
from core.registry import UnknownStrategy


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("cluster", help="run a cluster of servers on this machine")
    actions = parser.add_subparsers(dest="cluster_command", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start the cluster and keep it up until Ctrl-C")
    up.add_argument("--strategy", help="replication strategy (default: the config's, or memory)")
    up.add_argument("--config", type=Path, help="cluster file (TOML); flags override it")
    up.add_argument("--servers", type=int, help="N servers, each with both portals")
    up.add_argument("--admins", type=int, help="A AdminPortal-only servers (the seed's layout)")
    up.add_argument("--orders", type=int, help="O OrderPortal-only servers (the seed's layout)")
    up.add_argument("--base-port", type=int, help="servers listen on P, P+1, ... (default: free)")
    up.add_argument("--host", default=None, help="address the servers bind (default 127.0.0.1)")
    up.add_argument("-o", "--option", action="append", default=[], metavar="KEY=VALUE")
    up.add_argument("--ready-file", type=Path, help="write the servers and every node here as JSON")
    up.add_argument("--workdir", type=Path, help="logs and generated files (default: temporary)")
    parser.set_defaults(run=run)


def layout(args: argparse.Namespace) -> config.ClusterConfig:
    """The cluster the flags describe, on top of the config file's."""
    cluster = config.load(args.config).with_strategy(args.strategy, parse_options(args.option))
    servers = list(cluster.servers)
    others = [node for node in cluster.nodes if node.kind != config.SERVER]
    if args.servers is not None or args.admins is not None or args.orders is not None:
        if args.servers is not None and (args.admins or args.orders):
            raise config.ConfigError("use either --servers or --admins/--orders, not both")
        groups: list[tuple[str, tuple[str, ...], int]] = [
            ("s", config.PORTALS, args.servers or 0),
            ("admin", ("admin",), args.admins or 0),
            ("order", ("order",), args.orders or 0),
        ]
        servers = [
            config.NodeConfig(f"{prefix}{n}", port=0, portals=portals)
            for prefix, portals, count in groups
            for n in range(1, count + 1)
        ]
        if not servers:
            raise config.ConfigError("a cluster needs at least one server")
    elif args.config is None:
        servers = [replace(server, port=0) for server in servers]
        others = []
    if args.base_port is not None:
        servers = [
            replace(s, port=config.parse_port(args.base_port + i)) for i, s in enumerate(servers)
        ]
    if args.host is not None:
        servers = [replace(s, host=args.host) for s in servers]
    return replace(cluster, nodes=tuple(servers + others))


def print_table(cluster: Cluster) -> None:
    print(f"{'name':<10} {'kind':<8} {'group':<10} {'address':<22} {'portals':<14} pid")
    for node in cluster.nodes:
        portals = "+".join(node.config.portals) if node.config.kind == config.SERVER else "-"
        group = node.group or "-"
        print(
            f"{node.name:<10} {node.config.kind:<8} {group:<10} {node.address:<22} "
            f"{portals:<14} {node.pid}"
        )
    print(f"strategy {cluster.config.strategy}; logs in {cluster.workdir}; Ctrl-C stops everything")
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        with Cluster(layout(args), workdir=args.workdir) as cluster:
            print_table(cluster)
            if args.ready_file is not None:
                args.ready_file.write_text(json.dumps(cluster.describe(), indent=2))
            stopping.wait()
            print("stopping the cluster...", file=sys.stderr)
    except (config.ConfigError, UnknownStrategy, LaunchError, ValueError, OSError) as error:
        print(f"testbed cluster: {error}", file=sys.stderr)
        return 2
    return 0
