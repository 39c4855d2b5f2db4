"""Request bodies that are not messages of the RPC's type: INVALID_ARGUMENT, not INTERNAL.

grpcio answers INTERNAL "Exception deserializing request!" when a request deserializer
raises, before any handler runs. So the deserializer here never raises: it returns
`NotAMessage`, and the guarded handler aborts with INVALID_ARGUMENT and a sentence
naming the message it expected.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import DecodeError, Message

Handler = Callable[[Any, grpc.ServicerContext], Any]


@dataclass(frozen=True, slots=True)
class NotAMessage:
    """What a body that failed to parse becomes: the reason, for the caller."""

    description: str


def decoder(message: type[Message]) -> Callable[[bytes], Message | NotAMessage]:
    name = message.DESCRIPTOR.name

    def decode(body: bytes) -> Message | NotAMessage:
        try:
            return message.FromString(body)
        except DecodeError:  # also a string field that is not valid UTF-8
            return NotAMessage(f"the request body is not a valid {name} message")

    return decode


def guarded(handler: Handler) -> Handler:
    """`handler`, except that a `NotAMessage` request is answered INVALID_ARGUMENT."""

    def handle(request: Any, context: grpc.ServicerContext) -> Any:
        if isinstance(request, NotAMessage):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, request.description)
        return handler(request, context)

    return handle


def codec(request: type[Message], response: type[Message]) -> dict[str, Any]:
    """The serializer arguments of grpc's `*_rpc_method_handler` for one RPC."""
    return {
        "request_deserializer": decoder(request),
        "response_serializer": response.SerializeToString,
    }
