"""Network faults on one machine: a loopback address per node, nftables rules between them.

`available()` says whether faults can be installed here (None) or why not, in words a
user can act on. A launcher opens a `Firewall` for the run before it starts any node
(opening sweeps what a crashed launcher left, which `sweep_stale` also does alone), gives
each node an address from `node_addresses` to listen on, and has each node process call
`bind_outgoing` with it; `partition`/`flaky` faults last until `heal` or until the
firewall closes.
"""

from core.network.firewall import Firewall, FirewallError, RuleHandle
from core.network.loopback import bind_outgoing, node_addresses
from core.network.nft import available
from core.network.tables import sweep_stale

__all__ = [
    "Firewall",
    "FirewallError",
    "RuleHandle",
    "available",
    "bind_outgoing",
    "node_addresses",
    "sweep_stale",
]
