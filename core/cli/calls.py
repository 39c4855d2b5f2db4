"""Calling a portal and turning its answer into lines for a person or a script."""

import json
from collections.abc import Iterator
from typing import Any

import grpc
from google.protobuf.message import Message

from core.cli.actions import Action
from proto import api_pb2 as pb

TIMEOUT_S = 10.0


class CallFailed(Exception):
    """A transport failure, already worded for the user."""

    def __init__(self, message: str, code: grpc.StatusCode) -> None:
        super().__init__(message)
        self.code = code


def invoke(channel: grpc.Channel, service: str, action: Action, request: Message) -> Any:
    """Call `action`'s RPC on `service`; a stream is read to the end."""
    method = pb.DESCRIPTOR.services_by_name[service].methods_by_name[action.rpc]
    response = getattr(pb, method.output_type.name)
    path = f"/{service}/{action.rpc}"
    codec: dict[str, Any] = {
        "request_serializer": type(request).SerializeToString,
        "response_deserializer": response.FromString,
    }
    try:
        if method.server_streaming:
            return list(channel.unary_stream(path, **codec)(request, timeout=TIMEOUT_S))
        return channel.unary_unary(path, **codec)(request, timeout=TIMEOUT_S)
    except grpc.RpcError as error:
        raise CallFailed(_explain(error), error.code()) from None


def _explain(error: grpc.RpcError) -> str:
    code = error.code()
    details = error.details()
    if code == grpc.StatusCode.UNAVAILABLE:
        return f"cannot reach the server ({details}); is it running at that address?"
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return f"the server did not answer within {TIMEOUT_S:.0f} s"
    if code == grpc.StatusCode.UNIMPLEMENTED:
        return "that server does not serve this portal; check the port"
    return f"the call failed: {code.name}: {details}"


def render(result: Any) -> tuple[bool, Iterator[str]]:
    """(success, lines to print) for a portal's answer."""
    if isinstance(result, list):
        return True, (_pretty(order.data) for order in result) if result else iter(["(none)"])
    if isinstance(result, pb.Reply):
        if result.error == 0:
            return True, iter(["OK"])
        return False, iter([f"error {result.error}: {result.description}"])
    key = getattr(result, result.DESCRIPTOR.fields[0].name)  # CID, PID or OID
    if key in ("", "0"):
        return False, iter(["not found"])
    return True, iter([_pretty(result.data)])


def _pretty(data: str) -> str:
    try:
        return json.dumps(json.loads(data), ensure_ascii=False)
    except ValueError:
        return data
