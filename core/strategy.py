"""What a strategy plugin declares: its name, options, topology and how to build a replicator."""

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from core.config import ClusterConfig, NodeConfig
from core.replication import Replicator
from core.topology import SERVERS_ONLY, Topology

OptionValue = str | int | float | bool


@dataclass(frozen=True)
class Option:
    default: OptionValue
    help: str


@dataclass(frozen=True)
class NodeContext:
    """Everything a factory needs to build one node of a cluster."""

    node: NodeConfig
    cluster: ClusterConfig
    options: Mapping[str, OptionValue]  # checked against the descriptor, defaults filled in


# Before a cluster starts, a strategy completes its config for this machine (per-node
# settings such as Raft addresses and data directories, files in the work directory,
# nodes it does not need dropped); every node already has its address and port.
Provision = Callable[[ClusterConfig, Path], ClusterConfig]


def no_provision(config: ClusterConfig, workdir: Path) -> ClusterConfig:
    return config


# The rules on a strategy's option values that need no cluster (ranges, choices, one
# option against another), given them resolved: raises ValueError naming the option.
Check = Callable[[Mapping[str, OptionValue]], None]


def no_check(options: Mapping[str, OptionValue]) -> None:
    return None


@dataclass(frozen=True)
class StrategyDescriptor:
    name: str
    description: str
    factory: Callable[[NodeContext], Replicator]
    options: Mapping[str, Option] = field(default_factory=dict)
    # Run by resolve(): `serve`, `cluster up` and `compare` refuse a bad value alike,
    # before any node starts.
    check: Check = no_check
    provision: Provision = no_provision
    topology: Topology = SERVERS_ONLY  # the node kinds its clusters run
    # "linearizable" promises that concurrent writes through any server never conflict;
    # "eventual" only that replicas converge once writes stop (tests rely on this).
    consistency: str = "linearizable"

    def resolve(self, given: Mapping[str, Any]) -> dict[str, OptionValue]:
        """Fill in defaults; refuse unknown options, values of the wrong type and values
        that break the strategy's rules (`check`)."""
        unknown = sorted(set(given) - set(self.options))
        if unknown:
            known = ", ".join(sorted(self.options)) or "none"
            raise ValueError(
                f"strategy {self.name!r} has no option {', '.join(map(repr, unknown))}; "
                f"its options are: {known}"
            )
        resolved: dict[str, OptionValue] = {}
        for name, option in self.options.items():
            value = given.get(name, option.default)
            resolved[name] = coerce(self.name, name, value, type(option.default))
        self.check(resolved)
        return resolved


_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
# What a value of each type is called in a refusal, for a person ("a int" is not).
_TYPE_NAMES = {int: "an integer", float: "a number", bool: "true or false", str: "text"}


def coerce(strategy: str, name: str, value: object, kind: type) -> OptionValue:
    """`value` as the type of the option's default; strings from flags are converted."""
    if type(value) is kind:
        return cast(OptionValue, value)
    if kind is float and type(value) is int:
        return float(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if kind is bool and text in _BOOLEANS:
            return _BOOLEANS[text]
        if kind in (int, float):
            with contextlib.suppress(ValueError):
                return cast(OptionValue, kind(text))
    raise ValueError(
        f"option {name!r} of strategy {strategy!r} must be {_TYPE_NAMES[kind]}, not {value!r}"
    )
