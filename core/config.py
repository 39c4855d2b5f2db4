"""The cluster file (TOML): the strategy, its options, the servers and gRPC settings.

Command-line flags override what the file says; `testbed.example.toml` documents it.
"""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

PORTALS = ("admin", "order")
DEFAULT_PORT = 50051


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class ServerConfig:
    name: str
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    portals: tuple[str, ...] = PORTALS
    settings: Mapping[str, Any] = field(default_factory=dict)  # per-node strategy settings

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class GrpcConfig:
    max_message_bytes: int = 4 * 1024 * 1024
    workers: int = 32
    grace_seconds: float = 5.0


@dataclass(frozen=True)
class ClusterConfig:
    strategy: str = "memory"
    options: Mapping[str, Any] = field(default_factory=dict)
    servers: tuple[ServerConfig, ...] = (ServerConfig("s1"),)
    grpc: GrpcConfig = GrpcConfig()

    def server(self, name: str | None) -> ServerConfig:
        """The named server, or the only/first one when no name is given."""
        if name is None:
            return self.servers[0]
        for server in self.servers:
            if server.name == name:
                return server
        known = ", ".join(s.name for s in self.servers)
        raise ConfigError(f"no server named {name!r} in the config; its servers are: {known}")

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


def _server(entry: Mapping[str, Any], number: int) -> ServerConfig:
    settings = dict(entry)
    name = str(settings.pop("name", f"s{number}"))
    host, port = parse_address(str(settings.pop("address", f"127.0.0.1:{DEFAULT_PORT}")))
    portals = parse_portals(settings.pop("portals", "both"))
    return ServerConfig(name, host, port, portals, settings)


def from_mapping(raw: Mapping[str, Any]) -> ClusterConfig:
    strategy = raw.get("strategy", {})
    servers = tuple(_server(entry, n) for n, entry in enumerate(raw.get("servers", []), 1))
    grpc_raw = raw.get("grpc", {})
    unknown = set(grpc_raw) - set(GrpcConfig.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"unknown [grpc] setting(s): {', '.join(sorted(unknown))}")
    return ClusterConfig(
        strategy=str(strategy.get("name", "memory")),
        options=dict(strategy.get("options", {})),
        servers=servers or (ServerConfig("s1"),),
        grpc=GrpcConfig(**grpc_raw),
    )


def to_mapping(cluster: ClusterConfig) -> dict[str, Any]:
    """The inverse of `from_mapping`, for writing a generated cluster file."""
    return {
        "strategy": {"name": cluster.strategy, "options": dict(cluster.options)},
        "grpc": {
            "max_message_bytes": cluster.grpc.max_message_bytes,
            "workers": cluster.grpc.workers,
            "grace_seconds": cluster.grpc.grace_seconds,
        },
        "servers": [
            {
                "name": server.name,
                "address": server.address,
                "portals": list(server.portals),
                **server.settings,
            }
            for server in cluster.servers
        ],
    }


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
    except TypeError as error:
        raise ConfigError(f"config file {str(path)!r}: {error}") from None
