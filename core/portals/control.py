"""`/testbed.Control/Status`: a node's role, leader, details and state digest, as JSON.

Internal to the testbed (status command, launcher, comparison); it needs no proto:
the request is ignored and the response is UTF-8 JSON bytes.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Protocol

import grpc

from core.config import NodeConfig
from core.replication import Status

SERVICE = "testbed.Control"
STATUS_METHOD = f"/{SERVICE}/Status"


class Observed(Protocol):
    """What the status reads of a node: a `Replicator`, or a storage replica's own."""

    def status(self) -> Status: ...

    def digest(self) -> str: ...


def status_document(replicator: Observed, node: NodeConfig) -> dict[str, Any]:
    return {
        **asdict(replicator.status()),
        "kind": node.kind,
        "group": node.group,  # the launcher writes every node's group into the cluster file
        "address": node.address,
        "portals": list(node.portals),
        "digest": replicator.digest(),
    }


def control_handler(replicator: Observed, node: NodeConfig) -> grpc.GenericRpcHandler[Any, Any]:
    def status(request: bytes, context: grpc.ServicerContext) -> bytes:
        return json.dumps(status_document(replicator, node)).encode()

    handler = grpc.unary_unary_rpc_method_handler(
        status, request_deserializer=None, response_serializer=None
    )
    return grpc.method_handlers_generic_handler(SERVICE, {"Status": handler})


def fetch_status(channel: grpc.Channel, timeout: float = 5.0) -> dict[str, Any]:
    call = channel.unary_unary(STATUS_METHOD, None, None)
    document: dict[str, Any] = json.loads(call(b"", timeout=timeout))
    return document
