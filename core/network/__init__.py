"""Network faults on one machine: a loopback address per node, nftables rules between them.

`available()` says whether faults can be installed here (None) or why not, in words a
user can act on. A launcher gives each node an address from `node_addresses`, has each
node process call `bind_outgoing` with it, and opens a `Firewall` for the run, whose
`partition`/`flaky` faults last until `heal` or until it closes. `sweep_stale` removes
what a crashed launcher left; opening a Firewall sweeps too.
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
