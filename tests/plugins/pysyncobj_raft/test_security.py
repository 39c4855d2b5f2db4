"""The Raft transport's trust boundary: loopback by default, a shared secret beyond it.

PySyncObj frames each message as a length and zlib-compressed pickle, encrypted and
authenticated with the password when one is set. The probe below speaks that framing
in plain text, as any process that can reach the port could.
"""

import pickle
import socket
import struct
import zlib
from collections.abc import Iterator

from core.launcher import Cluster
from tests.plugins.pysyncobj_raft.conftest import StartCluster
from tests.plugins.pysyncobj_raft.support import (
    client_exists,
    create_client,
    leader,
    running,
    status,
)


def plain_text_status_probe(raft_address: str) -> bytes:
    """Ask a Raft port for PySyncObj's status in plain text; b"" if it hangs up."""
    host, port = raft_address.rsplit(":", 1)
    message = zlib.compress(pickle.dumps(["status"]))
    with socket.create_connection((host, int(port)), timeout=5) as probe:
        probe.sendall(struct.pack("i", len(message)) + message)
        return probe.recv(65536)


def raft_address(cluster: Cluster, name: str) -> str:
    address: str = cluster.node(name).config.settings["raft_address"]
    return address


def test_without_a_password_the_raft_port_answers_any_local_process(
    shared_cluster: Cluster,
) -> None:
    name = shared_cluster.servers[0].name
    assert raft_address(shared_cluster, name).startswith("127.0.0.1:")
    assert plain_text_status_probe(raft_address(shared_cluster, name)) != b""


def test_with_a_password_peers_replicate_and_strangers_are_hung_up_on(
    start_cluster: StartCluster, ids: Iterator[str]
) -> None:
    cluster = start_cluster(password="correct horse battery staple")
    chief = leader(cluster)
    follower, other = (name for name in running(cluster) if name != chief)
    cid = next(ids)
    assert create_client(cluster, follower, cid).error == 0
    assert client_exists(cluster, other, cid)
    for name in running(cluster):
        assert status(cluster, name)["details"]["encrypted"] is True
        assert plain_text_status_probe(raft_address(cluster, name)) == b""
