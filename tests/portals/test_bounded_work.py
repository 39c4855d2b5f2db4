"""Bounded work (SPEC.md): clients that never read, or never send, cannot hold the server.

The hostile clients speak raw HTTP/2 (tests/portals/slow_clients.py) so that they can do
what grpcio's client never does: announce a window of 0 and never open it.
"""

import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from core.config import ClusterConfig, GrpcConfig, NodeConfig
from core.portals.connections import raise_file_limit
from core.portals.server import RunningServer, start
from core.strategy import NodeContext
from plugins.memory import MemoryReplicator
from proto import api_pb2 as pb
from proto import api_pb2_grpc
from tests.portals.slow_clients import UnreadStreams, idle_connections

CID = "many-orders"
ORDERS = 30  # each stream has far more to send than a window of 0 lets through
STREAMS_PATH = "/OrderPortal/RetrieveClientOrders"
SERVING = health_pb2.HealthCheckResponse.SERVING
NORMAL_DEADLINE_S = 1.0  # SPEC.md: a normal client's call is answered within a second


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.02)


@contextmanager
def serving(settings: GrpcConfig) -> Iterator[RunningServer]:
    cluster = ClusterConfig(grpc=settings)
    node = NodeConfig("s1", port=0)
    running = start(cluster, node, MemoryReplicator(NodeContext(node, cluster, {})))
    try:
        with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            admin = api_pb2_grpc.AdminPortalStub(channel)
            order = api_pb2_grpc.OrderPortalStub(channel)
            assert admin.CreateClient(pb.Client(CID=CID, data='{"name": "n"}')).error == 0
            product = '{"name": "p", "price": "1.50", "quantity": 1000}'
            assert admin.CreateProduct(pb.Product(PID="p", data=product)).error == 0
            for n in range(ORDERS):
                items = '{"products": [{"PID": "p", "quantity": 1}]}'
                assert order.CreateOrder(pb.Order(OID=f"o{n}", CID=CID, data=items)).error == 0
        yield running
    finally:
        running.stop(grace=1)


def unread_streams(running: RunningServer, count: int, body: bytes | None = None) -> UnreadStreams:
    request = pb.ID(ID=CID).SerializeToString() if body is None else body
    return UnreadStreams("127.0.0.1", running.port, STREAMS_PATH, request, count, 10)


