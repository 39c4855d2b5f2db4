"""The launcher: any node by name, in place, whatever its kind; the topology's limits."""

import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from core import registry
from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster, LaunchError
from core.portals.control import fetch_status
from proto import api_pb2 as pb
from proto import api_pb2_grpc

CALL_S = 10.0


def create(address: str, cid: str, timeout: float = CALL_S) -> pb.Reply:
    with grpc.insecure_channel(address) as channel:
        stub = api_pb2_grpc.AdminPortalStub(channel)
        reply: pb.Reply = stub.CreateClient(
            pb.Client(CID=cid, data='{"name": "x"}'), timeout=timeout
        )
        return reply


def exists(address: str, cid: str) -> bool:
    with grpc.insecure_channel(address) as channel:
        found = api_pb2_grpc.AdminPortalStub(channel).RetrieveClient(pb.ID(ID=cid), timeout=CALL_S)
        return bool(found.CID == cid)


@pytest.fixture
def memory(tmp_path: Path) -> Iterator[Cluster]:
    config = ClusterConfig("memory", nodes=(NodeConfig("s1", port=0),))
    with Cluster(config, tmp_path) as cluster:
        yield cluster


def test_a_killed_node_starts_again_on_its_own_address(memory: Cluster) -> None:
    (server,) = memory.servers
    address, pid = server.address, server.pid
    assert create(address, "before-kill").error == 0
    memory.kill("s1")
    assert not server.running
    memory.start_node("s1")
    assert (server.address, server.running) == (address, True)
    assert server.pid != pid
    assert not exists(address, "before-kill"), "memory keeps its state in the process only"


def test_a_restart_is_graceful_and_in_place(memory: Cluster) -> None:
    (server,) = memory.servers
    address = server.address
    memory.restart("s1")
    assert server.address == address
    assert create(address, "after-restart").error == 0


def test_a_paused_node_answers_nothing_until_it_is_resumed(memory: Cluster) -> None:
    (server,) = memory.servers
    memory.pause("s1")
    try:
        with pytest.raises(grpc.RpcError) as caught:
            create(server.address, "while-paused", timeout=0.5)
        assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    finally:
        memory.resume("s1")
    assert create(server.address, "after-resume").error == 0


def test_a_paused_node_still_stops_with_the_cluster(tmp_path: Path) -> None:
    config = ClusterConfig("memory", nodes=(NodeConfig("s1", port=0),))
    with Cluster(config, tmp_path) as cluster:
        cluster.pause("s1")
        (server,) = cluster.servers
    assert not server.running


def test_the_ready_file_lists_every_node_with_its_kind_group_address_and_pid(
    memory: Cluster,
) -> None:
    described = json.loads(json.dumps(memory.describe()))
    (server,) = memory.servers
    assert described["servers"] == [
        {"name": "s1", "address": server.address, "portals": ["admin", "order"], "pid": server.pid}
    ]
    assert described["nodes"] == [
        {"name": "s1", "kind": "server", "group": "replicas", "address": server.address,
         "pid": server.pid, "software": None}
    ]  # fmt: skip


def test_the_status_names_the_nodes_kind_and_group(memory: Cluster) -> None:
    with grpc.insecure_channel(memory.servers[0].address) as channel:
        status = fetch_status(channel)
    assert (status["kind"], status["group"], status["role"]) == ("server", "replicas", "single")


def test_a_node_is_found_by_name_or_the_error_lists_them(memory: Cluster) -> None:
    assert memory.node("s1") is memory.servers[0]
    with pytest.raises(LaunchError, match="its nodes are: s1"):
        memory.node("s9")


def test_the_topology_bounds_the_count_of_each_kind(tmp_path: Path) -> None:
    two = ClusterConfig("memory", nodes=(NodeConfig("s1", port=0), NodeConfig("s2", port=0)))
    with pytest.raises(LaunchError, match="runs at most 1 server node"):
        Cluster(two, tmp_path).start()


def test_a_node_of_a_kind_the_strategy_does_not_run_is_refused(tmp_path: Path) -> None:
    config = ClusterConfig(
        "memory", nodes=(NodeConfig("s1", port=0), NodeConfig("b", port=0, kind="broker"))
    )
    with pytest.raises(LaunchError, match="runs no broker nodes"):
        Cluster(config, tmp_path).start()


def test_a_value_against_the_strategys_rules_is_refused_before_anything_starts(
    tmp_path: Path,
) -> None:
    config = ClusterConfig(
        "pysyncobj-raft-partitioned", {"replicas": 0}, (NodeConfig("s1", port=0),)
    )
    with pytest.raises(ValueError, match="option replicas must be at least 1, not 0"):
        Cluster(config, tmp_path)
    assert not any(tmp_path.iterdir())


def test_a_node_the_strategy_refuses_while_provisioning_is_a_launch_error(
    tmp_path: Path,
) -> None:
    # What the runner of `testbed compare` reports as "not measured", not a traceback.
    misplaced = NodeConfig("far", port=0, kind="replica", settings={"partition": 5})
    config = ClusterConfig("pysyncobj-raft-partitioned", {}, (NodeConfig("s1", port=0), misplaced))
    cluster = Cluster(config, tmp_path)
    with pytest.raises(LaunchError, match="replica 'far' needs partition = N"):
        cluster.start()
    assert cluster.nodes == []


def test_built_in_kinds_register_through_the_same_hook_as_plugins() -> None:
    kinds = registry.node_kinds()
    assert {"server", "broker"} <= kinds.keys()
    assert kinds["broker"].stateful is False


def test_distinct_addresses_give_each_node_its_own_loopback_address(tmp_path: Path) -> None:
    config = ClusterConfig("memory", nodes=(NodeConfig("s1", port=0),))
    with Cluster(config, tmp_path, distinct_addresses=True) as cluster:
        (server,) = cluster.servers
        host = server.address.rsplit(":", 1)[0]
        assert host.startswith("127.") and host != "127.0.0.1"
        assert create(server.address, "own-address").error == 0


def test_a_node_started_again_from_a_thread_that_ends_outlives_that_thread(
    memory: Cluster,
) -> None:
    """The parent-death signal follows the spawning thread; faults restart from theirs."""
    memory.kill("s1")
    restarter = threading.Thread(target=memory.start_node, args=("s1",))
    restarter.start()
    restarter.join()
    (server,) = memory.servers
    with pytest.raises(subprocess.TimeoutExpired):
        server.process.wait(timeout=2.0)  # a SIGTERM from the kernel would end it by now
    assert create(server.address, "after-thread").error == 0
