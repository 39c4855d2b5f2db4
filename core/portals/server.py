"""One portal server process: a replicator behind the portals, health and reflection."""

import logging
import os
import signal
import threading
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from core import network, registry
from core.config import ClusterConfig, NodeConfig
from core.portals.connections import OPTIONS, raise_file_limit
from core.portals.control import SERVICE as CONTROL_SERVICE
from core.portals.control import control_handler
from core.portals.handlers import add_portal
from core.portals.routes import PORTAL_SERVICES
from core.portals.streams import StreamLimit
from core.ports import check_listenable
from core.ready_file import publish
from core.replication import Replicator
from core.strategy import NodeContext
from proto import api_pb2

log = logging.getLogger(__name__)

PARENT_ENV = "TESTBED_PARENT_PID"  # set by the launcher: stop when that process is gone


@dataclass
class RunningServer:
    server: grpc.Server
    port: int
    health: health.HealthServicer
    replicator: Replicator
    streams: StreamLimit

    def stop(self, grace: float) -> None:
        """Stop accepting calls, let in-flight ones finish, then stop replicating."""
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()
        self.streams.stop()
        self.replicator.stop()


def build_replicator(cluster: ClusterConfig, node: NodeConfig) -> Replicator:
    descriptor = registry.get(cluster.strategy)
    options = descriptor.resolve(cluster.options)
    return descriptor.factory(NodeContext(node=node, cluster=cluster, options=options))


def start(cluster: ClusterConfig, node: NodeConfig, replicator: Replicator) -> RunningServer:
    """Start serving `node`'s portals on its address; port 0 picks a free port.

    Every call in flight has a thread of its own and calls beyond `workers` are refused
    (RESOURCE_EXHAUSTED) at once, so no call ever queues behind one a client holds up.
    """
    settings = cluster.grpc
    limit = settings.max_message_bytes
    streams = StreamLimit(settings.max_streams, settings.stream_timeout_seconds)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=settings.workers),
        interceptors=[streams],
        options=[
            *OPTIONS,
            ("grpc.max_receive_message_length", limit),
            ("grpc.max_send_message_length", limit),
        ],
        maximum_concurrent_rpcs=settings.workers,
    )
    services = [PORTAL_SERVICES[portal] for portal in node.portals]
    for service in services:
        add_portal(server, replicator, service)
    server.add_generic_rpc_handlers([control_handler(replicator, node)])
    # Blocking Watch: its messages are sent by its own call's thread, which StreamLimit
    # bounds, not by whoever calls set() (a Watch client that never reads would hang it).
    health_servicer = health.HealthServicer(experimental_non_blocking=False)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    full_names = [api_pb2.DESCRIPTOR.services_by_name[s].full_name for s in services]
    reflection.enable_server_reflection(
        [*full_names, CONTROL_SERVICE, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    check_listenable(node.host, node.port)
    try:
        port = server.add_insecure_port(node.address)
    except RuntimeError:
        port = 0
    if port == 0:
        raise OSError(f"cannot listen on {node.address}: the port is in use or not available")
    replicator.start()
    streams.start()
    server.start()
    for name in ["", *services]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return RunningServer(server, port, health_servicer, replicator, streams)


def _write_ready_file(path: Path, node: NodeConfig, port: int) -> None:
    document = {
        "name": node.name,
        "address": f"{node.host}:{port}",
        "portals": list(node.portals),
        "pid": os.getpid(),
    }
    publish(path, document)


def _stop_with_parent(stopping: threading.Event) -> None:
    parent = os.environ.get(PARENT_ENV)
    if parent is None:
        return

    def watch() -> None:
        while not stopping.wait(0.5):
            if os.getppid() != int(parent):
                log.warning("the launcher (pid %s) is gone; stopping", parent)
                stopping.set()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def serve(cluster: ClusterConfig, node: NodeConfig, ready_file: Path | None = None) -> int:
    """Serve until SIGINT or SIGTERM, then shut down gracefully; returns the exit code."""
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    _stop_with_parent(stopping)
    raise_file_limit()
    if node.host.startswith("127.") and node.host != "127.0.0.1":
        network.bind_outgoing(node.host)  # its own loopback address: network faults can cut it
    running = start(cluster, node, build_replicator(cluster, node))
    log.info(
        "%s serving %s on %s:%d with strategy %s",
        node.name,
        "+".join(node.portals),
        node.host,
        running.port,
        cluster.strategy,
    )
    if ready_file is not None:
        _write_ready_file(ready_file, node, running.port)
    stopping.wait()
    log.info("%s stopping: finishing in-flight calls", node.name)
    running.stop(cluster.grpc.grace_seconds)
    return 0