def normal_client_calls(port: int, n: int) -> float:
    """A normal client's calls on a connection of its own; returns the slowest (s)."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        admin = api_pb2_grpc.AdminPortalStub(channel)
        order = api_pb2_grpc.OrderPortalStub(channel)
        health = health_pb2_grpc.HealthStub(channel)
        new_client = pb.Client(CID=f"normal{n}", data='{"name": "m"}')
        calls: list[tuple[Callable[[], object], object]] = [
            (lambda: admin.RetrieveClient(pb.ID(ID=CID), timeout=1).CID, CID),
            (lambda: admin.CreateClient(new_client, timeout=1).error, 0),
            (lambda: len(list(order.RetrieveClientOrders(pb.ID(ID=CID), timeout=1))), ORDERS),
            (lambda: health.Check(health_pb2.HealthCheckRequest(), timeout=1).status, SERVING),
        ]
        slowest = 0.0
        for call, expected in calls:
            started = time.monotonic()
            assert call() == expected
            slowest = max(slowest, time.monotonic() - started)
    return slowest


@pytest.fixture
def file_budget() -> None:
    """Room for 1,000 idle connections and the streams, both ends in this process."""
    raise_file_limit()
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 3000:
        pytest.skip(f"needs about 3,000 file descriptors; this process may open {soft}")


@pytest.mark.usefixtures("file_budget")
def test_a_normal_client_is_answered_while_slow_clients_hold_the_server() -> None:
    with serving(GrpcConfig()) as running:
        idle = idle_connections("127.0.0.1", running.port, 1000)
        hostile = unread_streams(running, 200)
        never_sent = UnreadStreams(
            "127.0.0.1", running.port, "/AdminPortal/RetrieveClient", None, 50, 10
        )  # requests that never come hold a thread each, but no call waits for one
        try:
            wait_for(lambda: running.streams.open_streams() == 200, 20, "200 streams held")
            assert hostile.ended_count() == 0  # they are stuck, not finished
            assert normal_client_calls(running.port, 1) < NORMAL_DEADLINE_S
        finally:
            hostile.close()
            never_sent.close()
            for sock in idle:
                sock.close()
        wait_for(lambda: running.streams.open_streams() == 0, 5, "the streams to be freed")
        assert normal_client_calls(running.port, 2) < NORMAL_DEADLINE_S
        again = unread_streams(running, 200)  # every stream slot is free again
        try:
            wait_for(lambda: running.streams.open_streams() == 200, 20, "200 new streams")
        finally:
            again.close()


def test_streams_beyond_the_bound_are_refused_at_once() -> None:
    with serving(GrpcConfig(workers=16, max_streams=4)) as running:
        hostile = unread_streams(running, 4)
        try:
            wait_for(lambda: running.streams.open_streams() == 4, 10, "4 streams held")
            with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
                order = api_pb2_grpc.OrderPortalStub(channel)
                started = time.monotonic()
                with pytest.raises(grpc.RpcError) as refused:
                    list(order.RetrieveClientOrders(pb.ID(ID=CID), timeout=5))
                assert time.monotonic() - started < NORMAL_DEADLINE_S
                assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                assert "max_streams" in str(refused.value.details())
                admin = api_pb2_grpc.AdminPortalStub(channel)
                assert admin.RetrieveClient(pb.ID(ID=CID), timeout=1).CID == CID
        finally:
            hostile.close()


def test_calls_beyond_the_workers_are_refused_at_once() -> None:
    with serving(GrpcConfig(workers=8, max_streams=4)) as running:
        never_sent = UnreadStreams(
            "127.0.0.1", running.port, "/AdminPortal/RetrieveClient", None, 8, 8
        )
        try:
            with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
                admin = api_pb2_grpc.AdminPortalStub(channel)

                def refused() -> bool:
                    try:
                        admin.RetrieveClient(pb.ID(ID=CID), timeout=1)
                    except grpc.RpcError as error:
                        return error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                    return False

                wait_for(refused, 10, "a call beyond 8 in flight to be refused")
        finally:
            never_sent.close()
        # The server ends the held calls once it notices their connections closed: SPEC.md
        # gives it seconds to be fully back, then a normal call takes its normal time.
        wait_for(lambda: not refused_now(running.port), 5, "the workers to be free again")
        assert normal_client_calls(running.port, 1) < NORMAL_DEADLINE_S


def refused_now(port: int) -> bool:
    """Whether a call now gets RESOURCE_EXHAUSTED (it answers anything else: False)."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            api_pb2_grpc.AdminPortalStub(channel).RetrieveClient(pb.ID(ID=CID), timeout=1)
        except grpc.RpcError as error:
            return error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    return False


def test_an_unread_stream_is_cancelled_after_the_timeout() -> None:
    timeout = 0.5
    with serving(GrpcConfig(stream_timeout_seconds=timeout)) as running:
        started = time.monotonic()
        hostile = unread_streams(running, 3)
        try:
            wait_for(lambda: hostile.ended_count() == 3, 10, "the unread streams to be cancelled")
            assert time.monotonic() - started >= timeout
            assert set(hostile.statuses()) <= {"reset", str(grpc.StatusCode.CANCELLED.value[0])}
            wait_for(lambda: running.streams.open_streams() == 0, 5, "the streams to be freed")
        finally:
            hostile.close()
        assert normal_client_calls(running.port, 1) < NORMAL_DEADLINE_S


def test_an_unread_health_watch_blocks_neither_checks_nor_shutdown() -> None:
    with serving(GrpcConfig()) as running:
        request = health_pb2.HealthCheckRequest(service="").SerializeToString()
        watches = UnreadStreams(
            "127.0.0.1", running.port, "/grpc.health.v1.Health/Watch", request, 5, 5
        )
        try:
            wait_for(lambda: running.streams.open_streams() == 5, 10, "5 watches held")
            assert normal_client_calls(running.port, 1) < NORMAL_DEADLINE_S
            started = time.monotonic()
            running.health.enter_graceful_shutdown()  # sends NOT_SERVING to every watch
            assert time.monotonic() - started < NORMAL_DEADLINE_S
        finally:
            watches.close()
