"""`testbed admin` and `testbed order`: the seed's clients, interactive or one-shot."""

import argparse
import sys

import grpc

from core.cli.actions import PORTALS
from core.cli.calls import CallFailed, invoke, render
from core.cli.interactive import run_menu
from core.config import ConfigError, parse_address, parse_port


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for portal, (service, actions) in PORTALS.items():
        parser = commands.add_parser(
            portal,
            help=f"the {service} client: a menu, or one action when one is given",
            description=f"Talk to an {service} server. With no action, show a menu.",
        )
        parser.add_argument("address", help="HOST:PORT of the server, or PORT on 127.0.0.1")
        if portal == "order":
            parser.add_argument("--cid", help="the client you act for (asked for if missing)")
        one_shot = parser.add_subparsers(dest="action", metavar="ACTION")
        for action in actions:
            sub = one_shot.add_parser(action.name, help=action.help)
            for arg in action.args:
                sub.add_argument(arg.lower(), metavar=arg)
        parser.set_defaults(run=run, portal=portal)


def parse_target(text: str) -> str:
    """HOST:PORT, or a bare PORT meaning 127.0.0.1 (the seed passed only a port)."""
    if text.isdigit():
        return f"127.0.0.1:{parse_port(text)}"
    host, port = parse_address(text)
    return f"{host}:{port}"


def run(args: argparse.Namespace) -> int:
    service, actions = PORTALS[args.portal]
    try:
        address = parse_target(args.address)
    except ConfigError as error:
        print(f"testbed {args.portal}: {error}", file=sys.stderr)
        return 2
    context: tuple[str, ...] = ()
    if args.portal == "order":
        cid = args.cid
        if cid is None:
            try:
                cid = input("your client ID (CID): ").strip()
            except (EOFError, KeyboardInterrupt):
                return 0
        context = (cid,)
    with grpc.insecure_channel(address) as channel:
        if args.action is None:
            return run_menu(channel, service, actions, context)
        action = next(a for a in actions if a.name == args.action)
        request = action.build(*context, *(getattr(args, a.lower()) for a in action.args))
        try:
            ok, lines = render(invoke(channel, service, action, request))
        except CallFailed as error:
            print(f"testbed {args.portal}: {error}", file=sys.stderr)
            return 1
        for line in lines:
            print(line)
        return 0 if ok else 1
