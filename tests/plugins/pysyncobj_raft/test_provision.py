"""Completing a cluster for this machine, keeping what the cluster file already says."""

from pathlib import Path

from core.config import ClusterConfig, NodeConfig, parse_address
from plugins.pysyncobj_raft.provision import provision


def test_each_node_gets_a_loopback_raft_port_and_a_data_dir_in_the_workdir(
    tmp_path: Path,
) -> None:
    config = ClusterConfig("pysyncobj-raft", nodes=tuple(NodeConfig(f"s{n}") for n in (1, 2, 3)))
    settings = [server.settings for server in provision(config, tmp_path).servers]
    hosts, ports = zip(*(parse_address(s["raft_address"]) for s in settings), strict=True)
    assert set(hosts) == {"127.0.0.1"}
    assert len(set(ports)) == 3 and 0 not in ports
    expected = [(tmp_path / "raft" / f"s{n}").resolve() for n in (1, 2, 3)]
    assert [Path(s["data_dir"]) for s in settings] == expected


def test_settings_the_file_gives_are_kept(tmp_path: Path) -> None:
    given = {
        "raft_address": "10.0.0.7:4321",
        "data_dir": "/var/lib/testbed/s1",
        "raft_bind": "0.0.0.0:4321",
    }
    config = ClusterConfig(
        "pysyncobj-raft", nodes=(NodeConfig("s1", settings=given), NodeConfig("s2"))
    )
    first, second = provision(config, tmp_path).servers
    assert first.settings == given
    assert second.settings["raft_address"].startswith("127.0.0.1:")


def test_a_server_on_its_own_loopback_address_gets_its_raft_port_there(tmp_path: Path) -> None:
    config = ClusterConfig("pysyncobj-raft", nodes=(NodeConfig("s1", host="127.0.0.5"),))
    (server,) = provision(config, tmp_path).servers
    assert parse_address(server.settings["raft_address"])[0] == "127.0.0.5"
