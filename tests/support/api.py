"""A test's view of a running cluster: RPCs by name, spread over the servers.

Writes go round-robin over the servers that host the RPC's portal. On a strategy
that only promises eventual consistency, a read first waits until every replica has
the same digest ("reads after settling"), so the contract suite runs unchanged.
"""

import itertools
import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc

from core.launcher import Cluster
from core.portals.control import fetch_status
from proto import api_pb2_grpc

READS = {"RetrieveClient", "RetrieveProduct", "RetrieveOrder", "RetrieveClientOrders"}
ADMIN_RPCS = {
    "CreateClient", "RetrieveClient", "UpdateClient", "DeleteClient",
    "CreateProduct", "RetrieveProduct", "UpdateProduct", "DeleteProduct",
}  # fmt: skip
TIMEOUT_S = 10.0


class Api:
    def __init__(self, cluster: Cluster, eventual: bool) -> None:
        self.cluster = cluster
        self.eventual = eventual
        self._channels: dict[str, grpc.Channel] = {}
        self._next = {
            portal: itertools.cycle(cluster.addresses(portal)) for portal in ("admin", "order")
        }

    def channel(self, address: str) -> grpc.Channel:
        if address not in self._channels:
            self._channels[address] = grpc.insecure_channel(address)
        return self._channels[address]

    def stub(self, portal: str, address: str | None = None) -> Any:
        address = address or next(self._next[portal])
        channel = self.channel(address)
        if portal == "admin":
            return api_pb2_grpc.AdminPortalStub(channel)
        return api_pb2_grpc.OrderPortalStub(channel)

    def __getattr__(self, rpc: str) -> Callable[[Any], Any]:
        if not rpc[:1].isupper():
            raise AttributeError(rpc)
        portal = "admin" if rpc in ADMIN_RPCS else "order"

        def call(request: Any, address: str | None = None) -> Any:
            if rpc in READS and self.eventual:
                self.settle()
            method = getattr(self.stub(portal, address), rpc)
            result = method(request, timeout=TIMEOUT_S)
            return list(result) if rpc == "RetrieveClientOrders" else result

        return call

    def digests(self) -> dict[str, str]:
        return {
            address: fetch_status(self.channel(address))["digest"]
            for address in self.cluster.addresses()
        }

    def settle(self, timeout: float = 15.0) -> None:
        """Wait until every replica holds the same state."""
        deadline = time.monotonic() + timeout
        while len(set(self.digests().values())) > 1:
            if time.monotonic() > deadline:
                raise AssertionError(f"replicas did not converge in {timeout} s")
            time.sleep(0.02)

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()


def unique_ids(prefix: str) -> Iterator[str]:
    """IDs no other test uses, so tests can share one cluster."""
    return (f"{prefix}-{n}" for n in itertools.count(1))
