"""Faults refuse what they cannot install safely, before nft is ever run (no root needed)."""

import re

import pytest

from core.network import Firewall


@pytest.mark.parametrize(
    ("target", "others", "message"),
    [
        ("127.0.0.1", ["127.0.0.3"], "other than 127.0.0.1"),
        ("127.0.0.2", ["10.0.0.7"], "must be a loopback address"),
        ("node-a", ["127.0.0.3"], "is not an IPv4 address"),
        ("127.0.0.2", ["127.0.0.3; flush ruleset"], "is not an IPv4 address"),
        ("127.0.0.2", [], "at least one node address"),
        ("127.0.0.2", ["127.0.0.3", "127.0.0.2"], "cannot also be among the others"),
    ],
)
def test_a_fault_names_node_loopback_addresses_only(
    target: str, others: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Firewall().partition(target, others)


@pytest.mark.parametrize("share", [0.0, 0.004, 1.2, -0.5])
def test_a_flaky_share_is_between_one_percent_and_all(share: float) -> None:
    with pytest.raises(ValueError, match=re.escape("share must be between 0.01 and 1")):
        Firewall().flaky("127.0.0.2", ["127.0.0.3"], share)
