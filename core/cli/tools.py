"""`testbed strategies` and `testbed status`: what is installed, and how nodes see themselves."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import grpc

from core import registry
from core.cli.clients import parse_target
from core.config import ConfigError
from core.launcher import listening
from core.portals.control import fetch_status
from core.topology import Probe


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    listing = commands.add_parser(
        "strategies",
        help="list the replication strategies",
        description="List the installed replication strategies (built-in and plugins), "
        "each with its options, their defaults and what they do.",
    )
    listing.set_defaults(run=list_strategies)
    status = commands.add_parser(
        "status",
        help="show each node's kind, group, role, leader and digest",
        description=(
            "Ask servers at HOST:PORT, or every node of a cluster that `testbed cluster up "
            "--ready-file FILE` started (--cluster FILE), how they see themselves."
        ),
    )
    status.add_argument("addresses", nargs="*", metavar="HOST:PORT", help="servers to ask")
    status.add_argument(
        "--cluster", type=Path, metavar="READY_FILE", help="every node listed in this ready file"
    )
    status.add_argument("--json", action="store_true", help="one JSON document per node")
    status.set_defaults(run=show_status)


def list_strategies(args: argparse.Namespace) -> int:
    for name, descriptor in sorted(registry.strategies().items()):
        print(f"{name:<16} {descriptor.description}")
        for option, spec in descriptor.options.items():
            print(f"{'':<18}{option} = {spec.default!r}: {spec.help}")
    return 0


def show_status(args: argparse.Namespace) -> int:
    try:
        nodes = _targets(args)
    except ConfigError as error:
        print(f"testbed status: {error}", file=sys.stderr)
        return 2
    failed = 0
    for node in nodes:
        document = _status(node)
        if document is None:
            failed += 1
            continue
        if args.json:
            print(json.dumps(document))
        else:
            print(_line(document))
    return 1 if failed else 0


def _targets(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The nodes to ask: from the ready file, else the addresses (servers, by default)."""
    if args.cluster is None and not args.addresses:
        raise ConfigError("give HOST:PORT addresses or --cluster READY_FILE")
    nodes: list[dict[str, Any]] = [
        {"name": None, "kind": "server", "group": None, "address": text} for text in args.addresses
    ]
    if args.cluster is not None:
        nodes += _ready_file_nodes(args.cluster)
    return nodes


def _ready_file_nodes(path: Path) -> list[dict[str, Any]]:
    """The `nodes` of a ready file that `testbed cluster up --ready-file` wrote."""
    where = f"ready file {str(path)!r}"
    try:
        document = json.loads(path.read_text())
    except OSError as error:
        raise ConfigError(f"{where} cannot be read: {error.strerror}") from None
    except ValueError as error:
        raise ConfigError(f"{where} is not JSON: {error}") from None
    nodes = document.get("nodes") if isinstance(document, dict) else None
    fields = {"name", "kind", "group", "address"}
    if not isinstance(nodes, list) or not all(
        isinstance(node, dict) and fields <= node.keys() for node in nodes
    ):
        raise ConfigError(
            f"{where} has no list of nodes, each with {', '.join(sorted(fields))}: "
            "is it one that `testbed cluster up --ready-file` wrote?"
        )
    return nodes


def _status(node: dict[str, Any]) -> dict[str, Any] | None:
    """What the node says of itself, or None (reported on stderr) when it does not answer."""
    text = str(node["address"])
    kind = registry.node_kinds().get(str(node["kind"]))
    try:
        address = parse_target(text)
        if kind is not None and kind.probe is Probe.LISTENING:
            role = "up" if listening(address) else "down"
            return {**node, "role": role, "leader": None, "digest": None, "details": {}}
        with grpc.insecure_channel(address) as channel:
            return {**node, **fetch_status(channel)}
    except (ConfigError, grpc.RpcError) as error:
        reason = error.details() if isinstance(error, grpc.RpcError) else error
        print(f"{node['name'] or text}: unreachable ({reason})", file=sys.stderr)
        return None


def _line(document: dict[str, Any]) -> str:
    name = document.get("node") or document["name"]
    digest = document.get("digest")
    return (
        f"{name:<8} {document['kind']:<8} {document.get('group') or '-':<10} "
        f"{document['address']:<22} role={document['role']} leader={document['leader']} "
        f"digest={digest[:12] if digest else '-'} {json.dumps(document['details'])}"
    )
