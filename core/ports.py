"""Free TCP ports on the loopback, for services and peers a launcher starts."""

import errno
import socket
from contextlib import ExitStack

LOOPBACK = "127.0.0.1"


def free_ports(count: int, host: str = LOOPBACK) -> list[int]:
    """Ports free on `host` (the loopback by default) now; all held open together so none repeats.

    Another process may take one before it is used: callers that bind later retry.
    """
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind((host, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


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
