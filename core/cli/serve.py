"""`testbed serve`: one portal server process."""

import argparse
import dataclasses
import logging
import sys
from pathlib import Path
from typing import Any

from core import config, registry
from core.portals.server import serve


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "serve",
        help="run a portal server",
        description="Run one portal server: AdminPortal and/or OrderPortal over one replica "
        "of the strategy, until Ctrl-C or SIGTERM (in-flight calls finish). A strategy "
        "that keeps its state in one process (memory) serves both portals.",
    )
    parser.add_argument("--config", type=Path, help="cluster file (TOML); flags override it")
    parser.add_argument(
        "--name", help="which server of the config file this is (default: its first)"
    )
    parser.add_argument(
        "--strategy",
        help="replication strategy, see `testbed strategies` (default: the config's, or memory)",
    )
    parser.add_argument("--host", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", help=f"port to listen on (default {config.DEFAULT_PORT}; 0 picks)"
    )
    parser.add_argument(
        "--portal", choices=["admin", "order", "both"], help="what to serve (default: both)"
    )
    parser.add_argument(
        "--option",
        "-o",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a strategy option, overriding the config file; repeatable",
    )
    parser.add_argument(
        "--ready-file", type=Path, help="write name, address and pid here once serving"
    )
    parser.add_argument(
        "--log-level", type=log_level, default="INFO", help="DEBUG, INFO, WARNING, ..."
    )
    parser.set_defaults(run=run)


def log_level(text: str) -> str:
    if text.upper() not in logging.getLevelNamesMapping():
        raise argparse.ArgumentTypeError(f"{text!r} is not a log level: try DEBUG, INFO, WARNING")
    return text.upper()


def check_ready_file(path: Path | None) -> None:
    """Refuse a ready file that could not be written before starting, not once serving."""
    if path is not None and not path.parent.is_dir():
        raise config.ConfigError(f"--ready-file {str(path)!r}: no directory {str(path.parent)!r}")


def parse_options(pairs: list[str]) -> dict[str, Any]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise config.ConfigError(f"--option {pair!r} must be KEY=VALUE")
        options[key.strip()] = value
    return options


def node_from_args(args: argparse.Namespace) -> tuple[config.ClusterConfig, config.NodeConfig]:
    cluster = config.load(args.config).with_strategy(args.strategy, parse_options(args.option))
    node = cluster.server(args.name)
    overrides: dict[str, Any] = {}
    if args.host is not None:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = config.parse_port(args.port)
    if args.portal is not None:
        overrides["portals"] = config.parse_portals(args.portal)
    return cluster, dataclasses.replace(node, **overrides)


def refuse_split_state(cluster: config.ClusterConfig, node: config.NodeConfig) -> None:
    """A strategy that keeps its state in one process serves both portals from it.

    Its topology allows one server: two such processes, one per portal, would each hold
    a state of their own, and an order portal would never see the admin portal's
    clients. ConfigError names the strategies that share state across processes.
    """
    if set(node.portals) == set(config.PORTALS):
        return
    member = registry.get(cluster.strategy).topology.member(config.SERVER)
    if member is None or member.count.maximum != 1:
        return
    shared = sorted(
        name
        for name, descriptor in registry.strategies().items()
        if (server := descriptor.topology.member(config.SERVER)) is not None
        and server.count.maximum != 1
    )
    (only,) = node.portals
    raise config.ConfigError(
        f"strategy {cluster.strategy!r} keeps its state in this one process, so a server "
        f"with only the {only} portal would share nothing with another portal's server; "
        f"serve both portals here (no --portal), or use {' or '.join(shared)} for "
        "separate portals"
    )


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=args.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        cluster, node = node_from_args(args)
        refuse_split_state(cluster, node)
        check_ready_file(args.ready_file)
        return serve(cluster, node, args.ready_file)
    except (config.ConfigError, registry.UnknownStrategy, ValueError) as error:
        print(f"testbed serve: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # what the machine refused: a busy port, an unreachable peer
        print(f"testbed serve: {error}", file=sys.stderr)
        return 1
