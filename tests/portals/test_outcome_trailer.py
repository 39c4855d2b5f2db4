"""The portal turns a reply's certainty into the `testbed-outcome` trailer, 500s included."""

from collections.abc import Iterator

import grpc
import pytest

from core.config import ClusterConfig, NodeConfig
from core.domain import Certainty, Code, Command, Reply
from core.portals.server import start
from core.strategy import NodeContext
from plugins.memory import MemoryReplicator
from proto import api_pb2 as pb
from proto import api_pb2_grpc


class Answering(MemoryReplicator):
    """Answers every write with `reply`, or fails with a bug when it is None."""

    reply: Reply | None = None

    def execute(self, command: Command) -> Reply:
        if self.reply is None:
            raise RuntimeError("a bug in the strategy")
        return self.reply


@pytest.fixture
def portal() -> Iterator[tuple[Answering, api_pb2_grpc.AdminPortalStub]]:
    cluster, node = ClusterConfig(), NodeConfig("s1", port=0)
    replicator = Answering(NodeContext(node, cluster, {}))
    running = start(cluster, node, replicator)
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        yield replicator, api_pb2_grpc.AdminPortalStub(channel)
    running.stop(grace=1)


@pytest.mark.parametrize(
    ("reply", "code", "trailer"),
    [
        (Reply(Code.UNAVAILABLE, "no leader; nothing changed", Certainty.NONE), 503, "none"),
        (Reply(Code.UNAVAILABLE, "no answer; it may commit", Certainty.UNKNOWN), 503, "unknown"),
        (None, 500, "unknown"),
    ],
)
def test_a_write_that_may_or_may_not_have_happened_says_so(
    portal: tuple[Answering, api_pb2_grpc.AdminPortalStub],
    reply: Reply | None,
    code: int,
    trailer: str,
) -> None:
    replicator, stub = portal
    replicator.reply = reply
    answer, call = stub.CreateClient.with_call(pb.Client(CID="c1", data='{"name": "a"}'), timeout=5)
    assert answer.error == code
    assert ("testbed-outcome", trailer) in call.trailing_metadata()
