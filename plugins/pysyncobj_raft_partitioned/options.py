"""The strategy's options: the replicas' (replica/options.py) and the portals' own.

A portal checks them all before it starts; a replica reads only its own.
"""

from collections.abc import Mapping
from typing import Any, Final

from core.strategy import Option, OptionValue, coerce
from plugins.pysyncobj_raft_partitioned.replica import options as replica

READ_MODES: Final = ("linearizable", "local")

OPTIONS: Final = {
    **replica.OPTIONS,
    # Off by default: reads stay linearizable. A cached record goes stale once another
    # portal changes it (docs/partitioned.md); the comparison measures by how much.
    "cache_size": Option(0, "records each portal keeps in its LRU read cache; 0 (default): none"),
    "lock_wait": Option(
        8.0,
        "seconds a portal keeps retrying a command whose records other transactions hold "
        "(each try bounded by timeout) before it answers 503 with nothing changed",
    ),
    "read": Option(
        "linearizable",
        "linearizable: reads go through the partition's Raft log; "
        "local: one replica's own state, faster and possibly stale",
    ),
}


def resolve(given: Mapping[str, Any]) -> dict[str, OptionValue]:
    """Every option, from `given` or its default, checked: ValueError naming a bad one.

    Provisioning calls it, so that the launcher refuses a bad portal option before it
    starts any replica, not once every partition has elected a leader.
    """
    resolved = {
        name: coerce(replica.STRATEGY, name, given.get(name, option.default), type(option.default))
        for name, option in OPTIONS.items()
    }
    check_options(resolved)
    return resolved


def check_options(options: Mapping[str, OptionValue]) -> None:
    """Raise ValueError with a sentence naming the option and its rule."""
    replica.resolve(options)
    if int(options["cache_size"]) < 0:
        raise ValueError(f"option cache_size must be 0 (off) or more, not {options['cache_size']}")
    if options["read"] not in READ_MODES:
        modes = ", ".join(READ_MODES)
        raise ValueError(f"option read must be one of {modes}, not {options['read']!r}")
    if not float(options["lock_wait"]) > 0:
        raise ValueError(
            f"option lock_wait must be a number of seconds > 0, not {options['lock_wait']}"
        )
    timeout, lock_timeout = float(options["timeout"]), float(options["lock_timeout"])
    if not lock_timeout > timeout:
        raise ValueError(
            f"option lock_timeout ({lock_timeout:g} s) must be above timeout ({timeout:g} s): "
            "recovery would otherwise abort transactions whose portal is still deciding"
        )
