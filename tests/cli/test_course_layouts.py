"""`testbed cluster up --layout course-part1`: the course's Part 1 on the course's own ports
(Part 2's script run is in test_course_part2.py: this module's cluster holds the ports
until the module ends).

The fixed ports are the point (the course's script has them written in), so these
tests use them, and skip with the reason when something else already listens there.
"""

import signal
from collections.abc import Iterator
from typing import Any

import pytest

from core import layouts, registry
from core.config import ConfigError
from tests.cli.course_flow import COURSE_PORTS, require_free, run_script
from tests.cli.support import cli, cluster_up


# One fresh cluster per method path: the script leaves records behind (client 2,
# products 1 and 2, order 10) and creates them again, as it would on a fresh cluster.
@pytest.fixture(scope="module", params=["", "project."], ids=["AdminPortal", "project.AdminPortal"])
def part1(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, Any]]]:
    require_free(*COURSE_PORTS, layouts.COURSE_BROKER_PORT)
    with cluster_up(tmp_path_factory.mktemp("part1"), "--layout", "course-part1") as (
        launcher,
        ready,
    ):
        yield request.param, ready
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=30) == 0


def test_part1_runs_a_broker_on_1884_and_the_portals_on_the_scripts_ports(
    part1: tuple[str, dict[str, Any]],
) -> None:
    _, ready = part1
    nodes = {(n["name"], n["kind"], n["address"]) for n in ready["nodes"]}
    assert nodes == {
        ("broker", "broker", "127.0.0.1:1884"),
        ("admin1", "server", "127.0.0.1:55006"),
        ("order1", "server", "127.0.0.1:55005"),
    }
    assert [(s["address"], s["portals"]) for s in ready["servers"]] == [
        ("127.0.0.1:55006", ["admin"]),
        ("127.0.0.1:55005", ["order"]),
    ]
    assert ready["strategy"] == "mqtt-broadcast"


def test_part1_passes_the_course_script(part1: tuple[str, dict[str, Any]]) -> None:
    prefix, _ = part1
    # Part 1 is eventually consistent, in the course as here: the admin server's reply
    # to CreateClient comes once its own message is back from the broker, not once the
    # order server has applied it. The script sends CreateOrder to the order server at
    # once, which on a loaded machine can still lack client 2 (404). So the flow waits
    # until the order server holds everything the admin server holds, then goes on.
    run_script(prefix, eventually_consistent=True)


def test_part1_order_client_checks_the_cid_on_the_admin_server(
    part1: tuple[str, dict[str, Any]],
) -> None:
    prefix, _ = part1
    if prefix:
        pytest.skip("once per cluster is enough")
    alone = cli("order", "55005", stdin="44\n0\n")
    assert alone.returncode == 0, alone.stderr
    assert "55005 serves no AdminPortal; give --admin HOST:PORT" in alone.stdout
    checked = cli("order", "55005", "--admin", "55006", "--cid", "nobody", stdin="0\n")
    assert checked.returncode == 1
    assert "no client with CID 'nobody'" in checked.stdout


def test_a_layout_whose_strategy_is_not_installed_says_so_in_one_line() -> None:
    without = set(registry.strategies()) - {"pysyncobj-raft-partitioned"}
    with pytest.raises(ConfigError) as refused:
        layouts.get("course-part2", without)
    (line,) = str(refused.value).splitlines()
    assert line.startswith("layout course-part2 needs strategy 'pysyncobj-raft-partitioned',")
    assert "not installed" in line
    assert layouts.get("course-part2", without, "pysyncobj-raft").strategy  # another one runs
