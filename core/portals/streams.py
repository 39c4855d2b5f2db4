"""The bound on response streams: how many at once, and how long a message may wait.

In grpcio's sync server a stream's thread hands each message to the transport and
waits until it is sent. A client that never reads (never opens its HTTP/2 window)
makes that wait endless, and the thread with it. So every response-streaming call
(RetrieveClientOrders, health Watch, reflection) passes through `StreamLimit`: beyond
`max_streams` open at once it is refused with RESOURCE_EXHAUSTED, and a watchdog
cancels a stream whose message has waited more than `timeout` seconds to be sent,
which frees its thread. A stream that is merely quiet (a Watch with no news) is not
waiting on its client and is left alone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import grpc

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # generic in grpc-stubs only
    Handler = grpc.RpcMethodHandler[Any, Any]
    Interceptor = grpc.ServerInterceptor[Any, Any]
else:
    Handler = grpc.RpcMethodHandler
    Interceptor = grpc.ServerInterceptor
Continuation = Callable[[grpc.HandlerCallDetails], "Handler | None"]


@dataclass(eq=False)
class _Stream:
    context: grpc.ServicerContext
    method: str
    waiting_since: float | None = None  # when the message now being sent was handed over
    cancelled: bool = False


class StreamLimit(Interceptor):
    """Admits at most `max_streams` response streams; cancels those stuck for `timeout` s."""

    def __init__(self, max_streams: int, timeout: float) -> None:
        self.max_streams = max_streams
        self.timeout = timeout
        self._open: set[_Stream] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, name="stream-watchdog", daemon=True)

    def start(self) -> None:
        self._watchdog.start()

    def stop(self) -> None:
        self._stopping.set()
        self._watchdog.join()

    def open_streams(self) -> int:
        with self._lock:
            return len(self._open)

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = continuation(handler_call_details)
        if handler is None or not handler.response_streaming:
            return handler  # unary replies are sent without holding a thread
        return self._bounded_handler(handler, handler_call_details.method)

    def _bounded_handler(self, handler: Handler, method: str) -> Handler:
        behavior = handler.stream_stream if handler.request_streaming else handler.unary_stream
        assert behavior is not None  # a streaming handler has the behavior of its kind

        def bounded(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            return self._bounded(context, method, behavior, request)

        make = (
            grpc.stream_stream_rpc_method_handler
            if handler.request_streaming
            else grpc.unary_stream_rpc_method_handler
        )
        return make(bounded, handler.request_deserializer, handler.response_serializer)

    def _bounded(
        self,
        context: grpc.ServicerContext,
        method: str,
        behavior: Callable[[Any, grpc.ServicerContext], Iterator[Any]],
        request: Any,
    ) -> Iterator[Any]:
        stream = self._admit(context, method)
        for message in behavior(request, context):
            stream.waiting_since = time.monotonic()
            yield message  # gRPC asks for the next one once this one is sent
            stream.waiting_since = None

    def _admit(self, context: grpc.ServicerContext, method: str) -> _Stream:
        stream = _Stream(context, method)
        with self._lock:
            full = len(self._open) >= self.max_streams
            if not full:
                self._open.add(stream)
        if full:
            context.abort(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                f"the server is already sending {self.max_streams} streams, its limit "
                "([grpc] max_streams); try again when one has finished",
            )
        if not context.add_callback(lambda: self._close(stream)):
            self._close(stream)  # the call ended already
        return stream

    def _close(self, stream: _Stream) -> None:
        with self._lock:
            self._open.discard(stream)

    def _watch(self) -> None:
        period = min(1.0, self.timeout / 4)  # a stuck stream lives at most timeout + period
        while not self._stopping.wait(period):
            for stream in self._stalled(time.monotonic() - self.timeout):
                stream.cancelled = True
                log.warning(
                    "cancelled %s to %s: its client took no message for %g s",
                    stream.method,
                    stream.context.peer(),
                    self.timeout,
                )
                # Fails the pending send, so the stream's thread returns.
                stream.context.cancel()  # type: ignore[no-untyped-call]  # untyped in grpc-stubs

    def _stalled(self, waiting_before: float) -> list[_Stream]:
        with self._lock:
            return [
                stream
                for stream in self._open
                if not stream.cancelled
                and stream.waiting_since is not None
                and stream.waiting_since < waiting_before
            ]
