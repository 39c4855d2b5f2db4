"""The `testbed` command as a user meets it: clients, menus, errors, status, cluster up."""

import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from tests.cli.support import cli, cluster_up


@pytest.fixture(scope="module")
def address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    config = ClusterConfig(nodes=(NodeConfig("s1", port=0),))
    with Cluster(config, workdir=tmp_path_factory.mktemp("cli")) as cluster:
        yield cluster.addresses()[0]


def test_strategies_lists_memory() -> None:
    result = cli("strategies")
    assert result.returncode == 0
    assert result.stdout.startswith("memory")


def test_one_shot_commands_print_the_reply_and_set_the_exit_code(address: str) -> None:
    assert cli("admin", address, "create-client", "cli-1", '{"name": "Ana"}').stdout == "OK\n"
    again = cli("admin", address, "create-client", "cli-1", '{"name": "Ana"}')
    assert again.returncode == 1
    assert again.stdout.startswith("error 409: ")
    shown = cli("admin", address, "retrieve-client", "cli-1")
    assert (shown.returncode, json.loads(shown.stdout)) == (0, {"name": "Ana"})
    missing = cli("admin", address, "retrieve-client", "cli-none")
    assert (missing.returncode, missing.stdout) == (1, "not found\n")


def test_a_bare_port_means_localhost(address: str) -> None:
    port = address.rsplit(":", 1)[1]
    assert cli("admin", port, "retrieve-client", "nobody").stdout == "not found\n"


# Files a user may point a command at by mistake, each wrong in one way.
MISTAKEN_FILES = {
    "broken.toml": "strategy = [\n",
    "strategy.toml": 'strategy = "memory"\n',
    "grpc.toml": '[grpc]\nworkers = "many"\n',
    "servers.toml": "servers = {address = 1}\n",
    "broken.json": "{",
    "nodes.json": '{"nodes": [{"address": "127.0.0.1:1"}]}',
}


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("admin", "nohost", "retrieve-client", "1"), 2, "HOST:PORT"),
        (("admin", "127.0.0.1:99999", "retrieve-client", "1"), 2, "out of range"),
        (("admin", "127.0.0.1:1", "retrieve-client", "1"), 1, "cannot reach the server"),
        (("serve", "--strategy", "nope", "--port", "0"), 2, "known strategies: memory"),
        (("serve", "--port", "x"), 2, "not a number"),
        (("serve", "--port", "0", "-o", "qos=1"), 2, "no option 'qos'"),
        (("status", "127.0.0.1:1"), 1, "unreachable"),
        # Two memory processes, one per portal, would hold two states: refused.
        (("serve", "--port", "0", "--portal", "order"), 2, "or use mqtt-broadcast or"),
        (("serve", "--port", "0", "--portal", "admin"), 2, "keeps its state in this one process"),
        (("cluster", "up", "--layout", "nope"), 2, "invalid choice"),
        (("demo", "--strategy", "nope"), 2, "known strategies: memory"),
        (("serve", "--log-level", "nope"), 2, "'nope' is not a log level"),
        (("cluster", "up", "--servers", "x"), 2, "--servers: invalid int value: 'x'"),
        (("admin", "1", "nope"), 2, "invalid choice: 'nope'"),
        (("serve", "--port", "{busy}"), 1, "port {busy} is in use"),
        (("serve", "--host", "nohost.invalid", "--port", "0"), 1, "no such host"),
        (("serve", "--config", "{tmp}/missing.toml"), 2, "missing.toml' does not exist"),
        (("serve", "--config", "{tmp}/broken.toml"), 2, "is not valid TOML"),
        (("serve", "--config", "{tmp}/strategy.toml"), 2, "[strategy] must be a table"),
        (("serve", "--config", "{tmp}/grpc.toml"), 2, "[grpc] workers must be a number"),
        (("serve", "--config", "{tmp}/servers.toml"), 2, "[[servers]] must be tables"),
        (("serve", "--config", "{tmp}"), 2, "cannot be read: Is a directory"),
        (("serve", "--port", "0", "--ready-file", "{tmp}/no/r.json"), 2, "no directory"),
        (("status", "--cluster", "{tmp}/missing.json"), 2, "cannot be read: No such file"),
        (("status", "--cluster", "{tmp}/broken.json"), 2, "broken.json' is not JSON"),
        (("status", "--cluster", "{tmp}/nodes.json"), 2, "has no list of nodes"),
        (("cluster", "up", "--host", "nohost.invalid"), 2, "no such host"),
        (("cluster", "up", "--ready-file", "{tmp}/no/r.json"), 2, "no directory"),
        (("cluster", "up", "--config", "{tmp}/grpc.toml"), 2, "[grpc] workers must be"),
        (("cluster", "up", "-o", "nope=1"), 2, "has no option 'nope'"),
        (("compare", "--out", "{tmp}/broken.json/out"), 2, "cannot create --out"),
    ],
)
def test_user_mistakes_get_one_clear_line(
    args: tuple[str, ...], code: int, words: str, tmp_path: Path
) -> None:
    for name, text in MISTAKEN_FILES.items():
        (tmp_path / name).write_text(text)
    with socket.create_server(("127.0.0.1", 0)) as busy:
        fill = {"tmp": str(tmp_path), "busy": str(busy.getsockname()[1])}
        result = cli(*(arg.format(**fill) for arg in args))
    words = words.format(**fill)
    assert result.returncode == code
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_admin_menu_creates_and_shows_a_client(address: str) -> None:
    keys = "1\ncli-menu\nBeatriz\n2\ncli-menu\n0\n"
    result = cli("admin", address, stdin=keys)
    assert result.returncode == 0
    assert "OK" in result.stdout
    assert '{"name": "Beatriz"}' in result.stdout


