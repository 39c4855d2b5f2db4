"""Server lifecycle: graceful shutdown, busy ports, and in-flight calls finishing."""

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
import pytest

from core.config import ClusterConfig, NodeConfig
from core.domain import Command, Reply
from core.portals.server import start
from core.strategy import NodeContext
from plugins.memory import MemoryReplicator
from proto import api_pb2 as pb
from proto import api_pb2_grpc


def _serve(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    ready = tmp_path / "ready.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "core.cli.main", "serve", "--port", "0",
         "--ready-file", str(ready), *extra],
        stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while not ready.exists():
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    return process, json.loads(ready.read_text())["address"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_server_cleanly(tmp_path: Path, signum: int) -> None:
    process, address = _serve(tmp_path)
    with grpc.insecure_channel(address) as channel:
        stub = api_pb2_grpc.AdminPortalStub(channel)
        assert stub.CreateClient(pb.Client(CID="1", data='{"name": "a"}'), timeout=5).error == 0
    process.send_signal(signum)
    assert process.wait(timeout=15) == 0
    assert process.stderr is not None
    assert b"Traceback" not in process.stderr.read()


def test_a_busy_port_is_refused_not_shared(tmp_path: Path) -> None:
    first, address = _serve(tmp_path)
    try:
        port = address.rsplit(":", 1)[1]
        second = subprocess.run(
            [sys.executable, "-m", "core.cli.main", "serve", "--port", port],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert second.returncode == 1  # a runtime refusal, not a usage mistake
        assert (
            second.stderr == f"testbed serve: cannot listen on {address}: port {port} is in use\n"
        )
    finally:
        first.terminate()
        first.wait(timeout=15)


class SlowReplicator(MemoryReplicator):
    """Takes its time over every write, so a call is in flight when shutdown begins."""

    def execute(self, command: Command) -> Reply:
        time.sleep(0.5)
        return super().execute(command)


def test_in_flight_calls_finish_during_shutdown() -> None:
    cluster = ClusterConfig()
    node = NodeConfig("s1", port=0)
    running = start(cluster, node, SlowReplicator(NodeContext(node, cluster, {})))
    results: list[int] = []
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = api_pb2_grpc.AdminPortalStub(channel)
        calls = [
            threading.Thread(
                target=lambda n=n: results.append(
                    stub.CreateClient(pb.Client(CID=str(n), data='{"name": "x"}'), timeout=10).error
                )
            )
            for n in range(1, 5)
        ]
        for call in calls:
            call.start()
        time.sleep(0.2)  # the calls are now inside execute()
        running.stop(grace=5)
        for call in calls:
            call.join()
        assert results == [0, 0, 0, 0]
        with pytest.raises(grpc.RpcError):
            stub.CreateClient(pb.Client(CID="9", data='{"name": "x"}'), timeout=2)
