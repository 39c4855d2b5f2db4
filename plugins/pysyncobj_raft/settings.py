"""One node's Raft settings, read from the cluster file and checked before anything starts.

Each `[[servers]]` entry names its Raft address (`raft_address = "HOST:PORT"`, the
node's identity in the Raft cluster and where it listens) and its data directory
(`data_dir`); `raft_bind` may override where it listens (NAT, containers). Strategy
options apply to every node: `read`, `timeout`, `password`, `insecure_transport`,
`compaction_entries`.
"""

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from core.config import SERVER, ClusterConfig, NodeConfig, parse_address
from core.strategy import NodeContext, OptionValue

READ_MODES = ("linearizable", "local")


@dataclass(frozen=True)
class RaftSettings:
    node: str
    address: str  # HOST:PORT, this node's id among its peers
    bind: str
    peers: Mapping[str, str]  # every other node: name -> Raft address
    data_dir: Path
    read: str
    timeout: float
    password: str | None
    compaction_entries: int

    @cached_property
    def names(self) -> dict[str, str]:
        """Raft address -> server name, for every node including this one."""
        return {address: name for name, address in {**self.peers, self.node: self.address}.items()}

    @property
    def journal(self) -> Path:
        return self.data_dir / "journal"

    @property
    def snapshot(self) -> Path:
        return self.data_dir / "snapshot"


def raft_address(node: NodeConfig) -> str:
    """A Raft member's fixed `raft_address` setting (portal server or storage replica)."""
    value = node.settings.get("raft_address")
    entry = "[[servers]]" if node.kind == SERVER else "[[nodes]]"
    if not isinstance(value, str):
        raise ValueError(
            f'{node.kind} {node.name!r} has no raft_address: add raft_address = "HOST:PORT" '
            f"to its {entry} entry, or start the cluster with `testbed cluster up`"
        )
    if parse_address(value)[1] == 0:
        raise ValueError(f"{node.kind} {node.name!r}: raft_address {value!r} needs a fixed port")
    return value


def check_options(options: Mapping[str, OptionValue]) -> None:
    read, timeout = options["read"], options["timeout"]
    if read not in READ_MODES:
        raise ValueError(f"option read must be one of {', '.join(READ_MODES)}, not {read!r}")
    if not float(timeout) > 0:
        raise ValueError(f"option timeout must be a number of seconds > 0, not {timeout!r}")
    if int(options["compaction_entries"]) < 2:
        raise ValueError("option compaction_entries must be at least 2")


def raft_settings(context: NodeContext) -> RaftSettings:
    """This node's settings; raises ValueError with a sentence naming what to fix."""
    options = context.options
    check_options(options)
    addresses = _addresses(context.cluster)
    node = context.node
    address = addresses[node.name]
    bind = str(node.settings.get("raft_bind", address))
    password = str(options["password"]) or None
    check_transport(node, bind, password, bool(options["insecure_transport"]))
    data_dir = node.settings.get("data_dir")
    if not isinstance(data_dir, str) or not data_dir:
        raise ValueError(
            f'server {node.name!r} has no data_dir: add data_dir = "PATH" (its journal and '
            "snapshot) to its [[servers]] entry"
        )
    return RaftSettings(
        node=node.name,
        address=address,
        bind=bind,
        peers={name: other for name, other in addresses.items() if name != node.name},
        data_dir=Path(data_dir),
        read=str(options["read"]),
        timeout=float(options["timeout"]),
        password=password,
        compaction_entries=int(options["compaction_entries"]),
    )


def _addresses(cluster: ClusterConfig) -> dict[str, str]:
    addresses = {server.name: raft_address(server) for server in cluster.servers}
    if len(set(addresses.values())) < len(addresses):
        raise ValueError("two servers share a raft_address; each node needs its own")
    return addresses


def check_transport(node: NodeConfig, bind: str, password: str | None, insecure: bool) -> None:
    """PySyncObj unpickles what its peers send: refuse an open, unauthenticated port."""
    if password is not None:
        _require_cryptography()
        return
    host, _ = parse_address(bind)
    if not insecure and not _is_loopback(host):
        raise ValueError(
            f"{node.kind} {node.name!r} would listen for Raft on {bind}, beyond this machine, "
            "without a password: PySyncObj unpickles what peers send, so anyone who reaches "
            "that port could run code here. Set the option password (encrypted, authenticated "
            "transport) or, on a trusted network only, insecure_transport = true"
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False


def _require_cryptography() -> None:
    try:
        import cryptography.fernet  # noqa: F401  (PySyncObj's encryption needs it)
    except ImportError:
        raise ValueError(
            "option password needs the `cryptography` package for PySyncObj's encrypted "
            "transport: pip install 'cryptography>=42'"
        ) from None
