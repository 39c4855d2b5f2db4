"""Hostile clients for the bounded-work tests, speaking raw HTTP/2 (the `h2` package).

grpcio's own client always opens its flow-control window as it reads, so it cannot play
a client that never reads. `UnreadStreams` can: it announces an initial window of 0 and
never sends WINDOW_UPDATE, so the server can send a stream's headers and trailers but
not one byte of a message. It still answers the server's SETTINGS and PINGs (h2 does
that by itself), as a live but stubborn client would.
"""

import contextlib
import selectors
import socket
import struct
import threading
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.events
import h2.settings

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def grpc_frame(message: bytes) -> bytes:
    """One gRPC length-prefixed message: no compression, 4-byte big-endian length."""
    return struct.pack(">BI", 0, len(message)) + message


@dataclass
class _Connection:
    sock: socket.socket
    h2: h2.connection.H2Connection
    streams: list[int] = field(default_factory=list)

    def flush(self) -> None:
        self.sock.sendall(self.h2.data_to_send())


class UnreadStreams:
    """`count` calls of `path` with `body`, `per_connection` to a connection, never read.

    A `body` of None sends the headers only: a call whose request never comes.

    `ended` maps each stream the server ended to how: a grpc-status from trailers, or
    "reset" for an RST_STREAM (the server cancelled it).
    """

    def __init__(
        self, host: str, port: int, path: str, body: bytes | None, count: int, per_connection: int
    ) -> None:
        self._lock = threading.Lock()
        self.ended: dict[tuple[int, int], str] = {}
        self._connections: list[_Connection] = []
        self._selector = selectors.DefaultSelector()
        self._closing = threading.Event()
        for first in range(0, count, per_connection):
            self._open(host, port, path, body, min(per_connection, count - first))
        self._pump = threading.Thread(target=self._run, name="unread-streams", daemon=True)
        self._pump.start()

    def _open(self, host: str, port: int, path: str, body: bytes | None, streams: int) -> None:
        sock = socket.create_connection((host, port))
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        conn.initiate_connection()
        conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
        connection = _Connection(sock, conn)
        headers = [
            (":method", "POST"),
            (":scheme", "http"),
            (":path", path),
            (":authority", f"{host}:{port}"),
            ("content-type", "application/grpc"),
            ("te", "trailers"),
        ]
        for _ in range(streams):
            stream = conn.get_next_available_stream_id()
            conn.send_headers(stream, headers)
            if body is not None:
                conn.send_data(stream, grpc_frame(body), end_stream=True)
            connection.streams.append(stream)
        connection.flush()
        self._connections.append(connection)
        self._selector.register(sock, selectors.EVENT_READ, connection)

    @property
    def count(self) -> int:
        return sum(len(c.streams) for c in self._connections)

    def ended_count(self) -> int:
        with self._lock:
            return len(self.ended)

    def statuses(self) -> list[str]:
        with self._lock:
            return list(self.ended.values())

    def _run(self) -> None:
        while not self._closing.is_set():
            for key, _ in self._selector.select(timeout=0.1):
                connection: _Connection = key.data
                try:
                    data = connection.sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    self._selector.unregister(connection.sock)
                    continue
                self._record(connection, connection.h2.receive_data(data))
                with contextlib.suppress(OSError):
                    connection.flush()  # SETTINGS and PING acknowledgements, never a window

    def _record(self, connection: _Connection, events: list[h2.events.Event]) -> None:
        key = id(connection)
        with self._lock:
            for event in events:
                if isinstance(event, h2.events.StreamReset):
                    self.ended.setdefault((key, event.stream_id), "reset")
                elif isinstance(event, h2.events.TrailersReceived | h2.events.ResponseReceived):
                    status = dict(event.headers or []).get(b"grpc-status")
                    if status is not None:
                        self.ended.setdefault((key, event.stream_id), status.decode())

    def close(self) -> None:
        self._closing.set()
        self._pump.join()
        self._selector.close()
        for connection in self._connections:
            connection.sock.close()


def idle_connections(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` connections that never make a call: half send nothing, half the preface."""
    sockets = []
    for n in range(count):
        sock = socket.create_connection((host, port))
        if n % 2:
            sock.sendall(PREFACE)
        sockets.append(sock)
    return sockets
