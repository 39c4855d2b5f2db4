"""The pluggy hook markers of project `testbed` and its discovery hooks."""

import argparse

import pluggy

from core.strategy import StrategyDescriptor
from core.topology import NodeKind

PROJECT = "testbed"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def testbed_strategies() -> list[StrategyDescriptor]:  # type: ignore[empty-body]
    """Return the replication strategies this plugin provides."""


@hookspec
def testbed_node_kinds() -> list[NodeKind]:  # type: ignore[empty-body]
    """Return the kinds of cluster node this plugin provides (see `core.topology`)."""


@hookspec
def testbed_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add subcommands to `testbed` (`commands` is its subparsers object)."""
