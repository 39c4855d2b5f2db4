"""`testbed demo`: start a server and walk through the seed's flow with the clients."""

import argparse
import shlex
import sys

from core import registry
from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster, LaunchError

# The seed's own walkthrough: stock moves with every order change.
STEPS: tuple[tuple[str, ...], ...] = (
    ("admin", "create-client", "2", '{"name": "Paulo"}'),
    ("admin", "create-product", "1", '{"name": "caneta", "price": "2.50", "quantity": 8}'),
    ("admin", "create-product", "2", '{"name": "caderno", "price": 12, "quantity": 9}'),
    ("order", "create-order", "100", '{"products": [{"PID": "1", "quantity": 3}]}'),
    ("admin", "retrieve-product", "1"),
    ("order", "update-order", "100", '{"products": [{"PID": "2", "quantity": 5}]}'),
    ("order", "retrieve-order", "100"),
    ("order", "update-order", "100", '[{"id": "1", "quantity": "0"}]'),
    ("admin", "retrieve-product", "1"),
    ("admin", "delete-product", "2"),
    ("order", "delete-order", "100"),
    ("admin", "retrieve-product", "2"),
    ("order", "retrieve-client-orders"),
)


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "demo",
        help="run a server and show the clients working",
        description="Start one server and walk through the seed's flow with the one-shot "
        "clients (clients, products, an order whose changes move stock), printing each "
        "command and its reply; then stop the server.",
    )
    parser.add_argument("--strategy", default="memory", help="replication strategy to demo")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.cli.main import main  # the same commands a user types

    try:
        registry.get(args.strategy)
    except registry.UnknownStrategy as error:
        print(f"testbed demo: {error}", file=sys.stderr)
        return 2
    config = ClusterConfig(strategy=args.strategy, nodes=(NodeConfig("s1", port=0),))
    try:
        with Cluster(config) as cluster:
            address = cluster.addresses()[0]
            print(f"# a {args.strategy} server is up at {address}; the seed's flow:\n")
            for portal, *action in STEPS:
                argv = [portal, address, *(["--cid", "2"] if portal == "order" else []), *action]
                print(f"$ testbed {shlex.join(argv)}")
                sys.stdout.flush()
                main(argv)
            print("\n# try it yourself: testbed serve --port 50051, then testbed admin 50051")
    except LaunchError as error:
        print(f"testbed demo: {error}", file=sys.stderr)
        return 1
    return 0