def test_order_menu_asks_for_the_cid_and_places_an_order(address: str) -> None:
    cli("admin", address, "create-client", "cli-buyer", '{"name": "C"}')
    cli("admin", address, "create-product", "cli-pen", '{"name": "pen", "price": 2, "quantity": 5}')
    keys = "cli-buyer\n1\ncli-o1\ncli-pen\n2\n\n5\n0\n"  # CID; create (OID, lines); list; exit
    result = cli("order", address, stdin=keys)
    assert result.returncode == 0
    assert "your client ID" in result.stdout
    assert '"OID": "cli-o1", "CID": "cli-buyer"' in result.stdout
    assert '"total": 4' in result.stdout


def test_menus_end_cleanly_at_end_of_input(address: str) -> None:
    result = cli("admin", address, stdin="")
    assert result.returncode == 0
    assert "Traceback" not in result.stderr


def test_status_shows_the_node(address: str) -> None:
    result = cli("status", "--json", address)
    document = json.loads(result.stdout)
    assert (document["strategy"], document["role"]) == ("memory", "single")
    assert len(document["digest"]) == 64


def _gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_cluster_up_writes_the_ready_file_and_stops_on_sigterm(tmp_path: Path) -> None:
    with cluster_up(tmp_path) as (launcher, ready):
        servers = ready["servers"]
        assert [(s["name"], s["portals"]) for s in servers] == [("s1", ["admin", "order"])]
        (node,) = ready["nodes"]
        assert node == {
            **{k: servers[0][k] for k in ("name", "address", "pid")},
            "kind": "server",
            "group": "replicas",
            "software": None,  # a server's kind names no program of its own
        }
        assert cli("status", servers[0]["address"]).returncode == 0
        shown = cli("status", "--json", "--cluster", str(tmp_path / "ready.json"))
        (document,) = map(json.loads, shown.stdout.splitlines())
        assert (document["kind"], document["group"], document["role"]) == (
            "server",
            "replicas",
            "single",
        )
        assert len(document["digest"]) == 64
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=20) == 0
    assert _gone(servers[0]["pid"], timeout=5)


def test_servers_do_not_outlive_a_killed_launcher(tmp_path: Path) -> None:
    with cluster_up(tmp_path) as (launcher, ready):
        launcher.kill()
        launcher.wait()
    assert _gone(ready["servers"][0]["pid"], timeout=10)
