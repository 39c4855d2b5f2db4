import socket

import pytest

from core.network import node_addresses
from tests.core.network.support import Children


def test_node_addresses_are_distinct_and_skip_one_another_cluster_listens_on() -> None:
    first = node_addresses(1)[0]
    with socket.socket() as other_cluster:
        other_cluster.bind((first, 0))
        other_cluster.listen()
        addresses = node_addresses(3, first=first)
    assert first not in addresses
    assert len(set(addresses)) == 3
    assert all(address.startswith("127.") for address in addresses)


def test_node_addresses_stop_at_the_end_of_the_loopback_range() -> None:
    with pytest.raises(OSError, match="fewer than 2 free loopback addresses"):
        node_addresses(2, first="127.255.255.254")


@pytest.mark.parametrize("bound", [True, False], ids=["bind_outgoing", "default"])
def test_bind_outgoing_makes_a_node_connect_from_its_own_address(
    kids: Children, bound: bool
) -> None:
    node, peer = node_addresses(2)
    with socket.socket() as listener:
        listener.bind((peer, 0))
        listener.listen()
        listener.settimeout(30)
        kids.start("connect", node if bound else "default", peer, str(listener.getsockname()[1]))
        connection, (source, _) = listener.accept()
        connection.close()
    # Without it, the kernel picks the loopback's primary address for every node alike.
    assert source == (node if bound else "127.0.0.1")
