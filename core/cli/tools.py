"""`testbed strategies` and `testbed status`: what is installed, and how nodes see themselves."""

import argparse
import json
import sys

import grpc

from core import registry
from core.cli.clients import parse_target
from core.config import ConfigError
from core.portals.control import fetch_status


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    listing = commands.add_parser("strategies", help="list the replication strategies")
    listing.set_defaults(run=list_strategies)
    status = commands.add_parser("status", help="show each server's role, leader and digest")
    status.add_argument("addresses", nargs="+", metavar="HOST:PORT")
    status.add_argument("--json", action="store_true", help="one JSON document per server")
    status.set_defaults(run=show_status)


def list_strategies(args: argparse.Namespace) -> int:
    for name, descriptor in sorted(registry.strategies().items()):
        print(f"{name:<16} {descriptor.description}")
        for option, spec in descriptor.options.items():
            print(f"{'':<18}{option} = {spec.default!r}: {spec.help}")
    return 0


def show_status(args: argparse.Namespace) -> int:
    failed = 0
    for text in args.addresses:
        try:
            address = parse_target(text)
            with grpc.insecure_channel(address) as channel:
                document = fetch_status(channel)
        except (ConfigError, grpc.RpcError) as error:
            failed += 1
            reason = error.details() if isinstance(error, grpc.RpcError) else error
            print(f"{text}: unreachable ({reason})", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps(document))
        else:
            print(
                f"{document['node']:<8} {address:<22} {document['strategy']:<16} "
                f"role={document['role']} leader={document['leader']} "
                f"digest={document['digest'][:12]} {json.dumps(document['details'])}"
            )
    return 1 if failed else 0
