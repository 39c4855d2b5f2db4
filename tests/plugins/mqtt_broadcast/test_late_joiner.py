"""A server that starts late copies a peer's state before it serves (see snapshot.py)."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.launcher import LaunchError
from plugins.mqtt_broadcast.broker import Broker
from tests.plugins.mqtt_broadcast.conftest import StartCluster
from tests.plugins.mqtt_broadcast.support import Servers, create_client, ok, publish_all

WRITES = 1000
JOIN_TIMEOUT_S = 5.0  # the check: the third server has the state within 5 s


def write_clients(servers: Servers, names: list[str]) -> None:
    """Create the clients, spread over the servers, from a few threads at once."""

    def write(number: int) -> None:
        address = servers.addresses[number % len(servers.addresses)]
        ok(create_client(servers, address, names[number]))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(len(names))))


def test_a_third_server_started_after_1000_writes_holds_the_same_state(
    start_cluster: StartCluster,
) -> None:
    first = start_cluster(("s1", "s2"))
    before = Servers(first)
    write_clients(before, [f"late-{n}" for n in range(WRITES)])
    digest = before.settle()

    # The launcher fails if s3 is not serving within the timeout, and it serves only
    # once it has caught up: its digest must be the others' at once.
    late = start_cluster(("s3",), ready_timeout=JOIN_TIMEOUT_S)
    everyone = Servers(first, late)
    assert everyone.digests()[late.addresses()[0]] == digest
    details = everyone.details(late.addresses()[0])
    assert details["snapshot_from"] in {before.details(a)["origin"] for a in before.addresses}
    before.close()
    everyone.close()


def test_writes_made_while_a_server_joins_reach_it_too(start_cluster: StartCluster) -> None:
    first = start_cluster(("s1", "s2"))
    servers = Servers(first)
    write_clients(servers, [f"early-{n}" for n in range(200)])
    stop = threading.Event()
    written: list[str] = []

    def keep_writing() -> None:
        while not stop.is_set():
            name = f"during-{len(written)}"
            ok(create_client(servers, servers.addresses[len(written) % 2], name))
            written.append(name)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        late = start_cluster(("s3",))
    finally:
        stop.set()
        writer.join()
    everyone = Servers(first, late)
    everyone.settle()
    joined = late.addresses()[0]
    assert written, "the writer made no write while s3 joined"
    assert everyone.client(joined, written[-1]) is not None
    assert everyone.client(joined, "early-0") is not None
    servers.close()
    everyone.close()


def test_a_server_whose_peers_never_answer_does_not_start(
    start_cluster: StartCluster, broker: Broker, prefix: str
) -> None:
    # A retained presence that no running server stands behind: as if the only peer
    # had been cut off before its will cleared it.
    ghost = {"origin": "ghost.0000", "node": "ghost"}
    topic = f"{prefix}/sync/peers/ghost.0000"
    publish_all(broker.address, topic, [json.dumps(ghost).encode()], retain=True)
    try:
        with pytest.raises(LaunchError, match="no peer sent a snapshot"):
            start_cluster(("s1",), sync_timeout=1.0)
    finally:
        publish_all(broker.address, topic, [b""], retain=True)
