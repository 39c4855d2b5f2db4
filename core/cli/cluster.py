"""`testbed cluster up`: a whole cluster on this machine until Ctrl-C or SIGTERM.

The flags describe the portal servers; the strategy adds the nodes of its other kinds
(a broker, ...), which a config file may also list under `[[nodes]]`.
"""

import argparse
import itertools
import signal
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from core import config, layouts, registry
from core.cli.serve import check_ready_file, parse_options
from core.launcher import Cluster, LaunchError
from core.ports import check_listenable
from core.ready_file import publish
from core.registry import UnknownStrategy


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "cluster",
        help="run a cluster of servers on this machine",
        description="Run a whole cluster on this machine: its portal servers and every node "
        "its strategy needs (a broker, ...), until Ctrl-C.",
    )
    actions = parser.add_subparsers(dest="cluster_command", required=True, metavar="ACTION")
    up = actions.add_parser(
        "up",
        help="start the cluster and keep it up until Ctrl-C",
        description="Start a cluster, print a table of its nodes and keep it up until Ctrl-C "
        "or SIGTERM; no node outlives it. Named layouts: "
        + "; ".join(f"{layout.name}: {layout.description}" for layout in layouts.LAYOUTS.values())
        + ".",
    )
    up.add_argument("--layout", choices=list(layouts.LAYOUTS), help="a named layout")
    up.add_argument("--strategy", help="replication strategy (default: the layout's or the "
                    "config's, else memory)")  # fmt: skip
    up.add_argument("--config", type=Path, help="cluster file (TOML); flags override it")
    up.add_argument(
        "--servers",
        type=int,
        help="N servers, each with both portals (default: the strategy's own number; "
        "1 for memory, 2 for pysyncobj-raft-partitioned, 3 for mqtt-broadcast and "
        "pysyncobj-raft)",
    )
    up.add_argument(
        "--admins", type=int, help="A AdminPortal-only servers (default: one per --admin-ports)"
    )
    up.add_argument(
        "--orders", type=int, help="O OrderPortal-only servers (default: one per --order-ports)"
    )
    up.add_argument(
        "--admin-ports", type=port_list, metavar="P,P", help="the AdminPortal servers' ports"
    )
    up.add_argument(
        "--order-ports", type=port_list, metavar="P,P", help="the OrderPortal servers' ports"
    )
    up.add_argument(
        "--base-port",
        type=int,
        help="servers without a given port listen on P, P+1, ... (default: free ports)",
    )
    up.add_argument(
        "--node-port", action="append", default=[], type=node_port, metavar="NAME=PORT",
        help="the port of a node the layout or config names, e.g. broker=1885 (repeatable)",
    )  # fmt: skip
    up.add_argument("--host", default=None, help="address the servers bind (default 127.0.0.1)")
    up.add_argument(
        "-o", "--option", action="append", default=[], metavar="KEY=VALUE",
        help="a strategy option, e.g. broker=HOST:PORT for mqtt-broadcast (repeatable)",
    )  # fmt: skip
    up.add_argument("--ready-file", type=Path, help="write the servers and every node here as JSON")
    up.add_argument("--workdir", type=Path, help="logs and generated files (default: temporary)")
    parser.set_defaults(run=run)


def port_list(text: str) -> tuple[int, ...]:
    """`55006,55007`: one port per server."""
    try:
        ports = tuple(config.parse_port(part) for part in text.split(","))
    except config.ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if 0 in ports or len(set(ports)) < len(ports):
        raise argparse.ArgumentTypeError(f"{text!r}: give distinct ports, none of them 0")
    return ports


def node_port(text: str) -> tuple[str, int]:
    name, sep, port = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"{text!r} must be NAME=PORT, e.g. broker=1885")
    try:
        return name, config.parse_port(port)
    except config.ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


