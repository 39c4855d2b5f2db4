"""Start a whole cluster on this machine: services, then one process per server.

Used by `testbed cluster up`, the tests and the comparison. Children are told the
launcher's pid and stop by themselves if it disappears, so none outlives it.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
import tomli_w
from grpc_health.v1 import health_pb2, health_pb2_grpc

from core import registry
from core.config import ClusterConfig, ServerConfig, to_mapping
from core.lifetime import spawn
from core.portals.server import PARENT_ENV
from core.strategy import Service


class LaunchError(RuntimeError):
    pass


@dataclass
class ServerProcess:
    config: ServerConfig
    process: subprocess.Popen[bytes]
    log: Path
    address: str = ""

    @property
    def name(self) -> str:
        return self.config.name

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "address": self.address,
            "portals": list(self.config.portals),
            "pid": self.process.pid,
        }


class Cluster:
    """A running cluster; use as a context manager so it is always stopped."""

    def __init__(
        self, config: ClusterConfig, workdir: Path | None = None, ready_timeout: float = 30.0
    ) -> None:
        descriptor = registry.get(config.strategy)
        descriptor.resolve(config.options)  # fail here, not in every child
        limit = descriptor.max_servers
        if limit is not None and len(config.servers) > limit:
            raise LaunchError(
                f"strategy {config.strategy!r} runs at most {limit} server(s), "
                f"not {len(config.servers)}"
            )
        self._descriptor = descriptor
        self._requested = config
        self._ready_timeout = ready_timeout
        self._stack = ExitStack()
        if workdir is None:
            workdir = Path(
                self._stack.enter_context(tempfile.TemporaryDirectory(prefix="testbed-"))
            )
        self.workdir = workdir
        self.config = config
        self.services: tuple[Service, ...] = ()
        self.servers: list[ServerProcess] = []

    def __enter__(self) -> "Cluster":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def config_file(self) -> Path:
        return self.workdir / "cluster.toml"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        provisioned = self._stack.enter_context(
            self._descriptor.provision(self._requested, self.workdir)
        )
        self.config, self.services = provisioned.config, provisioned.services
        self.config_file.write_text(tomli_w.dumps(to_mapping(self.config)))
        self.servers = [self._spawn(server) for server in self.config.servers]
        for server in self.servers:
            self._await_ready(server)

    def _spawn(self, server: ServerConfig) -> ServerProcess:
        log = self.workdir / f"{server.name}.log"
        self._ready_file(server.name).unlink(missing_ok=True)
        command = [
            sys.executable, "-m", "core.cli.main", "serve",
            "--config", str(self.config_file), "--name", server.name,
            "--ready-file", str(self._ready_file(server.name)),
        ]  # fmt: skip
        process = spawn(command, log, env={**os.environ, PARENT_ENV: str(os.getpid())})
        return ServerProcess(server, process, log)

    def _ready_file(self, name: str) -> Path:
        return self.workdir / f"{name}.ready.json"

    def _await_ready(self, server: ServerProcess) -> None:
        deadline = time.monotonic() + self._ready_timeout
        ready = self._ready_file(server.name)
        while not ready.exists():
            if server.process.poll() is not None:
                raise LaunchError(f"server {server.name} exited early:\n{self.log_tail(server)}")
            if time.monotonic() > deadline:
                raise LaunchError(f"server {server.name} not ready in {self._ready_timeout:.0f} s")
            time.sleep(0.02)
        server.address = json.loads(ready.read_text())["address"]
        wait_serving(server.address, max(0.1, deadline - time.monotonic()))

    def log_tail(self, server: ServerProcess, lines: int = 20) -> str:
        text = server.log.read_text(errors="replace") if server.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def server(self, name: str) -> ServerProcess:
        return next(s for s in self.servers if s.name == name)

    def addresses(self, portal: str | None = None) -> list[str]:
        return [s.address for s in self.servers if portal is None or portal in s.config.portals]

    def kill(self, name: str, signum: int = signal.SIGKILL) -> None:
        server = self.server(name)
        server.process.send_signal(signum)
        server.process.wait()

    def restart(self, name: str) -> None:
        """Start a stopped server again with the same config (and data directory)."""
        old = self.server(name)
        if old.process.poll() is None:
            raise LaunchError(f"server {name} is still running; stop or kill it first")
        new = self._spawn(old.config)
        self.servers[self.servers.index(old)] = new
        self._await_ready(new)

    def describe(self) -> dict[str, Any]:
        """What `--ready-file` holds: the servers and the broker, if any."""
        broker = next((s for s in self.services if s.role == "broker"), None)
        return {
            "servers": [server.describe() for server in self.servers],
            "broker": None if broker is None else {"address": broker.address, "kind": broker.kind},
        }

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM every server (graceful), SIGKILL the ones still up after `timeout`."""
        for server in self.servers:
            if server.process.poll() is None:
                server.process.terminate()
        deadline = time.monotonic() + timeout
        for server in self.servers:
            try:
                server.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
        self._stack.close()


def wait_serving(address: str, timeout: float) -> None:
    """Block until the health service at `address` reports SERVING."""
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            with contextlib.suppress(grpc.RpcError):
                reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=1.0)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            if time.monotonic() > deadline:
                raise LaunchError(f"{address} did not report SERVING in time")
            time.sleep(0.05)
