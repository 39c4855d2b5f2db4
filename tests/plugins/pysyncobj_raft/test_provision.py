"""Completing a cluster for this machine, keeping what the cluster file already says."""

from pathlib import Path

from core.config import ClusterConfig, ServerConfig, parse_address
from plugins.pysyncobj_raft.provision import provision


def test_each_node_gets_a_loopback_raft_port_and_a_data_dir_in_the_workdir(
    tmp_path: Path,
) -> None:
    config = ClusterConfig(
        "pysyncobj-raft", servers=tuple(ServerConfig(f"s{n}") for n in (1, 2, 3))
    )
    with provision(config, tmp_path) as provisioned:
        settings = [server.settings for server in provisioned.config.servers]
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
        "pysyncobj-raft", servers=(ServerConfig("s1", settings=given), ServerConfig("s2"))
    )
    with provision(config, tmp_path) as provisioned:
        first, second = provisioned.config.servers
    assert first.settings == given
    assert second.settings["raft_address"].startswith("127.0.0.1:")
