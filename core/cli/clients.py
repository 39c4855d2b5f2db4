"""`testbed admin` and `testbed order`: the seed's clients, interactive or one-shot."""

import argparse
import signal
import sys

import grpc

from core.cli.actions import ADMIN, PORTALS
from core.cli.calls import CallFailed, invoke, render
from core.cli.interactive import INTERRUPTED, ask_checked, identifier, run_menu
from core.config import ConfigError, parse_address, parse_port

RETRIEVE_CLIENT = next(action for action in ADMIN if action.rpc == "RetrieveClient")

ARGUMENTS = {
    "CID": "the client's ID",
    "PID": "the product's ID",
    "OID": "the order's ID",
    "client": """the client as JSON, e.g. '{"name": "Ana"}'""",
    "product": """the product as JSON, e.g. '{"name": "caneta", "price": 2.5, "quantity": 8}'""",
    "order": """the lines as JSON, e.g. '{"products": [{"PID": "1", "quantity": 3}]}'""",
}


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for portal, (service, actions) in PORTALS.items():
        parser = commands.add_parser(
            portal,
            help=f"the {service} client: a menu, or one action when one is given",
            description=f"Talk to an {service} server. With no action, show a menu whose "
            "fields are checked as you type them; with one, run it, print the reply and exit "
            "non-zero on an error reply or a missing record.",
        )
        parser.add_argument("address", help="HOST:PORT of the server, or PORT on 127.0.0.1")
        if portal == "order":
            parser.add_argument("--cid", help="the client you act for (asked for if missing)")
            parser.add_argument(
                "--admin",
                metavar="ADDRESS",
                help="an AdminPortal server on which the menu checks that the CID exists "
                "(default: the order server's own address)",
            )
        one_shot = parser.add_subparsers(dest="action", metavar="ACTION")
        for action in actions:
            sub = one_shot.add_parser(
                action.name, help=action.help, description=f"{action.help} ({action.rpc})"
            )
            entity = action.name.rsplit("-", 1)[-1]
            for arg in action.args:
                text = ARGUMENTS[entity if arg == "DATA" else arg]
                sub.add_argument(arg.lower(), metavar=arg, help=text.replace("%", "%%"))
        parser.set_defaults(run=run, portal=portal)


def parse_target(text: str) -> str:
    """HOST:PORT, or a bare PORT meaning 127.0.0.1 (the seed passed only a port)."""
    if text.isdigit():
        return f"127.0.0.1:{parse_port(text)}"
    host, port = parse_address(text)
    return f"{host}:{port}"


def run(args: argparse.Namespace) -> int:
    # Ctrl-C ends the client even when it was started with SIGINT ignored, as a
    # background job of a shell without job control is (Python then keeps SIG_IGN).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return _run(args)
    except EOFError:
        print()
        return 0
    except KeyboardInterrupt:
        print()
        return INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    service, actions = PORTALS[args.portal]
    try:
        address = parse_target(args.address)
        admin = parse_target(args.admin) if getattr(args, "admin", None) else address
    except ConfigError as error:
        print(f"testbed {args.portal}: {error}", file=sys.stderr)
        return 2
    context: tuple[str, ...] = ()
    if args.portal == "order":
        cid = args.cid
        if args.action is None:
            cid = _known_client(admin, cid, args.admin is not None)
            if cid is None:
                return 1
        elif cid is None:
            cid = ask_checked(input, "your client ID (CID): ", identifier("CID"))
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


def _known_client(admin: str, cid: str | None, asked_for_admin: bool) -> str | None:
    """The CID the order menu acts for, once the AdminPortal at `admin` knows it.

    An asked-for CID that does not exist is asked again; one given with --cid ends the
    client (None). A server without an AdminPortal cannot tell: the menu goes on.
    """
    with grpc.insecure_channel(admin) as channel:
        while True:
            given = cid is not None
            if cid is None:
                cid = ask_checked(input, "your client ID (CID): ", identifier("CID"))
            try:
                found, lines = render(
                    invoke(channel, "AdminPortal", RETRIEVE_CLIENT, RETRIEVE_CLIENT.build(cid))
                )
            except CallFailed as error:
                if error.code != grpc.StatusCode.UNIMPLEMENTED or asked_for_admin:
                    print(f"testbed order: cannot check CID {cid!r}: {error}", file=sys.stderr)
                    return None
                print(
                    f"(not checking CID {cid!r}: {admin} serves no AdminPortal; "
                    "give --admin HOST:PORT to check it)"
                )
                return cid
            if found:
                print(f"client {cid}: {next(lines)}")
                return cid
            print(f"no client with CID {cid!r}; the admin client creates one (create-client)")
            if given:
                return None
            cid = None
