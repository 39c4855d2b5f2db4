"""Start a whole cluster on this machine: every node of its topology, kind by kind.

Used by `testbed cluster up`, the tests and the comparison. The launcher completes
the cluster file (default nodes of each kind, a fixed port for every node, the
strategy's own settings), writes it, and starts one process per node, waiting for
each kind's nodes to be ready before the next kind starts. Any node can then be
stopped, killed, paused, resumed or restarted by name, in place: same address, same
data directory. Children end with the launcher, even when it is SIGKILLed.
"""

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
import tomli_w
from grpc_health.v1 import health_pb2, health_pb2_grpc

from core import network, registry
from core.config import SERVER, ClusterConfig, NodeConfig, to_mapping
from core.lifetime import spawn
from core.portals.server import PARENT_ENV
from core.ports import free_ports
from core.topology import Launch, NodeKind, Readiness, Topology

POLL_S = 0.02


class LaunchError(RuntimeError):
    pass


@dataclass
class Node:
    """One process of a running cluster, of any kind."""

    config: NodeConfig
    kind: NodeKind
    log: Path
    popen: subprocess.Popen[bytes] | None = None  # None until first started
    paused: bool = False

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def address(self) -> str:
        return self.config.address

    @property
    def group(self) -> str | None:
        """Its replica group; None: it holds no replicated state."""
        return self.config.group

    @property
    def process(self) -> subprocess.Popen[bytes]:
        if self.popen is None:
            raise LaunchError(f"{self.name} was never started")
        return self.popen

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    @property
    def pid(self) -> int | None:
        return None if self.popen is None else self.popen.pid

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.config.kind,
            "group": self.group,
            "address": self.address,
            "pid": self.pid,
            "software": None if self.kind.software is None else self.kind.software(self.config),
        }


