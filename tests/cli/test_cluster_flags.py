"""What `testbed cluster up`'s flags make of a cluster, before anything starts."""

import socket

import pytest

from core import layouts
from core.cli.cluster import layout
from core.cli.main import parser
from core.config import ClusterConfig, ConfigError
from tests.cli.support import cli


def described(*flags: str) -> ClusterConfig:
    return layout(parser().parse_args(["cluster", "up", *flags]))


def servers(cluster: ClusterConfig) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(s.name, s.port, s.portals) for s in cluster.servers]


@pytest.mark.parametrize(
    ("strategy", "count"),
    [
        ("memory", 1),
        ("mqtt-broadcast", 3),
        ("pysyncobj-raft", 3),
        ("pysyncobj-raft-partitioned", 2),
    ],
)
def test_without_servers_flags_a_strategy_runs_its_own_number(strategy: str, count: int) -> None:
    both = ("admin", "order")
    assert servers(described("--strategy", strategy)) == [
        (f"s{n}", 0, both) for n in range(1, count + 1)
    ]
    assert servers(described("--strategy", strategy, "--servers", "1")) == [("s1", 0, both)]


def test_ports_per_portal_in_any_order() -> None:
    cluster = described("--order-ports", "55005", "--admin-ports", "55006,55007")
    assert servers(cluster) == [
        ("admin1", 55006, ("admin",)),
        ("admin2", 55007, ("admin",)),
        ("order1", 55005, ("order",)),
    ]


def test_base_port_numbers_the_servers_without_a_port_around_the_given_ones() -> None:
    cluster = described("--admins", "2", "--orders", "2", "--order-ports", "7001",
                        "--base-port", "7000")  # fmt: skip
    assert [(name, port) for name, port, _ in servers(cluster)] == [
        ("admin1", 7000),
        ("admin2", 7002),
        ("order1", 7001),
        ("order2", 7003),
    ]


def test_course_part1_is_the_seeds_layout_on_the_scripts_ports() -> None:
    cluster = described("--layout", "course-part1")
    assert cluster.strategy == "mqtt-broadcast"
    assert servers(cluster) == [("admin1", 55006, ("admin",)), ("order1", 55005, ("order",))]
    assert [(n.name, n.kind, n.port) for n in cluster.nodes if n.kind != "server"] == [
        ("broker", "broker", 1884)
    ]
    assert cluster.options["topic_prefix"] == ""  # the seed's topics, shared with its servers
    assert cluster.options["wire"] == "course"  # records in the shapes its servers read


def test_a_layout_takes_more_servers_another_broker_port_and_another_strategy() -> None:
    more = described("--layout", "course-part1", "--admins", "2", "--node-port", "broker=1885")
    assert [(name, port) for name, port, _ in servers(more)] == [
        ("admin1", 55006), ("admin2", 0), ("order1", 55005)
    ]  # fmt: skip
    assert next(n.port for n in more.nodes if n.kind == "broker") == 1885
    raft = described("--layout", "course-part1", "--strategy", "pysyncobj-raft")
    assert (raft.strategy, dict(raft.options)) == ("pysyncobj-raft", {})
    assert servers(raft) == servers(described("--layout", "course-part1"))
    assert all(node.kind == "server" for node in raft.nodes)  # Raft runs no broker


def test_course_part2_starts_once_its_strategy_is_installed() -> None:
    strategy = layouts.LAYOUTS["course-part2"].strategy
    with pytest.raises(ConfigError, match=f"needs strategy '{strategy}'"):
        layouts.get("course-part2", installed={"memory"})
    part2 = layouts.get("course-part2", installed={strategy})
    cluster = part2.cluster(None)
    assert (cluster.strategy, dict(cluster.options)) == (strategy, {"partitions": 2, "replicas": 3})
    assert (part2.admin_ports, part2.order_ports) == ((55006,), (55005,))


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (("--admins", "1", "--admin-ports", "1,2"), "--admins 1 but --admin-ports lists 2"),
        (("--layout", "course-part1", "--config", "x.toml"), "--layout or --config"),
        (("--node-port", "nobody=1"), "no node named nobody"),
        (("--admins", "0"), "at least one server"),
    ],
)
def test_contradictions_are_refused(flags: tuple[str, ...], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        described(*flags)


@pytest.mark.parametrize("ports", ["55006,55006", "0", "x", "70000"])
def test_bad_port_lists_are_refused_by_the_parser(ports: str) -> None:
    with pytest.raises(SystemExit):
        described("--admin-ports", ports)


def test_a_fixed_port_already_taken_is_refused_before_anything_starts() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("cluster", "up", "--strategy", "pysyncobj-raft", "--admin-ports", str(port),
                     "--order-ports", str(port + 1))  # fmt: skip
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert f"already in use: admin1 127.0.0.1:{port};" in line
