"""The `testbed` command."""

import argparse
import sys

from core import registry
from core.cli import clients, cluster, demo, serve, tools
from core.cli.help import Parser


def parser() -> argparse.ArgumentParser:
    root = Parser(
        prog="testbed",
        description="The course's e-commerce portals on interchangeable replication strategies.",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve.add_parser(commands)
    clients.add_parsers(commands)
    cluster.add_parser(commands)
    demo.add_parser(commands)
    tools.add_parsers(commands)
    # `compare`, ...; a third-party plugin whose hook raises is skipped, with a warning.
    registry.hook_results(registry.plugin_manager(), "testbed_commands", commands=commands)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)  # as typed (compare records it)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
