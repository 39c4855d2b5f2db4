"""Real replica processes of one partition, started from a hand-written cluster file.

The strategy is not registered yet, so the launcher cannot start these: each replica
is spawned as the launcher would (`core.lifetime.spawn`, the node kind's command line,
its ready file) on free ports, with its own data directory kept across restarts.
"""

import contextlib
import functools
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import grpc
import tomli_w

from core.config import NodeConfig
from core.launcher import wait_serving
from core.lifetime import spawn
from core.portals.control import fetch_status
from core.portals.server import PARENT_ENV
from core.ports import free_ports
from core.topology import Launch
from plugins.pysyncobj_raft_partitioned.replica.command import replica_command
from proto import storage_pb2 as pb
from proto import storage_pb2_grpc

WAIT_S = 30.0  # generous: three Python processes start on a loaded 2-core machine
CALL_S = 10.0
T = TypeVar("T")


def until(check: Callable[[], T | None], what: str, timeout: float = WAIT_S) -> T:
    """Poll `check` until it returns something true; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except grpc.RpcError:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def key(table: str, identifier: str) -> pb.Key:
    return pb.Key(table=table, id=identifier)


def record(table: str, identifier: str, value: Any = None) -> pb.Record:
    if value is None:
        return pb.Record(key=key(table, identifier))
    return pb.Record(key=key(table, identifier), json=json.dumps(value))


def values(records: Any) -> dict[tuple[str, str], Any]:
    return {
        (r.key.table, r.key.id): json.loads(r.json) if r.HasField("json") else None for r in records
    }


class Group:
    """The replicas r1..rN of partition 0, in `workdir`."""

    def __init__(self, workdir: Path, replicas: int = 3, **options: Any) -> None:
        self.workdir = workdir
        self.names = [f"r{n}" for n in range(1, replicas + 1)]
        ports = free_ports(2 * replicas)
        self.nodes = {
            name: NodeConfig(
                name,
                port=ports[2 * n],
                kind="replica",
                settings={
                    "partition": 0,
                    "raft_address": f"127.0.0.1:{ports[2 * n + 1]}",
                    "data_dir": str(workdir / name),
                },
            )
            for n, name in enumerate(self.names)
        }
        self.config_file = workdir / "cluster.toml"
        document = {
            "strategy": {
                "name": "pysyncobj-raft-partitioned",
                "options": {"partitions": 1, "replicas": replicas, **options},
            },
            "nodes": [
                {"name": node.name, "address": node.address, "kind": node.kind, **node.settings}
                for node in self.nodes.values()
            ],
        }
        self.config_file.write_text(tomli_w.dumps(document))
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._channels: dict[str, grpc.Channel] = {}

    def address(self, name: str) -> str:
        return self.nodes[name].address

    def ready_file(self, name: str) -> Path:
        return self.workdir / f"{name}.ready.json"

    def start(self, *names: str) -> None:
        """Start these replicas (all by default) and wait until each one serves."""
        chosen = names or tuple(self.names)
        for name in chosen:
            self.ready_file(name).unlink(missing_ok=True)
            launch = Launch(self.config_file, self.workdir, self.ready_file(name))
            command = replica_command(self.nodes[name], launch)
            env = {**os.environ, PARENT_ENV: str(os.getpid())}
            self.processes[name] = spawn(command, self.workdir / f"{name}.log", env)
        for name in chosen:
            until(functools.partial(self._ready, name), f"{name} to write its ready file")
            wait_serving(self.address(name), WAIT_S)

    def _ready(self, name: str) -> bool:
        if self.processes[name].poll() is not None:
            log = (self.workdir / f"{name}.log").read_text(errors="replace")
            raise AssertionError(f"{name} exited early:\n{log[-3000:]}")
        return self.ready_file(name).exists()

    def kill(self, name: str) -> None:
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGKILL)
        process.wait()
        self._close_channel(name)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill(name)
        for name in list(self._channels):
            self._close_channel(name)

    def stub(self, name: str) -> Any:
        if name not in self._channels:
            self._channels[name] = grpc.insecure_channel(self.address(name))
        return storage_pb2_grpc.PartitionStub(self._channels[name])

    def _close_channel(self, name: str) -> None:
        channel = self._channels.pop(name, None)
        if channel is not None:
            channel.close()

    def status(self, name: str) -> dict[str, Any]:
        with grpc.insecure_channel(self.address(name)) as channel:
            return fetch_status(channel)

    def read_here(self, name: str, wanted: pb.Key) -> Any:
        """The value `name` holds for `wanted` now (a local read)."""
        reply = self.stub(name).Read(pb.ReadRequest(keys=[wanted]), timeout=CALL_S)
        return values(reply.records)[(wanted.table, wanted.id)]

    def running(self) -> list[str]:
        return [name for name, p in self.processes.items() if p.poll() is None]

    def leader(self, other_than: str | None = None) -> str:
        """The replica every running one names as leader (waited for), if not `other_than`."""

        def agreed() -> str | None:
            seen = {self.status(name)["leader"] for name in self.running()}
            return seen.pop() if len(seen) == 1 and not seen & {None, other_than} else None

        return until(agreed, "the replicas to agree on a leader")

    def follower(self) -> str:
        leader = self.leader()
        return next(name for name in self.running() if name != leader)

    def converged(self) -> str:
        """The digest every running replica reaches, once they all applied the same."""

        def same() -> str | None:
            documents = [self.status(name) for name in self.running()]
            digests = {d["digest"] for d in documents}
            applied = {d["details"]["applied_index"] for d in documents}
            return digests.pop() if len(digests) == 1 and len(applied) == 1 else None

        return until(same, "the replicas' digests to agree")
