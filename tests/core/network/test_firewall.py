import json
import socket
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from core.network import Firewall, FirewallError, node_addresses, sweep_stale
from core.network.nft import table_names
from core.ports import free_ports
from tests.core.network.support import Children, wait_until

pytestmark = pytest.mark.usefixtures("nft_usable")

DATAGRAMS = 1000


def delivered(source: str, destination: str) -> int:
    """How many of DATAGRAMS UDP datagrams sent from `source` reach `destination`."""
    with (
        socket.socket(type=socket.SOCK_DGRAM) as sender,
        socket.socket(type=socket.SOCK_DGRAM) as receiver,
    ):
        sender.bind((source, 0))
        receiver.bind((destination, 0))
        receiver.setblocking(False)
        received = 0
        # In batches the receive buffer holds whole: loopback delivers within sendto.
        for _ in range(DATAGRAMS // 100):
            for _ in range(100):
                sender.sendto(b"ping", receiver.getsockname())
            while True:
                try:
                    receiver.recv(16)
                except BlockingIOError:
                    break
                received += 1
        return received


def both_ways(one: str, other: str) -> tuple[int, int]:
    return delivered(one, other), delivered(other, one)


def test_a_partition_cuts_both_ways_until_healed() -> None:
    node, peer, bystander = node_addresses(3)
    with Firewall() as firewall:
        assert both_ways(node, peer) == (DATAGRAMS, DATAGRAMS)
        fault = firewall.partition(node, [peer])
        assert both_ways(node, peer) == (0, 0)
        assert both_ways(node, bystander) == (DATAGRAMS, DATAGRAMS)
        assert delivered("127.0.0.1", node) == DATAGRAMS  # clients still reach it
        firewall.heal(fault)
        assert both_ways(node, peer) == (DATAGRAMS, DATAGRAMS)


def test_a_flaky_link_drops_some_but_not_all_packets() -> None:
    node, peer = node_addresses(2)
    with Firewall() as firewall:
        fault = firewall.flaky(node, [peer], share=0.3)
        # 700 expected each way; the bounds are more than 9 standard deviations out.
        for count in both_ways(node, peer):
            assert 560 < count < 840
        firewall.heal(fault)
        assert both_ways(node, peer) == (DATAGRAMS, DATAGRAMS)


def test_healing_one_fault_leaves_the_others_and_heal_all_removes_them() -> None:
    node, one, other = node_addresses(3)
    with Firewall() as firewall:
        first = firewall.partition(node, [one])
        firewall.partition(node, [other])
        firewall.heal(first)
        firewall.heal(first)  # healing twice does nothing
        assert both_ways(node, one) == (DATAGRAMS, DATAGRAMS)
        assert both_ways(node, other) == (0, 0)
        firewall.heal_all()
        assert both_ways(node, other) == (DATAGRAMS, DATAGRAMS)


def test_closing_removes_the_table_even_when_the_block_fails() -> None:
    node, peer = node_addresses(2)
    with pytest.raises(RuntimeError, match="the run failed"), Firewall() as firewall:
        firewall.partition(node, [peer])
        raise RuntimeError("the run failed")
    assert firewall.table not in table_names()
    assert both_ways(node, peer) == (DATAGRAMS, DATAGRAMS)


def test_one_process_cannot_open_two_firewalls_that_would_share_a_table() -> None:
    with Firewall(), pytest.raises(FirewallError, match="testbed_"), Firewall():
        pass


def test_a_table_whose_owner_was_killed_is_swept(kids: Children) -> None:
    node, peer = node_addresses(2)
    owner = kids.start("hold-partition", node, peer)
    assert owner.stdout
    table = owner.stdout.readline().strip()
    assert table in table_names()
    owner.kill()
    owner.wait()
    assert table in table_names()  # a crash leaves it behind...
    assert both_ways(node, peer) == (0, 0)
    assert table in sweep_stale()  # ...until the next sweep
    assert table not in table_names()
    assert both_ways(node, peer) == (DATAGRAMS, DATAGRAMS)


@pytest.fixture
def foreign_tables() -> Iterator[dict[str, str]]:
    """Tables that are not ours, each with a rule: another tool's, and lookalikes of ours."""
    tables = {
        "inet othertool": "input",
        "inet testbed_1": "input",  # not our pattern
        f"inet testbed_1_{_start_time(1)}": "input",  # our pattern, but its owner lives
        "ip testbed_999999999_1": "input",  # a dead owner, but not our family
    }
    script = "".join(
        f"add table {t}\nadd chain {t} c {{ type filter hook {h} priority 0; }}\n"
        f"add rule {t} c ip saddr 127.0.0.99 counter accept\n"
        for t, h in tables.items()
    )
    subprocess.run(["nft", "-f", "-"], input=script, text=True, check=True)
    listings = {table: _listing(table) for table in tables}
    try:
        yield listings
    finally:
        for table in tables:
            subprocess.run(["nft", "delete", "table", *table.split()], check=False)


def test_tables_that_are_not_ours_are_never_touched(foreign_tables: dict[str, str]) -> None:
    node, peer = node_addresses(2)
    with Firewall() as firewall:
        fault = firewall.partition(node, [peer])
        firewall.flaky(node, [peer], share=0.5)
        firewall.heal(fault)
        firewall.heal_all()
    sweep_stale()
    for table, listing in foreign_tables.items():
        assert _listing(table) == listing


def test_raft_nodes_on_their_own_addresses_are_partitioned_and_healed(kids: Children) -> None:
    addresses = node_addresses(3)
    ids = [f"{address}:{free_ports(1, address)[0]}" for address in addresses]
    nodes = [kids.start("raft", me, *(p for p in ids if p != me)) for me in ids]

    def view(index: int) -> dict[str, Any]:
        child = nodes[index]
        assert child.stdin and child.stdout
        child.stdin.write("?\n")
        child.stdin.flush()
        reply: dict[str, Any] = json.loads(child.stdout.readline())
        return reply

    def connected(index: int) -> set[str]:
        return set(view(index)["connected"])

    def whole() -> bool:
        return all(len(connected(i)) == 2 for i in range(3))

    wait_until(whole, "the three nodes are connected")
    with Firewall() as firewall:
        fault = firewall.partition(addresses[0], addresses[1:])

        def cut() -> bool:
            # Only node 0's view of its own links is checked: PySyncObj notices a silent
            # link when it next reads or sends on it, which an idle follower may not do.
            return connected(0) == set() and ids[2] in connected(1) and ids[1] in connected(2)

        wait_until(cut, "node 0 is cut off and nodes 1 and 2 still see each other")
        wait_until(
            lambda: view(1)["leader"] == view(2)["leader"] in ids[1:],
            "the majority side elects a leader of its own",
        )
        firewall.heal(fault)
        wait_until(whole, "the healed node is connected again")


def _listing(table: str) -> str:
    return subprocess.run(
        ["nft", "list", "table", *table.split()], capture_output=True, text=True, check=True
    ).stdout


def _start_time(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[19]
