"""The pluggy hook markers of project `testbed` and its one discovery hook."""

import pluggy

from core.strategy import StrategyDescriptor

PROJECT = "testbed"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def testbed_strategies() -> list[StrategyDescriptor]:  # type: ignore[empty-body]
    """Return the replication strategies this plugin provides."""
