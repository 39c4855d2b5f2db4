"""Acknowledged writes read back from a real memory server: kept, lost, and all lost."""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from loadtests.calls import RPCS, answered, arguments, outcome_trailer, request
from loadtests.compare.readback import ABSENT, expectations, read_back
from loadtests.history import Operation
from tests.loadtests.support import call

PEN = {"name": "pen", "price": 2, "quantity": 5}


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    config = ClusterConfig("memory", nodes=(NodeConfig("s1", port=0),))
    with Cluster(config, workdir=tmp_path) as running:
        yield running


def _send(channel: grpc.Channel, op: str, **fields: Any) -> Operation:
    """One real call, recorded as the load's users record it."""
    rpc = RPCS[op]
    method = channel.unary_unary(
        rpc.path,
        request_serializer=rpc.request.SerializeToString,
        response_deserializer=rpc.response.FromString,
    )
    message = request(rpc, **fields)
    invoke = time.monotonic()
    reply, state = method.with_call(message, timeout=5.0)
    complete = time.monotonic()
    outcome, result = answered(reply, outcome_trailer(state.trailing_metadata()))
    return Operation("u1", "s1", op, arguments(message), invoke, complete, outcome, result)


def _shop(cluster: Cluster) -> list[Operation]:
    with grpc.insecure_channel(cluster.servers[0].address) as channel:
        return [
            _send(channel, "CreateClient", CID="c1", data={"name": "Ana"}),
            _send(channel, "UpdateClient", CID="c1", data={"name": "Bia"}),
            _send(channel, "CreateProduct", PID="p1", data=PEN),
            _send(channel, "CreateOrder", OID="o1", CID="c1", data=json.dumps(
                {"products": [{"PID": "p1", "quantity": 2}]})),
            _send(channel, "CreateClient", CID="gone", data={"name": "Cy"}),
            _send(channel, "DeleteClient", ID="gone"),
        ]  # fmt: skip


def _servers(cluster: Cluster) -> dict[str, str]:
    return {s.name: s.address for s in cluster.servers if s.group is not None}


def test_writes_the_server_kept_are_not_lost(cluster: Cluster) -> None:
    history = _shop(cluster)
    assert {o.outcome for o in history} == {"ok"} and history[0].result["outcome"] == "done"
    found = read_back(_servers(cluster), history)
    # Deleted records are not expected; the client's last update is checked by its data.
    assert found.checked == 4 and found.servers == ("s1",)
    assert found.lost == () and found.lost_acknowledged_writes == 0


def test_an_acknowledged_write_the_server_does_not_show_is_lost(cluster: Cluster) -> None:
    history = _shop(cluster)
    # Acknowledged, as a broken strategy might, but never applied.
    after = history[-1].complete + 1
    missing = call("CreateClient", "c9", after, after + 0.1, {"name": "Dee"})
    overwritten = call("UpdateClient", "c1", after, after + 0.1, {"name": "Eve"})
    found = read_back(_servers(cluster), [*history, missing, overwritten])
    assert found.lost_acknowledged_writes == 2 and found.by_server() == {"s1": 2}
    lost = {(lost.write.op, lost.write.key): lost.found for lost in found.lost}
    assert lost == {("CreateClient", "c9"): None, ("UpdateClient", "c1"): {"name": "Bia"}}


def test_a_restart_of_the_memory_server_loses_every_acknowledged_write(cluster: Cluster) -> None:
    history = _shop(cluster)
    cluster.kill("s1")
    cluster.start_node("s1")  # in place: same address, an empty state
    found = read_back(_servers(cluster), history)
    assert found.lost_acknowledged_writes == found.checked == 4


def test_a_server_that_does_not_answer_is_noted_not_counted(cluster: Cluster) -> None:
    history = _shop(cluster)
    cluster.kill("s1")
    found = read_back(_servers(cluster), history)
    assert found.servers == () and found.lost_acknowledged_writes == 0
    assert found.notes == ("s1 could not be read back: UNAVAILABLE",)


def test_only_the_last_write_by_the_history_alone_fixes_a_clients_data() -> None:
    created = call("CreateClient", "c1", 0.0, 0.5, {"name": "Z"})
    first = call("UpdateClient", "c1", 1.0, 3.0, {"name": "A"})
    overlapping = call("UpdateClient", "c1", 2.0, 4.0, {"name": "B"})  # either may be last
    later = call("UpdateClient", "c1", 5.0, 6.0, {"name": "C"})
    unknown = call("UpdateClient", "c1", 0.1, 0.2, {"name": "?"}, error=-1, outcome="unknown")

    def data(history: list[Operation]) -> list[Any]:
        return [e.data for e in expectations(history)]

    assert data([created, first, overlapping]) == [ABSENT] * 3  # each must exist, no more
    assert data([created, first, later]) == [ABSENT, ABSENT, {"name": "C"}]
    assert data([created, later, unknown]) == [ABSENT, ABSENT]  # "?" may have landed last
