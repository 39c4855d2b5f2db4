"""Network faults between the loopback addresses of a cluster's nodes, as nftables rules.

A `Firewall` owns one table of its own (see `core.network.tables`) for as long as it is
open; each fault is a base chain in it, so healing one deletes that chain and nothing
else, and closing the firewall deletes the table. Rules match address pairs, so they
only cut traffic whose both ends are node addresses: each node must listen on its own
address and send from it (see `core.network.loopback`); clients on 127.0.0.1 keep
reaching every node, as clients outside a partitioned data centre would.
"""

import ipaddress
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from core.network import nft, tables

_LOOPBACK = ipaddress.IPv4Network("127.0.0.0/8")
_SHARED = ipaddress.IPv4Address("127.0.0.1")


class FirewallError(RuntimeError):
    """nftables refused to open, change or close our table."""


@dataclass(frozen=True)
class RuleHandle:
    """One installed fault: the chain that holds its rules, and what it does."""

    chain: str
    description: str


class Firewall:
    """Cuts or degrades links between node addresses until healed, or until it is closed."""

    def __init__(self) -> None:
        self.table = tables.own_table_name()
        self._active: set[RuleHandle] = set()
        self._numbers = itertools.count(1)

    def __enter__(self) -> Self:
        tables.sweep_stale()
        # `create` (not `add`) fails if the table exists: two open firewalls in one
        # process would share it, and the first to close would heal the other's faults.
        self._apply(f"create table {nft.FAMILY} {self.table}\n")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._active.clear()
        self._apply(f"delete table {nft.FAMILY} {self.table}\n")

    def partition(self, target: str, others: Iterable[str]) -> RuleHandle:
        """Drop every packet between `target` and `others`, both ways."""
        target, peers = _ends(target, others)
        return self._install(target, peers, "", f"partition {target} from {', '.join(peers)}")

    def flaky(self, target: str, others: Iterable[str], share: float) -> RuleHandle:
        """Drop a random `share` (0 < share <= 1, in steps of 1%) of the packets between them."""
        percent = round(share * 100)
        if not 1 <= percent <= 100:
            raise ValueError(f"share must be between 0.01 and 1, got {share}")
        target, peers = _ends(target, others)
        match = f"numgen random mod 100 < {percent} "
        return self._install(
            target, peers, match, f"drop {percent}% between {target} and {', '.join(peers)}"
        )

    def heal(self, handle: RuleHandle) -> None:
        """Remove one fault's rules; healing a fault already healed does nothing."""
        if handle not in self._active:
            return
        chain = f"{nft.FAMILY} {self.table} {handle.chain}"
        self._apply(f"flush chain {chain}\ndelete chain {chain}\n")
        self._active.discard(handle)

    def heal_all(self) -> None:
        """Remove every fault this firewall installed."""
        for handle in list(self._active):
            self.heal(handle)

    def _install(self, target: str, peers: list[str], match: str, description: str) -> RuleHandle:
        handle = RuleHandle(f"fault_{next(self._numbers)}", description)
        chain = f"{nft.FAMILY} {self.table} {handle.chain}"
        group = "{ " + ", ".join(peers) + " }"
        # On the input hook a dropped packet was "sent" and vanished, as on a cut link;
        # dropped on output, the sender's own send would fail at once.
        self._apply(
            f"add chain {chain} {{ type filter hook input priority filter; policy accept; }}\n"
            f"add rule {chain} ip saddr {target} ip daddr {group} {match}counter drop\n"
            f"add rule {chain} ip saddr {group} ip daddr {target} {match}counter drop\n"
        )
        self._active.add(handle)
        return handle

    def _apply(self, script: str) -> None:
        try:
            nft.run(script)
        except nft.NftError as error:
            raise FirewallError(f"nft refused the rules of table {self.table}: {error}") from error


def _ends(target: str, others: Iterable[str]) -> tuple[str, list[str]]:
    """Both ends of a fault, checked: node loopback addresses, the target not among the others."""
    end = _node_address(target)
    peers = sorted({_node_address(other) for other in others})
    if not peers:
        raise ValueError("others must name at least one node address")
    if end in peers:
        raise ValueError(f"target {target} cannot also be among the others")
    return end, peers


def _node_address(text: str) -> str:
    """`text` as an IPv4 loopback address other than 127.0.0.1, which every client shares."""
    try:
        address = ipaddress.IPv4Address(text)
    except ipaddress.AddressValueError as error:
        raise ValueError(f"node address {text!r} is not an IPv4 address: {error}") from None
    if address not in _LOOPBACK or address == _SHARED:
        raise ValueError(
            f"node address {text} must be a loopback address other than 127.0.0.1 "
            "(127.0.0.2 and up), so that no rule touches anyone else's traffic"
        )
    return str(address)
