"""What a strategy plugin declares: its name, its options and how to build a node."""

import contextlib
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from core.config import ClusterConfig, ServerConfig
from core.replication import Replicator

OptionValue = str | int | float | bool


@dataclass(frozen=True)
class Option:
    default: OptionValue
    help: str


@dataclass(frozen=True)
class NodeContext:
    """Everything a factory needs to build one node of a cluster."""

    node: ServerConfig
    cluster: ClusterConfig
    options: Mapping[str, OptionValue]  # checked against the descriptor, defaults filled in


@dataclass(frozen=True)
class Service:
    """Something a cluster needs besides its servers, such as an MQTT broker."""

    role: str  # "broker", ...
    kind: str  # "mosquitto", "amqtt", "external", ...
    address: str


@dataclass(frozen=True)
class Provisioned:
    config: ClusterConfig  # with every per-node setting filled in
    services: tuple[Service, ...] = ()


# Before a cluster's servers start, a strategy may start services and complete the
# config (addresses, data directories) in a work directory; on exit it stops them.
Provision = Callable[[ClusterConfig, Path], AbstractContextManager[Provisioned]]


def no_provision(config: ClusterConfig, workdir: Path) -> AbstractContextManager[Provisioned]:
    return nullcontext(Provisioned(config))


@dataclass(frozen=True)
class StrategyDescriptor:
    name: str
    description: str
    factory: Callable[[NodeContext], Replicator]
    options: Mapping[str, Option] = field(default_factory=dict)
    provision: Provision = no_provision
    max_servers: int | None = None  # None: any number
    # "linearizable" promises that concurrent writes through any server never conflict;
    # "eventual" only that replicas converge once writes stop (tests rely on this).
    consistency: str = "linearizable"

    def resolve(self, given: Mapping[str, Any]) -> dict[str, OptionValue]:
        """Fill in defaults; refuse unknown options and values of the wrong type."""
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
            resolved[name] = _coerce(self.name, name, value, type(option.default))
        return resolved


_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _coerce(strategy: str, name: str, value: object, kind: type) -> OptionValue:
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
        f"option {name!r} of strategy {strategy!r} must be a {kind.__name__}, not {value!r}"
    )
