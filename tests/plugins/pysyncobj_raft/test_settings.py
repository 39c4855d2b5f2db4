"""Reading a node's Raft settings from the cluster file, and refusing unsafe ones."""

from pathlib import Path
from typing import Any

import pytest

from core import registry
from core.config import ClusterConfig, NodeConfig
from core.strategy import NodeContext
from plugins.pysyncobj_raft.settings import RaftSettings, raft_settings

DESCRIPTOR = registry.get("pysyncobj-raft")


def context(
    tmp_path: Path, hosts: tuple[str, ...] = ("127.0.0.1",) * 3, **options: Any
) -> NodeContext:
    servers = tuple(
        NodeConfig(
            f"s{n}",
            settings={"raft_address": f"{host}:{4320 + n}", "data_dir": str(tmp_path / f"s{n}")},
        )
        for n, host in enumerate(hosts, 1)
    )
    cluster = ClusterConfig(strategy=DESCRIPTOR.name, options=options, nodes=servers)
    return NodeContext(servers[0], cluster, DESCRIPTOR.resolve(options))


def test_a_node_knows_its_address_its_peers_and_its_files(tmp_path: Path) -> None:
    settings = raft_settings(context(tmp_path))
    assert settings == RaftSettings(
        node="s1",
        address="127.0.0.1:4321",
        bind="127.0.0.1:4321",
        peers={"s2": "127.0.0.1:4322", "s3": "127.0.0.1:4323"},
        data_dir=tmp_path / "s1",
        read="linearizable",
        timeout=3.0,
        password=None,
        compaction_entries=5000,
    )
    assert settings.journal.parent == settings.snapshot.parent == tmp_path / "s1"
    assert settings.names["127.0.0.1:4323"] == "s3"


def test_a_node_without_a_raft_address_is_refused_by_name(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    bare = NodeConfig("s2")
    cluster = ClusterConfig(DESCRIPTOR.name, {}, (ctx.node, bare, ctx.cluster.servers[2]))
    with pytest.raises(ValueError, match="'s2' has no raft_address"):
        raft_settings(NodeContext(ctx.node, cluster, ctx.options))


def test_listening_beyond_loopback_needs_a_password_or_an_explicit_waiver(tmp_path: Path) -> None:
    hosts = ("10.0.0.1", "10.0.0.2", "10.0.0.3")
    with pytest.raises(
        ValueError, match=r"^server 's1' would listen for Raft on 10\.0\.0\.1:.*without a password"
    ):
        raft_settings(context(tmp_path, hosts))
    assert raft_settings(context(tmp_path, hosts, password="s3cret")).password == "s3cret"
    assert raft_settings(context(tmp_path, hosts, insecure_transport=True)).password is None


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"read": "stale"}, "option read must be one of linearizable, local"),
        ({"timeout": 0}, "option timeout must be a number of seconds > 0"),
        ({"compaction_entries": 1}, "compaction_entries must be at least 2"),
    ],
)
def test_bad_options_are_refused_with_what_is_allowed(
    tmp_path: Path, options: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        raft_settings(context(tmp_path, **options))


def test_two_nodes_on_one_raft_address_are_refused(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    twin = NodeConfig("s2", settings=dict(ctx.node.settings))
    cluster = ClusterConfig(DESCRIPTOR.name, {}, (ctx.node, twin))
    with pytest.raises(ValueError, match="share a raft_address"):
        raft_settings(NodeContext(ctx.node, cluster, ctx.options))
