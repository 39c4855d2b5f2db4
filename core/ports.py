"""Free TCP ports on the loopback, for services and peers a launcher starts."""

import errno
import random
import socket
from contextlib import ExitStack
from pathlib import Path
from typing import Final

LOOPBACK = "127.0.0.1"
LOWEST: Final = 10000  # below it lie the ports services are configured on (1883, 8080, ...)
EPHEMERAL: Final = Path("/proc/sys/net/ipv4/ip_local_port_range")
EPHEMERAL_DEFAULT: Final = (32768, 60999)  # Linux's, when the file cannot be read
TRIES: Final = 200  # random candidates per port before asking the kernel for one
ROOM: Final = 1000  # fewer ports than this below the range: ask the kernel at once


def free_ports(count: int, host: str = LOOPBACK) -> list[int]:
    """Ports free on `host` (the loopback by default) now; all held open together so none repeats.

    Chosen at random below the kernel's ephemeral range: every outgoing connection of
    every process takes its source port from that range, so a port chosen there (as
    binding port 0 does) may be taken by some client's next connect before the service
    binds it. Another launcher may still pick the same port in between: callers that
    bind later retry.
    """
    top = _ephemeral_start()
    chooser = random.Random()
    with ExitStack() as stack:
        ports: list[int] = []
        while len(ports) < count:
            sock = stack.enter_context(socket.socket())
            port = _bind_below(sock, host, top, chooser, ports)
            if port is None:  # no room below the range: as the kernel would choose
                sock.bind((host, 0))
                port = int(sock.getsockname()[1])
            ports.append(port)
        return ports


def _bind_below(
    sock: socket.socket, host: str, top: int, chooser: random.Random, taken: list[int]
) -> int | None:
    if top - LOWEST < ROOM:
        return None
    for _ in range(TRIES):
        port = chooser.randrange(LOWEST, top)
        if port in taken:
            continue
        try:
            sock.bind((host, port))
        except OSError:
            continue
        return port
    return None


def _ephemeral_start() -> int:
    try:
        return int(EPHEMERAL.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return EPHEMERAL_DEFAULT[0]


def check_listenable(host: str, port: int) -> None:
    """Raise OSError, in words, if nothing could listen on `host`:`port` now.

    gRPC's own refusal is a bare RuntimeError after a C-core log line on stderr; asking
    first lets a server name the reason (a busy port, an unknown host) in one line.
    """
    where = f"cannot listen on {host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise OSError(f"{where}: no such host or address ({error.strerror})") from None
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gRPC binds
        try:
            sock.bind(address)
        except OSError as error:
            busy = error.errno == errno.EADDRINUSE
            reason = f"port {port} is in use" if busy else error.strerror
            raise OSError(f"{where}: {reason}") from None
