"""A loopback address of its own for each node, used both to listen and to send from.

Linux routes all of 127.0.0.0/8 to the loopback device, but a connection to 127.0.0.3
leaves from 127.0.0.1 unless its socket was bound first (`ip route get 127.0.0.3` says
`src 127.0.0.1`), and rules on address pairs (`core.network.firewall`) then cannot
tell the nodes apart. paho-mqtt's `connect(bind_address=...)` binds; PySyncObj's
TcpConnection creates and connects its socket in one method with no source option, and
gRPC's Python channels accept no source address either (the C core's only hook is a
socket mutator, a C pointer). So `bind_outgoing` binds in the one place every
Python-level TCP client goes through: `socket.socket.connect`.
"""

import ipaddress
import socket
import struct
from pathlib import Path
from typing import Any

FIRST = ipaddress.IPv4Address("127.0.0.2")  # 127.0.0.1 is everyone's
_LOOPBACK = ipaddress.IPv4Network("127.0.0.0/8")
_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_source: str | None = None


def node_addresses(count: int, first: str = str(FIRST)) -> list[str]:
    """`count` loopback addresses for the nodes of a cluster, from `first` upwards.

    Addresses some process listens on already are skipped: they belong to another
    cluster, whose faults would then cut ours too (or ours theirs). Each address is
    checked by binding a socket to it, which fails where the system does not route all
    of 127.0.0.0/8 to the loopback (macOS configures 127.0.0.1 alone).
    """
    taken = _listening()
    found: list[str] = []
    candidate = ipaddress.IPv4Address(first)
    while len(found) < count:
        if candidate not in _LOOPBACK or candidate == _LOOPBACK.broadcast_address:
            raise OSError(f"fewer than {count} free loopback addresses from {first}")
        if str(candidate) not in taken:
            _check_usable(str(candidate))
            found.append(str(candidate))
        candidate += 1
    return found


def bind_outgoing(address: str) -> None:
    """Make this process's TCP connections to loopback addresses leave from `address`.

    A node process calls this once at start, before it connects anywhere, when network
    faults are asked for. Sockets bound already (a client that chose its own source,
    such as paho's `bind_address`) and connections to other addresses are left alone.
    """
    global _source
    _check_usable(address)
    _source = address
    socket.socket.connect = _bound_connect  # type: ignore[method-assign, assignment]
    socket.socket.connect_ex = _bound_connect_ex  # type: ignore[method-assign, assignment]


def _bound_connect(sock: socket.socket, address: Any) -> None:
    _bind_source(sock, address)
    _connect(sock, address)


def _bound_connect_ex(sock: socket.socket, address: Any) -> int:
    _bind_source(sock, address)
    return _connect_ex(sock, address)


def _bind_source(sock: socket.socket, destination: Any) -> None:
    if _source is None or sock.family != socket.AF_INET or sock.type != socket.SOCK_STREAM:
        return
    try:
        to_loopback = ipaddress.IPv4Address(destination[0]) in _LOOPBACK
    except (ipaddress.AddressValueError, TypeError, IndexError):
        return  # a host name: resolved callers (socket.create_connection) pass addresses
    if to_loopback and sock.getsockname() == ("0.0.0.0", 0):
        sock.bind((_source, 0))


def _check_usable(address: str) -> None:
    with socket.socket() as probe:
        try:
            probe.bind((address, 0))
        except OSError as error:
            raise OSError(f"loopback address {address} is not usable here: {error}") from error


def _listening() -> set[str]:
    """IPv4 addresses that some TCP socket of this machine listens on."""
    addresses = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == _LISTEN:
            # The kernel prints the address as a number in host byte order.
            packed = struct.pack("=I", int(local.split(":")[0], 16))
            addresses.add(socket.inet_ntoa(packed))
    return addresses
