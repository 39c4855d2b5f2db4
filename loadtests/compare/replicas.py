"""After the load: poll every replica's digest until each group agrees, then read its state.

The polls (`DigestSample`) time the convergence; the final snapshot is each
replica's digest and its stock of every product the history names, read from that
server (an eventual strategy answers from its own replica); a node that serves no
admin portal (a partition's storage replica) gives its digest only. Digests are
compared within a replica group only.
"""

import json
import time
from collections.abc import Iterable, Mapping
from typing import Any, Final

import grpc

from core.portals.control import fetch_status
from loadtests.checkers.records import stock
from loadtests.history import DigestSample, Operation, Replicas, ReplicaState
from proto import api_pb2, api_pb2_grpc

POLL_S: Final = 0.05
RPC_TIMEOUT_S: Final = 5.0


def products(history: Iterable[Operation]) -> list[str]:
    return sorted({o.key for o in history if o.table == "products" and o.key is not None})


def _digests(channels: Mapping[str, grpc.Channel]) -> dict[str, str]:
    found = {}
    for name, channel in channels.items():
        try:
            found[name] = str(fetch_status(channel, RPC_TIMEOUT_S)["digest"])
        except grpc.RpcError:
            continue  # a server that does not answer is left out of this poll
    return found


def _agree(digests: Mapping[str, str], groups: Mapping[str, str]) -> bool:
    if digests.keys() != groups.keys():
        return False
    per_group: dict[str, set[str]] = {}
    for name, group in groups.items():
        per_group.setdefault(group, set()).add(digests[name])
    return all(len(seen) == 1 for seen in per_group.values())


def settle(
    channels: Mapping[str, grpc.Channel], groups: Mapping[str, str], timeout: float
) -> list[DigestSample]:
    """Poll until every replica answers, one digest per group, or `timeout` seconds pass."""
    samples: list[DigestSample] = []
    deadline = time.monotonic() + timeout
    while True:
        digests = _digests(channels)
        samples.append(DigestSample(time.monotonic(), digests))
        if _agree(digests, groups):
            return samples
        if time.monotonic() > deadline:
            return samples
        time.sleep(POLL_S)


def _stock(channel: grpc.Channel, pids: Iterable[str]) -> dict[str, int]:
    """Its stock of each product it holds; none from a node without the admin portal
    (a storage replica, an order-only server): its digest alone then speaks for it."""
    stub: Any = api_pb2_grpc.AdminPortalStub(channel)
    found = {}
    for pid in pids:
        try:
            product = stub.RetrieveProduct(api_pb2.ID(ID=pid), timeout=RPC_TIMEOUT_S)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.UNIMPLEMENTED:
                return {}
            raise
        if product.PID == "0":
            continue  # not found: deleted, or never created on this server
        try:
            quantity = stock(json.loads(product.data))
        except ValueError:
            quantity = None
        if quantity is not None:
            found[pid] = quantity
    return found


def final_states(
    channels: Mapping[str, grpc.Channel], groups: Mapping[str, str], pids: Iterable[str]
) -> tuple[dict[str, ReplicaState], list[str]]:
    """Each answering server's digest and stock; notes name the servers that did not answer."""
    states, notes = {}, []
    wanted = list(pids)
    for name, channel in channels.items():
        try:
            digest = str(fetch_status(channel, RPC_TIMEOUT_S)["digest"])
            states[name] = ReplicaState(digest, _stock(channel, wanted), groups[name])
        except grpc.RpcError as error:
            notes.append(f"{name} left out of the final states: {error.code().name}")
    return states, notes


def collect(
    replicas: Mapping[str, tuple[str, str]],
    history: Iterable[Operation],
    timeout: float,
    stopped: float,
) -> tuple[Replicas, list[str]]:
    """`replicas`: name -> (HOST:PORT, group); `stopped`: when the load stopped (monotonic)."""
    channels = {name: grpc.insecure_channel(address) for name, (address, _) in replicas.items()}
    groups = {name: group for name, (_, group) in replicas.items()}
    try:
        samples = settle(channels, groups, timeout)
        states, notes = final_states(channels, groups, products(history))
    finally:
        for channel in channels.values():
            channel.close()
    return Replicas(states, tuple(samples), stopped), notes
