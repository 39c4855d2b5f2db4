"""The strategy options a storage replica reads, with their defaults and meaning.

The strategy's descriptor lists these beside the portals' own options; a replica
reads only these from the cluster file's `[strategy.options]` and ignores the rest.
Values given as text (command-line flags) are converted to the default's type.
"""

from collections.abc import Mapping
from typing import Any, Final, get_args

from core.strategy import Option, OptionValue, coerce
from plugins.pysyncobj_raft_partitioned.store import Durability

STRATEGY: Final = "pysyncobj-raft-partitioned"
STORES: Final = ("lmdb", "memory")
DURABILITIES: Final = get_args(Durability)

OPTIONS: Final = {
    "partitions": Option(2, "how many partitions the data is split into"),
    "replicas": Option(3, "storage replicas per partition, one Raft group each"),
    "store": Option("lmdb", "where a replica keeps its partition: lmdb (on disk) or memory"),
    "durability": Option(
        "full",
        "LMDB's flushes: full (an entry is on disk once applied), no-metasync (one flush "
        "per entry), none (none: survives a replica's crash, as the Raft journal does, "
        "not the machine's)",
    ),
    "lock_timeout": Option(
        5.0, "seconds a prepared transaction may hold its locks before recovery resolves it"
    ),
    "timeout": Option(3.0, "seconds a replica waits for a log entry to commit"),
    "password": Option(
        "", "shared secret: encrypts and authenticates Raft traffic (needs `cryptography`)"
    ),
    "compaction_entries": Option(
        5000, "snapshot the store and truncate the Raft journal past this many log entries"
    ),
    "insecure_transport": Option(
        False, "allow a Raft address beyond loopback without a password (trusted networks only)"
    ),
}


def resolve(given: Mapping[str, Any]) -> dict[str, OptionValue]:
    """Every replica option, from `given` or its default; ValueError naming a bad one."""
    resolved = {
        name: coerce(STRATEGY, name, given.get(name, option.default), type(option.default))
        for name, option in OPTIONS.items()
    }
    for name in ("partitions", "replicas"):
        if int(resolved[name]) < 1:
            raise ValueError(f"option {name} must be at least 1, not {resolved[name]}")
    if int(resolved["compaction_entries"]) < 2:
        raise ValueError("option compaction_entries must be at least 2")
    for name in ("lock_timeout", "timeout"):
        if not float(resolved[name]) > 0:
            raise ValueError(f"option {name} must be a number of seconds > 0, not {resolved[name]}")
    if resolved["durability"] not in DURABILITIES:
        choices = ", ".join(DURABILITIES)
        raise ValueError(
            f"option durability must be one of {choices}, not {resolved['durability']!r}"
        )
    if resolved["store"] not in STORES:
        raise ValueError(
            f"option store must be one of {', '.join(STORES)}, not {resolved['store']!r}"
        )
    return resolved
