"""The server's connection settings: what one client connection may hold, and for how long.

Chosen so that no client can hold the server (SPEC.md, "Bounded work") while a
well-behaved gRPC client never notices them:

- at most 100 calls at once per HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS, as
  nginx and Go servers do): one connection cannot take every thread; a gRPC client
  queues its extra calls itself;
- keepalive: the server pings a connection that has been quiet for 60 s and drops it
  when no answer comes within 20 s, so the calls of a client that vanished without
  closing its socket end in about 80 s, not at TCP's timeout (hours);
- ping abuse: a client may ping every 10 s or slower, with or without calls (clients
  that keep idle channels warm do so); faster pings twice and it gets GOAWAY, since a
  ping flood costs the server work for nothing;
- a connection that has not finished its HTTP/2 handshake within 10 s is closed, and one
  with no call for 5 minutes gets GOAWAY: idle connections cost a file descriptor each;
- every connection is retired after about 30 minutes (GOAWAY, then 60 s for its calls
  to finish): the one bound on a call whose request never arrives, which grpcio's sync
  server waits for on a thread that nothing else can reach. gRPC clients reconnect
  without failing a call.
"""

import resource
from typing import Any, Final

MINUTE_MS: Final = 60_000

OPTIONS: Final[list[tuple[str, Any]]] = [
    ("grpc.so_reuseport", 0),  # a busy port must fail, not be silently shared
    ("grpc.max_concurrent_streams", 100),
    ("grpc.keepalive_time_ms", MINUTE_MS),
    ("grpc.keepalive_timeout_ms", 20_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    ("grpc.http2.max_ping_strikes", 2),
    ("grpc.server_handshake_timeout_ms", 10_000),
    ("grpc.max_connection_idle_ms", 5 * MINUTE_MS),
    ("grpc.max_connection_age_ms", 30 * MINUTE_MS),
    ("grpc.max_connection_age_grace_ms", MINUTE_MS),
]


def raise_file_limit() -> None:
    """Let this process hold as many connections as the system allows it.

    The usual soft limit (1,024 descriptors) is below what a server must keep open while
    a thousand idle connections sit on it and its real clients still connect.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
