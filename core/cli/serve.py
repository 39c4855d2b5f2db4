"""`testbed serve`: one portal server process."""

import argparse
import dataclasses
import logging
import sys
from pathlib import Path
from typing import Any

from core import config
from core.portals.server import serve
from core.registry import UnknownStrategy


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("serve", help="run a portal server")
    parser.add_argument("--config", type=Path, help="cluster file (TOML); flags override it")
    parser.add_argument("--name", help="which server of the config file this is")
    parser.add_argument("--strategy", help="replication strategy (see `testbed strategies`)")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", help=f"port to listen on (default {config.DEFAULT_PORT}; 0 picks)"
    )
    parser.add_argument("--portal", choices=["admin", "order", "both"], help="default both")
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
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING, ...")
    parser.set_defaults(run=run)


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


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        cluster, node = node_from_args(args)
        return serve(cluster, node, args.ready_file)
    except (config.ConfigError, UnknownStrategy, ValueError, OSError) as error:
        print(f"testbed serve: {error}", file=sys.stderr)
        return 2
