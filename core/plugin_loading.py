"""Third-party plugins, loaded one by one: a broken one is skipped, in one line saying why.

A plugin is skipped when its entry point fails to load or register, when it implements
a hook that matches no hook spec (a misspelled name would otherwise be ignored without
a word: pluggy's `check_pending`), or when one of its hooks raises. Skipping
unregisters it, logs a warning and remembers the reason per plugin manager, so one
broken distribution never takes the built-ins, or `testbed strategies`, down with it.
"""

import importlib.metadata
import logging
import weakref
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import pluggy

log = logging.getLogger(__name__)

_skipped: "weakref.WeakKeyDictionary[pluggy.PluginManager, list[Skipped]]" = (
    weakref.WeakKeyDictionary()
)
# How each loaded plugin's entry point was declared, to name it if its hook fails later.
_declared: "weakref.WeakKeyDictionary[pluggy.PluginManager, dict[str, str]]" = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class Skipped:
    plugin: str  # the entry point as declared, "name = module", or the plugin's name
    error: str

    def __str__(self) -> str:
        return f"skipped the testbed plugin {self.plugin}: {self.error}"


def load_entry_points(manager: pluggy.PluginManager, group: str) -> None:
    """Register every plugin of the entry-point `group` that loads, matches the hook
    specs and registers; skip each other one."""
    for entry_point in importlib.metadata.entry_points(group=group):
        if manager.has_plugin(entry_point.name) or manager.is_blocked(entry_point.name):
            continue
        declared = f"{entry_point.name} = {entry_point.value}"
        try:
            manager.register(entry_point.load(), name=entry_point.name)
        except Exception as error:
            _remember(manager, Skipped(declared, _described(error)))
            continue
        if unmatched := _unmatched(manager, entry_point.name):
            manager.unregister(name=entry_point.name)
            names, specs = ", ".join(map(repr, unmatched)), ", ".join(_specified(manager))
            reason = f"{names} match no hook spec of {manager.project_name} ({specs})"
            _remember(manager, Skipped(declared, f"its hook implementations {reason}"))
        else:
            _declared.setdefault(manager, {})[entry_point.name] = declared


def call_each(
    manager: pluggy.PluginManager,
    hook: str,
    trusted: Collection[str],
    answer: Callable[[Any], Any] = lambda value: value,
    **kwargs: Any,
) -> list[tuple[str, Any]]:
    """Each plugin's `answer` to `hook`, by plugin name. A plugin not in `trusted` whose
    hook raises (or whose answer does not convert) is skipped; a trusted one's error,
    a bug of ours, propagates."""
    answers = []
    for impl in getattr(manager.hook, hook).get_hookimpls():
        try:
            answers.append((impl.plugin_name, answer(impl.function(**kwargs))))
        except Exception as error:
            if impl.plugin_name in trusted:
                raise
            manager.unregister(name=impl.plugin_name)
            declared = _declared.get(manager, {}).get(impl.plugin_name, impl.plugin_name)
            _remember(manager, Skipped(declared, f"its hook {hook} raised {_described(error)}"))
    return answers


def skipped(manager: pluggy.PluginManager) -> list[Skipped]:
    """The plugins `manager` skipped so far, and why, in the order it skipped them."""
    return list(_skipped.get(manager, ()))


def _unmatched(manager: pluggy.PluginManager, name: str) -> list[str]:
    """The hooks plugin `name` implements that no spec declares (optional ones aside)."""
    try:
        manager.check_pending()
    except pluggy.PluginValidationError:
        plugin = manager.get_plugin(name)
        callers = manager.get_hookcallers(plugin) or []
        return sorted(
            caller.name
            for caller in callers
            if not caller.has_spec()
            and any(i.plugin is plugin and not i.optionalhook for i in caller.get_hookimpls())
        )
    return []


def _specified(manager: pluggy.PluginManager) -> list[str]:
    return sorted(name for name, caller in vars(manager.hook).items() if caller.has_spec())


def _described(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _remember(manager: pluggy.PluginManager, skip: Skipped) -> None:
    log.warning("%s", skip)
    _skipped.setdefault(manager, []).append(skip)
