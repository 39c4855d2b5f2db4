"""Talking to the servers of a Raft cluster by name, as they die and come back.

A restarted server comes back on its own address; calls still open a channel each,
so none outlives the server it was made for.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

from core.launcher import Cluster
from core.portals.control import fetch_status
from proto import api_pb2 as pb
from proto import api_pb2_grpc

CALL_TIMEOUT_S = 10.0
WAIT_S = 20.0


def running(cluster: Cluster) -> list[str]:
    return [s.name for s in cluster.servers if s.process.poll() is None]


def data_dir(cluster: Cluster, name: str) -> Path:
    return Path(cluster.node(name).config.settings["data_dir"])


def status(cluster: Cluster, name: str) -> dict[str, Any]:
    with grpc.insecure_channel(cluster.node(name).address) as channel:
        return fetch_status(channel)


def admin(cluster: Cluster, name: str, rpc: str, request: Any) -> Any:
    with grpc.insecure_channel(cluster.node(name).address) as channel:
        return getattr(api_pb2_grpc.AdminPortalStub(channel), rpc)(request, timeout=CALL_TIMEOUT_S)


def order(cluster: Cluster, name: str, rpc: str, request: Any) -> Any:
    with grpc.insecure_channel(cluster.node(name).address) as channel:
        return getattr(api_pb2_grpc.OrderPortalStub(channel), rpc)(request, timeout=CALL_TIMEOUT_S)


def create_client(cluster: Cluster, name: str, cid: str) -> pb.Reply:
    reply: pb.Reply = admin(cluster, name, "CreateClient", pb.Client(CID=cid, data='{"name": "x"}'))
    return reply


def client_exists(cluster: Cluster, name: str, cid: str) -> bool:
    found: pb.Client = admin(cluster, name, "RetrieveClient", pb.ID(ID=cid))
    return found.CID == cid


def until(check: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
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


def leader(cluster: Cluster, among: list[str] | None = None) -> str:
    """The leader every running server (or every one of `among`) agrees on."""
    names = among or running(cluster)

    def agreed() -> str | None:
        seen = {status(cluster, name)["leader"] for name in names}
        found = seen.pop() if len(seen) == 1 else None
        return found if found in names else None

    chosen: str = until(agreed, f"one leader agreed on by {', '.join(names)}")
    return chosen


def converged(cluster: Cluster, names: list[str] | None = None) -> str:
    """Wait until the servers hold the same state; return its digest."""
    names = names or running(cluster)

    def same() -> str | None:
        digests = {status(cluster, name)["digest"] for name in names}
        return digests.pop() if len(digests) == 1 else None

    digest: str = until(same, f"equal digests on {', '.join(names)}")
    return digest


def stock(cluster: Cluster, name: str, pid: str) -> int:
    found: pb.Product = admin(cluster, name, "RetrieveProduct", pb.ID(ID=pid))
    return int(json.loads(found.data)["quantity"])


@dataclass
class Writers:
    """Threads creating clients with fresh CIDs on the live servers, noting each answer."""

    cluster: Cluster
    prefix: str
    threads: int = 4
    acked: dict[str, float] = field(default_factory=dict)  # CID -> when it was acknowledged
    refused: list[str] = field(default_factory=list)  # 503 descriptions
    unexpected: list[str] = field(default_factory=list)  # any other refusal
    down: set[str] = field(default_factory=set)  # servers not to call
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> "Writers":
        for n in range(self.threads):
            self._workers.append(threading.Thread(target=self._write, args=(n,)))
            self._workers[-1].start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join()

    def _write(self, lane: int) -> None:
        count = 0
        while not self._stop.is_set():
            live = [name for name in running(self.cluster) if name not in self.down]
            if not live:
                time.sleep(0.01)
                continue
            cid = f"{self.prefix}-{lane}-{count}"
            count += 1
            try:
                reply = create_client(self.cluster, live[count % len(live)], cid)
            except grpc.RpcError:
                continue  # the server died mid-call: this write's outcome is unknown
            with self._lock:
                if reply.error == 0:
                    self.acked[cid] = time.monotonic()
                elif reply.error == 503:
                    self.refused.append(reply.description)
                else:
                    self.unexpected.append(f"{cid}: {reply.error} {reply.description}")
            if reply.error:
                time.sleep(0.01)  # let an election finish rather than spin on it

    def acked_after(self, moment: float) -> int:
        with self._lock:
            return sum(1 for when in self.acked.values() if when > moment)
