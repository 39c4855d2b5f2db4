"""The final states: a node without the admin portal is judged on its digest alone."""

from pathlib import Path

import grpc

from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from loadtests.compare.replicas import final_states, settle
from proto import api_pb2, api_pb2_grpc


def test_an_order_only_server_gives_its_digest_and_no_stock(tmp_path: Path) -> None:
    nodes = (
        NodeConfig("s1", port=0, portals=("admin",)),
        NodeConfig("s2", port=0, portals=("order",)),
        NodeConfig("s3", port=0),
    )
    with Cluster(ClusterConfig("pysyncobj-raft", nodes=nodes), tmp_path) as cluster:
        addresses = {server.config.name: server.address for server in cluster.servers}
        channels = {name: grpc.insecure_channel(address) for name, address in addresses.items()}
        try:
            admin = api_pb2_grpc.AdminPortalStub(channels["s1"])
            data = '{"name": "pen", "price": 1.5, "quantity": 7}'
            assert admin.CreateProduct(api_pb2.Product(PID="9", data=data), timeout=10).error == 0
            groups = dict.fromkeys(channels, "replicas")
            settle(channels, groups, timeout=30)
            states, notes = final_states(channels, groups, ["9"])
        finally:
            for channel in channels.values():
                channel.close()
    assert notes == []
    assert set(states) == {"s1", "s2", "s3"}
    assert states["s2"].stock == {}  # it serves no RetrieveProduct
    assert states["s1"].stock == states["s3"].stock == {"9": 7}
    assert len({state.digest for state in states.values()}) == 1
