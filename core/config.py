"""The cluster file (TOML): the strategy, its options, the nodes and gRPC settings.

A node is one process of the cluster: a portal server (`[[servers]]`, kind `server`)
or a node of another kind a strategy runs (`[[nodes]]` with a `kind`: a broker, a
storage replica; see `core.topology`). Command-line flags override what the file
says; `testbed.example.toml` documents it.
"""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

PORTALS = ("admin", "order")
DEFAULT_PORT = 50051


class ConfigError(ValueError):
    pass


SERVER: Final = "server"  # the kind of node that serves the portals


@dataclass(frozen=True)
class NodeConfig:
    name: str
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT  # 0: the launcher picks a free one, kept across restarts
    portals: tuple[str, ...] = PORTALS  # what a `server` serves; other kinds ignore it
    settings: Mapping[str, Any] = field(default_factory=dict)  # per-node strategy settings
    kind: str = SERVER
    group: str | None = None  # replica group; None: the topology's default for the kind

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class GrpcConfig:
    """The `[grpc]` table: limits that keep any one client from holding the server."""

    max_message_bytes: int = 4 * 1024 * 1024
    workers: int = 512  # threads: one per call in flight; calls beyond are refused at once
    max_streams: int = 256  # of those, response streams at once (RetrieveClientOrders, ...)
    stream_timeout_seconds: float = 30.0  # a stream's message unread this long: cancelled
    grace_seconds: float = 5.0

    def __post_init__(self) -> None:
        if not 0 < self.max_streams < self.workers:
            raise ConfigError(
                f"[grpc] max_streams ({self.max_streams}) must be at least 1 and below "
                f"workers ({self.workers}), so streams never take every thread"
            )
        if not self.stream_timeout_seconds > 0:
            raise ConfigError("[grpc] stream_timeout_seconds must be a positive number")


@dataclass(frozen=True)
class ClusterConfig:
    strategy: str = "memory"
    options: Mapping[str, Any] = field(default_factory=dict)
    nodes: tuple[NodeConfig, ...] = (NodeConfig("s1"),)
    grpc: GrpcConfig = GrpcConfig()

    @property
    def servers(self) -> tuple[NodeConfig, ...]:
        """The portal servers, in order."""
        return tuple(node for node in self.nodes if node.kind == SERVER)

    def node(self, name: str | None, kind: str | None = SERVER) -> NodeConfig:
        """The named node (of `kind`, unless None), or the first of `kind` with no name."""
        candidates = [n for n in self.nodes if kind is None or n.kind == kind]
        if name is None and candidates:
            return candidates[0]
        for node in candidates:
            if node.name == name:
                return node
        known = ", ".join(n.name for n in candidates) or "none"
        what = "node" if kind is None else f"{kind} node"
        raise ConfigError(f"no {what} named {name!r} in the config; its {what}s are: {known}")

    def server(self, name: str | None) -> NodeConfig:
        return self.node(name, SERVER)

    def with_strategy(self, name: str | None, options: Mapping[str, Any]) -> "ClusterConfig":
        merged = {**self.options, **options} if name in (None, self.strategy) else dict(options)
        return replace(self, strategy=name or self.strategy, options=merged)


def parse_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise ConfigError(f"address {text!r} must be HOST:PORT, for example 127.0.0.1:50051")
    return host.strip("[]"), parse_port(port)


def parse_port(text: str | int) -> int:
    try:
        port = int(text)
    except ValueError:
        raise ConfigError(f"port {text!r} is not a number") from None
    if not 0 <= port <= 65535:
        raise ConfigError(f"port {port} is out of range (0-65535)")
    return port


def parse_portals(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    names = PORTALS if value == "both" else ([value] if isinstance(value, str) else value)
    bad = [name for name in names if name not in PORTALS]
    if bad or not names:
        raise ConfigError(f"portals must be admin, order or both, not {value!r}")
    return tuple(names)


def _node(entry: Mapping[str, Any], number: int, kind: str | None) -> NodeConfig:
    settings = dict(entry)
    kind = str(settings.pop("kind", kind or ""))
    if not kind:
        raise ConfigError(f'[[nodes]] entry {number} needs a kind, e.g. kind = "broker"')
    name = str(settings.pop("name", f"s{number}" if kind == SERVER else f"{kind}{number}"))
    host, port = parse_address(str(settings.pop("address", f"127.0.0.1:{DEFAULT_PORT}")))
    portals = parse_portals(settings.pop("portals", "both"))
    group = settings.pop("group", None)
    return NodeConfig(
        name, host, port, portals, settings, kind, None if group is None else str(group)
    )


def _table(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"[{key}] must be a table, not {value!r}")
    return value


def _tables(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(entry, Mapping) for entry in value):
        raise ConfigError(f"[[{key}]] must be tables, each written [[{key}]]")
    return value


def _grpc(raw: Mapping[str, Any]) -> GrpcConfig:
    unknown = set(raw) - set(GrpcConfig.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"unknown [grpc] setting(s): {', '.join(sorted(unknown))}")
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"[grpc] {key} must be a number, not {value!r}")
    return GrpcConfig(**raw)


def from_mapping(raw: Mapping[str, Any]) -> ClusterConfig:
    strategy = _table(raw, "strategy")
    servers = [_node(entry, n, SERVER) for n, entry in enumerate(_tables(raw, "servers"), 1)]
    others = [_node(entry, n, None) for n, entry in enumerate(_tables(raw, "nodes"), 1)]
    nodes = tuple(servers + others)
    names = [node.name for node in nodes]
    if len(set(names)) < len(names):
        twice = sorted({name for name in names if names.count(name) > 1})
        raise ConfigError(f"node names must be unique; used twice: {', '.join(twice)}")
    return ClusterConfig(
        strategy=str(strategy.get("name", "memory")),
        options=dict(_table(strategy, "options")),
        nodes=nodes or (NodeConfig("s1"),),
        grpc=_grpc(_table(raw, "grpc")),
    )


def to_mapping(cluster: ClusterConfig) -> dict[str, Any]:
    """The inverse of `from_mapping`, for writing a generated cluster file."""
    return {
        "strategy": {"name": cluster.strategy, "options": dict(cluster.options)},
        "grpc": {
            "max_message_bytes": cluster.grpc.max_message_bytes,
            "workers": cluster.grpc.workers,
            "max_streams": cluster.grpc.max_streams,
            "stream_timeout_seconds": cluster.grpc.stream_timeout_seconds,
            "grace_seconds": cluster.grpc.grace_seconds,
        },
        "servers": [_entry(node) for node in cluster.nodes if node.kind == SERVER],
        "nodes": [_entry(node) for node in cluster.nodes if node.kind != SERVER],
    }


def _entry(node: NodeConfig) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": node.name, "address": node.address}
    if node.kind == SERVER:
        entry["portals"] = list(node.portals)
    else:
        entry["kind"] = node.kind
    if node.group is not None:
        entry["group"] = node.group
    return {**entry, **node.settings}


def load(path: str | Path | None) -> ClusterConfig:
    if path is None:
        return ClusterConfig()
    try:
        with open(path, "rb") as file:
            return from_mapping(tomllib.load(file))
    except FileNotFoundError:
        raise ConfigError(f"config file {str(path)!r} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {str(path)!r} is not valid TOML: {error}") from None
    except ConfigError as error:
        raise ConfigError(f"config file {str(path)!r}: {error}") from None
    except OSError as error:
        raise ConfigError(f"config file {str(path)!r} cannot be read: {error.strerror}") from None
