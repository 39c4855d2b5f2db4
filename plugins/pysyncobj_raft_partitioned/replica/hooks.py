"""The replica side's hooks: the "replica" node kind and the `testbed replica` command."""

import argparse

from core.hookspecs import hookimpl
from core.topology import NodeKind
from plugins.pysyncobj_raft_partitioned.replica import command


@hookimpl
def testbed_node_kinds() -> list[NodeKind]:
    return [command.NODE_KIND]


@hookimpl
def testbed_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    command.add_parser(commands)
