"""Finding strategies: the built-ins, listed here, and third parties' through entry points.

A new built-in strategy is one module in plugins/ plus one line in BUILTINS. A broken
third-party plugin is skipped with its reason (see `core.plugin_loading`, `skipped`).
"""

import importlib
from functools import cache
from typing import Any, cast

import pluggy

from core import hookspecs
from core.plugin_loading import Skipped, call_each, load_entry_points
from core.plugin_loading import skipped as skipped_by
from core.strategy import StrategyDescriptor
from core.topology import NodeKind

BUILTINS = (
    "core.kinds",
    "plugins.memory",
    "plugins.mqtt_broadcast",
    "plugins.pysyncobj_raft",
    "plugins.pysyncobj_raft_partitioned",
)


class UnknownStrategy(LookupError):
    pass


@cache
def plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    for module in BUILTINS:
        manager.register(importlib.import_module(module), name=module)
    manager.check_pending()  # a built-in's misspelled hook is our bug: fail loudly
    load_entry_points(manager, hookspecs.PROJECT)
    return manager


def skipped() -> list[Skipped]:
    """The third-party plugins left out, each with the reason (also logged as a warning)."""
    return skipped_by(plugin_manager())


def hook_results(manager: pluggy.PluginManager, hook: str, **kwargs: Any) -> list[Any]:
    """Every plugin's answer to `hook`; a third-party plugin whose hook raises is skipped."""
    return [answer for _, answer in call_each(manager, hook, BUILTINS, **kwargs)]


def strategies(manager: pluggy.PluginManager | None = None) -> dict[str, StrategyDescriptor]:
    """Every registered strategy by name; two plugins may not claim one name."""
    manager = manager or plugin_manager()
    found: dict[str, StrategyDescriptor] = {}
    for plugin_name, descriptors in _by_plugin(manager):
        for descriptor in descriptors:
            if descriptor.name in found:
                raise ValueError(
                    f"plugin {plugin_name!r} registers strategy {descriptor.name!r}, "
                    "which another plugin already registered"
                )
            found[descriptor.name] = descriptor
    return found


def builtins() -> dict[str, StrategyDescriptor]:
    """The strategies of the BUILTINS modules alone, without third-party plugins."""
    return {
        descriptor.name: descriptor
        for plugin_name, descriptors in _by_plugin(plugin_manager())
        if plugin_name in BUILTINS
        for descriptor in descriptors
    }


def _by_plugin(
    manager: pluggy.PluginManager,
) -> list[tuple[str, list[StrategyDescriptor]]]:
    # Called per implementation, not through the hook, to name the plugin in errors.
    return call_each(manager, "testbed_strategies", BUILTINS, answer=list)


def get(name: str, manager: pluggy.PluginManager | None = None) -> StrategyDescriptor:
    known = strategies(manager)
    if name not in known:
        raise UnknownStrategy(
            f"unknown strategy {name!r}; known strategies: {', '.join(sorted(known))}"
        )
    return known[name]


def node_kinds(manager: pluggy.PluginManager | None = None) -> dict[str, NodeKind]:
    """Every registered node kind by name; two plugins may not claim one name."""
    manager = manager or plugin_manager()
    found: dict[str, NodeKind] = {}
    for plugin_name, kinds in call_each(manager, "testbed_node_kinds", BUILTINS, answer=list):
        for kind in cast(list[NodeKind], kinds):
            if kind.name in found:
                raise ValueError(
                    f"plugin {plugin_name!r} registers node kind {kind.name!r}, "
                    "which another plugin already registered"
                )
            found[kind.name] = kind
    return found