class Cluster:
    """A running cluster; use as a context manager so it is always stopped.

    `distinct_addresses` gives every node its own loopback address (127.0.0.2, ...),
    so that network faults can cut the links between two nodes (`core.network`).
    """

    def __init__(
        self,
        config: ClusterConfig,
        workdir: Path | None = None,
        ready_timeout: float = 30.0,
        distinct_addresses: bool = False,
    ) -> None:
        descriptor = registry.get(config.strategy)
        descriptor.resolve(config.options)  # fail here, not in every child
        self._descriptor = descriptor
        self._kinds = registry.node_kinds()
        self._requested = config
        self._ready_timeout = ready_timeout
        self._distinct = distinct_addresses
        self._stack = ExitStack()
        self._spawner = ThreadPoolExecutor(1, thread_name_prefix=f"cluster-{config.strategy}")
        if workdir is None:
            workdir = Path(
                self._stack.enter_context(tempfile.TemporaryDirectory(prefix="testbed-"))
            )
        self.workdir = workdir
        self.config = config
        self.nodes: list[Node] = []

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

    @property
    def topology(self) -> Topology:
        return self._descriptor.topology

    @property
    def servers(self) -> list[Node]:
        """The portal servers, in order (what `--ready-file`'s `servers` lists)."""
        return [node for node in self.nodes if node.config.kind == SERVER]

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config = self._complete(self._requested)
        _refuse_busy(self.config.nodes)
        self.config_file.write_text(tomli_w.dumps(to_mapping(self.config)))
        topology = self._descriptor.topology
        self.nodes = [
            Node(node, self._kind(node), self._log(node.name)) for node in self.config.nodes
        ]
        for member in topology.members:
            batch = [node for node in self.nodes if node.config.kind == member.kind]
            for node in batch:
                self._spawn(node)
            for node in batch:
                self._await_ready(node)

    def _complete(self, requested: ClusterConfig) -> ClusterConfig:
        """Default nodes, fixed ports, the strategy's settings; checked, in start order."""
        topology = self._descriptor.topology
        nodes = list(requested.nodes)
        for member in topology.members:
            if not any(node.kind == member.kind for node in nodes):
                nodes += [
                    NodeConfig(name, port=0, kind=member.kind) for name in member.default_names()
                ]
        if self._distinct:
            hosts = network.node_addresses(len(nodes))
            nodes = [replace(node, host=host) for node, host in zip(nodes, hosts, strict=True)]
        nodes = _with_ports(nodes)
        try:
            config = self._descriptor.provision(
                replace(requested, nodes=tuple(nodes)), self.workdir
            )
        except ValueError as error:  # an option's value the strategy refuses, say why
            raise LaunchError(str(error)) from error
        refusals = topology.refusals(config.strategy, config.nodes)
        if refusals:
            raise LaunchError("; ".join(refusals))
        order = [member.kind for member in topology.members]
        grouped = [replace(node, group=topology.group_of(node)) for node in config.nodes]
        return replace(config, nodes=tuple(sorted(grouped, key=lambda n: order.index(n.kind))))

    def _kind(self, node: NodeConfig) -> NodeKind:
        try:
            return self._kinds[node.kind]
        except KeyError:
            known = ", ".join(sorted(self._kinds))
            raise LaunchError(
                f"node {node.name}: unknown kind {node.kind!r}; known: {known}"
            ) from None

    def _log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def _ready_file(self, name: str) -> Path:
        return self.workdir / f"{name}.ready.json"

    def _launch(self, node: Node) -> Launch:
        return Launch(self.config_file, self.workdir, self._ready_file(node.name))

    def _spawn(self, node: Node) -> None:
        self._ready_file(node.name).unlink(missing_ok=True)
        command = node.kind.command(node.config, self._launch(node))
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        # Always from the cluster's own thread: the kernel ties a child's parent-death
        # signal to the thread that spawned it, so a node restarted from a short-lived
        # thread (a fault's) would be stopped when that thread ends (core.lifetime).
        node.popen = self._spawner.submit(spawn, command, node.log, env).result()
        node.paused = False

    def _await_ready(self, node: Node) -> None:
        deadline = time.monotonic() + self._ready_timeout
        while not self._ready(node):
            if not node.running:
                # Its last line is what went wrong: a node's own one-line refusal.
                raise LaunchError(f"{node.name} exited early: {self.log_tail(node, lines=1)}")
            if time.monotonic() > deadline:
                raise LaunchError(
                    f"{node.name} not ready in {self._ready_timeout:.0f} s:\n{self.log_tail(node)}"
                )
            time.sleep(POLL_S)
        if node.kind.readiness is Readiness.READY_FILE:
            wait_serving(node.address, max(0.1, deadline - time.monotonic()))

    def _ready(self, node: Node) -> bool:
        if node.kind.readiness is Readiness.READY_FILE:
            return self._ready_file(node.name).exists()
        return listening(node.address)

    def log_tail(self, node: Node, lines: int = 20) -> str:
        text = node.log.read_text(errors="replace") if node.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def node(self, name: str) -> Node:
        for node in self.nodes:
            if node.name == name:
                return node
        known = ", ".join(node.name for node in self.nodes)
        raise LaunchError(f"no node named {name!r} in this cluster; its nodes are: {known}")

    def addresses(self, portal: str | None = None) -> list[str]:
        return [s.address for s in self.servers if portal is None or portal in s.config.portals]

    def kill(self, name: str, signum: int = signal.SIGKILL) -> None:
        """Send `signum` (SIGKILL by default) and wait for the node to end."""
        node = self.node(name)
        if not node.running:
            return
        with contextlib.suppress(ProcessLookupError):
            node.process.send_signal(signum)
            if node.paused and signum != signal.SIGKILL:
                node.process.send_signal(signal.SIGCONT)  # a stopped process ignores the rest
        node.process.wait()
        node.paused = False

    def pause(self, name: str) -> None:
        """SIGSTOP: the node keeps its sockets and state but does nothing until resumed."""
        node = self._alive(name)
        node.process.send_signal(signal.SIGSTOP)
        node.paused = True

    def resume(self, name: str) -> None:
        node = self._alive(name)
        node.process.send_signal(signal.SIGCONT)
        node.paused = False

    def stop_node(self, name: str, timeout: float = 10.0) -> None:
        """Stop one node gracefully (its kind's stop signal), SIGKILL it after `timeout`."""
        node = self.node(name)
        if not node.running:
            return
        _terminate(node)
        _reap(node, time.monotonic() + timeout)

    def start_node(self, name: str, wait: bool = True) -> None:
        """Start a node that is down again, in place: same config, address, data directory.

        With `wait`, return once it is ready; else at once (see `await_ready`).
        """
        node = self.node(name)
        if node.running:
            raise LaunchError(f"{name} is still running; stop or kill it first")
        self._spawn(node)
        if wait:
            self._await_ready(node)

    def await_ready(self, name: str) -> None:
        """Wait until a node started with `wait=False` is ready; LaunchError if it is not."""
        self._await_ready(self.node(name))

    def restart(self, name: str) -> None:
        """Stop the node if it runs (gracefully), then start it again in place."""
        self.stop_node(name)
        self.start_node(name)

    def _alive(self, name: str) -> Node:
        node = self.node(name)
        if not node.running:
            raise LaunchError(f"{name} is not running")
        return node

    def describe(self) -> dict[str, Any]:
        """What `--ready-file` holds: the portal servers, and every node of any kind."""
        return {
            "strategy": self.config.strategy,
            "servers": [
                {
                    "name": s.name,
                    "address": s.address,
                    "portals": list(s.config.portals),
                    "pid": s.pid,
                }
                for s in self.servers
            ],
            "nodes": [node.describe() for node in self.nodes],
        }

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every node, the last kind first; SIGKILL the ones still up after `timeout`."""
        for node in reversed(self.nodes):
            if node.running:
                _terminate(node)
        deadline = time.monotonic() + timeout
        for node in reversed(self.nodes):
            _reap(node, deadline)
        self._spawner.shutdown()
        self._stack.close()


def _terminate(node: Node) -> None:
    with contextlib.suppress(ProcessLookupError):
        node.process.send_signal(node.kind.stop_signal)
        if node.paused:
            node.process.send_signal(signal.SIGCONT)
    node.paused = False


def _reap(node: Node, deadline: float) -> None:
    if node.popen is None:
        return
    try:
        node.process.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        node.process.kill()
        node.process.wait()


def _refuse_busy(nodes: tuple[NodeConfig, ...]) -> None:
    """A node's fixed port that something already listens on: refused before anything starts.

    A node on a taken port would fail, or worse look ready: a kind that is ready once its
    address accepts connections (a broker) would seem up while someone else answers.
    """
    busy = [node for node in nodes if listening(node.address)]
    if busy:
        taken = ", ".join(f"{node.name} {node.address}" for node in busy)
        raise LaunchError(
            f"already in use: {taken}; stop what listens there, or give those nodes other ports"
        )


def _with_ports(nodes: list[NodeConfig]) -> list[NodeConfig]:
    """Nodes with port 0 get a free port of their host, fixed from now on (restarts keep it)."""
    done = []
    for node in nodes:
        if node.port == 0:
            node = replace(node, port=free_ports(1, node.host)[0])
        done.append(node)
    return done


def listening(address: str) -> bool:
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=1.0).close()
    except OSError:
        return False
    return True


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
