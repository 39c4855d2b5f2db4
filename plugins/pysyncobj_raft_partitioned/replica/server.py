"""One storage replica process: its store, its Raft member, its gRPC server, recovery.

It serves, on the node's address: the Partition service (service.py), gRPC health
("" and the service's name, SERVING once it serves) and `/testbed.Control/Status`
(status.py). The ready file (name, address, pid) is written once it serves, the way
a portal server writes its own. It stops on SIGINT or SIGTERM, when the launcher that
started it is gone, or when its store fails (then with exit code 1, for a restart).
"""

import logging
import os
import signal
import threading
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, replace
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from pysyncobj import SyncObjException  # type: ignore[import-untyped]

from core import network
from core.config import ClusterConfig
from core.portals.connections import OPTIONS
from core.portals.control import SERVICE as CONTROL_SERVICE
from core.portals.control import control_handler
from core.portals.server import _stop_with_parent
from core.ports import check_listenable
from core.ready_file import publish
from plugins.pysyncobj_raft_partitioned.participant import TABLES, Participant
from plugins.pysyncobj_raft_partitioned.replica.deciders import Deciders
from plugins.pysyncobj_raft_partitioned.replica.node import PartitionNode
from plugins.pysyncobj_raft_partitioned.replica.recovery import Recovery
from plugins.pysyncobj_raft_partitioned.replica.service import PartitionService
from plugins.pysyncobj_raft_partitioned.replica.settings import ReplicaSettings
from plugins.pysyncobj_raft_partitioned.replica.status import ReplicaStatus
from plugins.pysyncobj_raft_partitioned.store import LmdbStore, MemoryStore, Store
from proto import storage_pb2, storage_pb2_grpc

log = logging.getLogger(__name__)

SERVICE = storage_pb2.DESCRIPTOR.services_by_name["Partition"].full_name


def open_store(settings: ReplicaSettings) -> Store:
    if settings.store == "memory":
        return MemoryStore(TABLES)
    return LmdbStore(settings.store_dir, tables=TABLES, durability=settings.durability)


@dataclass
class RunningReplica:
    store: Store
    node: PartitionNode
    server: grpc.Server
    port: int
    health: health.HealthServicer
    recovery: Recovery
    deciders: Deciders

    def stop(self, grace: float) -> None:
        """Stop serving, then recovery, then Raft (which flushes its journal), then the store."""
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()
        self.recovery.stop()
        self.deciders.close()
        self.node.destroy_synchronous()
        self.store.close()


def start(
    cluster: ClusterConfig, settings: ReplicaSettings, on_fatal: Callable[[], None]
) -> RunningReplica:
    """Start the replica on its address; `on_fatal` is called if its store fails."""
    node_config = settings.node
    check_listenable(node_config.host, node_config.port)
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    store = open_store(settings)
    try:
        node = _raft_node(settings, Participant(store), on_fatal)
    except BaseException:
        store.close()
        raise
    server = _grpc_server(cluster)
    storage_pb2_grpc.add_PartitionServicer_to_server(PartitionService(node, settings), server)
    # The status shows the replica's group (p<N>) and no portals, whatever the file says.
    shown = replace(node_config, portals=(), group=node_config.group or f"p{settings.partition}")
    server.add_generic_rpc_handlers([control_handler(ReplicaStatus(node, settings), shown)])
    health_servicer = health.HealthServicer(experimental_non_blocking=False)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        [SERVICE, CONTROL_SERVICE, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    try:
        port = server.add_insecure_port(node_config.address)
    except RuntimeError:
        port = 0
    if port == 0:
        node.destroy_synchronous()
        store.close()
        raise OSError(f"cannot listen on {node_config.address}: the port is in use")
    server.start()
    for name in ("", SERVICE):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    deciders = Deciders(settings.groups, settings.timeout)
    recovery = Recovery(node, settings, deciders)
    recovery.start()
    return RunningReplica(store, node, server, port, health_servicer, recovery, deciders)


def _raft_node(
    settings: ReplicaSettings, participant: Participant, on_fatal: Callable[[], None]
) -> PartitionNode:
    node = PartitionNode(settings, participant, on_fatal)
    try:
        node.waitBinded()
    except SyncObjException:
        node.destroy_synchronous()
        raise OSError(
            f"cannot listen for Raft on {settings.member.raft}: the port is in use "
            "or the address is not on this machine"
        ) from None
    return node


def _grpc_server(cluster: ClusterConfig) -> grpc.Server:
    settings = cluster.grpc
    limit = settings.max_message_bytes
    return grpc.server(
        futures.ThreadPoolExecutor(max_workers=settings.workers),
        options=[
            *OPTIONS,
            ("grpc.max_receive_message_length", limit),
            ("grpc.max_send_message_length", limit),
        ],
        maximum_concurrent_rpcs=settings.workers,
    )


def write_ready_file(path: Path, name: str, host: str, port: int) -> None:
    document = {"name": name, "address": f"{host}:{port}", "pid": os.getpid()}
    publish(path, document)


def serve(cluster: ClusterConfig, settings: ReplicaSettings, ready_file: Path | None) -> int:
    """Serve until SIGINT or SIGTERM (0), or until the store fails (1)."""
    stopping, fatal = threading.Event(), threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    _stop_with_parent(stopping)
    host = settings.node.host
    if host.startswith("127.") and host != "127.0.0.1":
        network.bind_outgoing(host)  # its own loopback address: network faults can cut it

    def failed() -> None:
        fatal.set()
        stopping.set()

    running = start(cluster, settings, failed)
    log.info(
        "%s serving partition %d on %s:%d (Raft %s, store %s)",
        settings.member.name,
        settings.partition,
        host,
        running.port,
        settings.member.raft,
        settings.store,
    )
    if ready_file is not None:
        write_ready_file(ready_file, settings.member.name, host, running.port)
    stopping.wait()
    log.info("%s stopping", settings.member.name)
    running.stop(cluster.grpc.grace_seconds)
    return 1 if fatal.is_set() else 0
