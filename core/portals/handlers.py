"""gRPC method handlers for the portals' routes, answering on both service paths."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import grpc
from google.protobuf.message import Message

from core.domain import Code, InvalidInput, Reply
from core.portals import codec as bodies
from core.portals.routes import SERVICES, Read, Route, Stream, Write, lookup_id
from core.replication import Replicator, Unavailable
from proto import api_pb2 as pb

log = logging.getLogger(__name__)

COURSE_PACKAGE = "project"  # the course's copy of api.proto declares `package project;`
INTERNAL_ERROR = "internal error: the server logged a traceback; please report it"
OUTCOME_TRAILER = "testbed-outcome"  # SPEC.md: what a write's reply proves, for programs


def _write(replicator: Replicator, route: Write, method: str) -> Any:
    def handle(request: Message, context: grpc.ServicerContext) -> pb.Reply:
        try:
            reply = replicator.execute(route.parse(request))
        except InvalidInput as error:
            reply = Reply(Code.INVALID, str(error))
        except Exception:
            log.exception("%s failed", method)
            reply = Reply(Code.INTERNAL, INTERNAL_ERROR)
        context.set_trailing_metadata(((OUTCOME_TRAILER, reply.certainty.value),))
        if reply.ok:
            return pb.Reply(error=Code.OK)
        return pb.Reply(error=reply.code, description=reply.description)

    return handle


def _read(replicator: Replicator, route: Read, method: str) -> Any:
    def handle(request: pb.ID, context: grpc.ServicerContext) -> Message:
        key = lookup_id(request.ID)
        try:
            result = None if key is None else replicator.read(route.query(key))
        except Unavailable as error:
            context.abort(grpc.StatusCode.UNAVAILABLE, str(error))
        except Exception:
            log.exception("%s failed", method)
            context.abort(grpc.StatusCode.INTERNAL, INTERNAL_ERROR)
        return route.render(request.ID, result)

    return handle


def _stream(replicator: Replicator, route: Stream, method: str) -> Any:
    def handle(request: pb.ID, context: grpc.ServicerContext) -> Iterator[Message]:
        key = lookup_id(request.ID)
        try:
            results = [] if key is None else replicator.read(route.query(key))
        except Unavailable as error:
            context.abort(grpc.StatusCode.UNAVAILABLE, str(error))
        except Exception:
            log.exception("%s failed", method)
            context.abort(grpc.StatusCode.INTERNAL, INTERNAL_ERROR)
        yield from route.render(results)

    return handle


def _method_handler(
    replicator: Replicator, route: Route, method: Any
) -> grpc.RpcMethodHandler[Any, Any]:
    codec = bodies.codec(getattr(pb, method.input_type.name), getattr(pb, method.output_type.name))
    if isinstance(route, Write):
        write = bodies.guarded(_write(replicator, route, method.name))
        return grpc.unary_unary_rpc_method_handler(write, **codec)
    if isinstance(route, Read):
        read = bodies.guarded(_read(replicator, route, method.name))
        return grpc.unary_unary_rpc_method_handler(read, **codec)
    stream = bodies.guarded(_stream(replicator, route, method.name))
    return grpc.unary_stream_rpc_method_handler(stream, **codec)


def add_portal(server: grpc.Server, replicator: Replicator, service: str) -> None:
    """Serve `service` under its own name and under the course's package name.

    Registered as the generated stubs do it: as registered methods, which gRPC matches
    in its core, and as generic handlers too.
    """
    routes = SERVICES[service]
    descriptor = pb.DESCRIPTOR.services_by_name[service]
    methods = {
        method.name: _method_handler(replicator, routes[method.name], method)
        for method in descriptor.methods
    }
    for name in (service, f"{COURSE_PACKAGE}.{service}"):
        server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(name, methods)])
        server.add_registered_method_handlers(name, methods)  # type: ignore[attr-defined]  # grpcio >= 1.62, newer than grpc-stubs