@dataclass(frozen=True)
class Portals:
    """One group of portal servers: their names, what they serve, how many, given ports."""

    prefix: str
    portals: tuple[str, ...]
    count: int | None
    ports: tuple[int, ...]
    flag: str

    def servers(self) -> list[config.NodeConfig]:
        count = len(self.ports) if self.count is None else self.count
        if count < len(self.ports):
            raise config.ConfigError(
                f"--{self.flag}s {count} but --{self.flag}-ports lists {len(self.ports)} ports"
            )
        ports = self.ports + (0,) * (count - len(self.ports))
        return [
            config.NodeConfig(f"{self.prefix}{n}", port=port, portals=self.portals)
            for n, port in enumerate(ports, start=1)
        ]


def layout(args: argparse.Namespace) -> config.ClusterConfig:
    """The cluster the flags describe, on top of the named layout's or the config file's."""
    named = None
    if args.layout is not None:
        if args.config is not None:
            raise config.ConfigError("use either --layout or --config, not both")
        named = layouts.get(args.layout, registry.strategies(), args.strategy)
        base = named.cluster(args.strategy)
    else:
        base = config.load(args.config)
    cluster = base.with_strategy(args.strategy, parse_options(args.option))
    servers = list(cluster.servers)
    others = [node for node in cluster.nodes if node.kind != config.SERVER]
    admin_ports, order_ports = (named.admin_ports, named.order_ports) if named else ((), ())
    groups = [
        Portals("s", config.PORTALS, args.servers, (), "server"),
        Portals("admin", ("admin",), args.admins, args.admin_ports or admin_ports, "admin"),
        Portals("order", ("order",), args.orders, args.order_ports or order_ports, "order"),
    ]
    if named is not None or any(g.count is not None or g.ports for g in groups):
        servers = [server for group in groups for server in group.servers()]
        if not servers:
            raise config.ConfigError("a cluster needs at least one server")
    else:
        if args.config is None:
            others, servers = [], _default_servers(cluster.strategy)
        if args.config is None or args.base_port is not None:
            servers = [replace(server, port=0) for server in servers]  # flags beat the file
    if args.base_port is not None:
        servers = _numbered(servers, args.base_port)
    if args.host is not None:
        servers = [replace(s, host=args.host) for s in servers]
    return replace(cluster, nodes=_with_node_ports(servers + others, dict(args.node_port)))


def _default_servers(strategy: str) -> list[config.NodeConfig]:
    """As many servers as the strategy runs by default (its topology's count), each
    with both portals: a Raft group of three, not of one."""
    descriptor = registry.strategies().get(strategy)
    member = None if descriptor is None else descriptor.topology.member(config.SERVER)
    count = 1 if member is None else member.count.default
    return [config.NodeConfig(f"s{n}", portals=config.PORTALS) for n in range(1, count + 1)]


def _with_node_ports(
    nodes: list[config.NodeConfig], ports: dict[str, int]
) -> tuple[config.NodeConfig, ...]:
    unknown = sorted(set(ports) - {node.name for node in nodes})
    if unknown:
        known = ", ".join(node.name for node in nodes)
        raise config.ConfigError(
            f"--node-port: no node named {', '.join(unknown)}; the named nodes are: {known}"
        )
    return tuple(replace(node, port=ports.get(node.name, node.port)) for node in nodes)


def _numbered(servers: list[config.NodeConfig], base: int) -> list[config.NodeConfig]:
    """Servers without a port get `base`, `base`+1, ..., skipping the ports already given."""
    taken = {server.port for server in servers}
    free = (port for port in itertools.count(base) if port not in taken)
    return [s if s.port else replace(s, port=config.parse_port(next(free))) for s in servers]


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
        wanted = layout(args)
        check_ready_file(args.ready_file)
        if args.host is not None:
            check_listenable(args.host, 0)
        with Cluster(wanted, workdir=args.workdir) as cluster:
            print_table(cluster)
            if args.ready_file is not None:
                publish(args.ready_file, cluster.describe(), indent=2)
            stopping.wait()
            print("stopping the cluster...", file=sys.stderr)
    except (config.ConfigError, UnknownStrategy, LaunchError, ValueError, OSError) as error:
        print(f"testbed cluster: {error}", file=sys.stderr)
        return 2
    return 0
