"""The scenarios' shared base: a Locust user of the portals over gRPC, every call recorded.

It follows Locust's documented gRPC pattern: gRPC is switched to gevent before any
channel exists, and a client interceptor times each call and fires Locust's
`request` event (request_type "grpc", name the RPC, response time in milliseconds
as a float) with the context `{"strategy", "server", "operation", "client",
"outcome", "error"}`: the `--strategy` label, the server's address, the RPC, the
user's label, the history's outcome and the Reply's error code (None for a read).

What Locust counts as a failure is what the comparison counts as an error: the
service not doing its job (a gRPC status other than OK, a 503, a 500). A business
refusal (400, 403, 404, 409: not enough stock, an ID that exists) is the service
working as specified and an expected outcome of the scenarios (order-rush sells
out by design), so it is reported as a success; its code is in the context, and
in the history.

The interceptor also records every call, as a `loadtests.history.Operation` with
raw `time.monotonic()` floats, into this process's recorder, which is written to
`--history` when the test stops (see `loadtests.recording` for the file names).
A call still in flight when Locust stops its users is recorded with the outcome
"unknown" (its write may still land) and is not reported to Locust.

Closed loop by default: a user sends its next call as soon as the last is answered.
With `--user-rate R` each user is open-loop instead: its calls fall due on a fixed
schedule (`loadtests.pacing`), each waits for its due time, and its latency, in the
history (`Operation.intended`) and to Locust, counts from that time.

Users spread over the servers round-robin per call, each user starting one server
further along; a user's label ("u3" on a local runner, "w1-u3" on worker 1) is its
client id in the history and part of every ID it creates. A scenario declares its
steps with `@step(weight)`: each user picks its next step with its own random
generator, seeded from `--scenario-seed` and its label, so one seed fixes every
user's sequence of calls (Locust's own task choice uses the global generator).
"""

import contextlib
import itertools
import logging
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Final, TypeVar

import gevent
import grpc
from google.protobuf.message import Message
from grpc.experimental import gevent as grpc_gevent  # type: ignore[attr-defined]
from locust import User, constant, events, task
from locust.argument_parser import LocustArgumentParser
from locust.env import Environment
from locust.runners import Runner, WorkerRunner

from loadtests.calls import (
    NO_REPLY,
    RPCS,
    Rpc,
    answered,
    arguments,
    outcome_trailer,
    refused,
    request,
    unanswered,
)
from loadtests.history import Operation, Outcome, Recorder
from loadtests.options import OptionsError, Settings, add_options, settings
from loadtests.pacing import Schedule
from loadtests.recording import history_file, save

# gRPC's own threads would block gevent's loop: this must run before any channel.
grpc_gevent.init_gevent()

SETUP_LABEL: Final = "setup"
RECORDER: Final = Recorder()  # every call this process makes, written at test stop

log = logging.getLogger(__name__)
_channels: dict[str, grpc.Channel] = {}  # one connection per server, shared by the users
_numbers = itertools.count(1)  # the users this process started

R = TypeVar("R")


@dataclass
class Caller:
    """Who makes the calls: a user (or the setup), and where its calls are reported."""

    label: str
    strategy: str
    environment: Environment
    report: bool = True  # to Locust's statistics; the setup's calls are only recorded
    # The latest call: a caller makes one call at a time, so the interceptor hands the
    # recorded operation back to `Shop.call` here.
    last: Operation | None = None
    due: float | None = None  # when the call being made fell due (open loop); None: closed


class Interceptor(
    grpc.UnaryUnaryClientInterceptor,  # type: ignore[type-arg]  # generic only in the stubs
    grpc.UnaryStreamClientInterceptor,  # type: ignore[type-arg]
):
    """Times, records and reports every call of one caller to one server."""

    def __init__(self, caller: Caller, server: str) -> None:
        self.caller = caller
        self.server = server

    def intercept_unary_unary(
        self, continuation: Callable[..., Any], details: grpc.ClientCallDetails, message: Any
    ) -> Any:
        def wait() -> tuple[Any, Message, str | None]:
            call = continuation(details, message)
            reply = call.result()
            return call, reply, outcome_trailer(call.trailing_metadata())

        return self._observe(details, message, wait)

    def intercept_unary_stream(
        self, continuation: Callable[..., Any], details: grpc.ClientCallDetails, message: Any
    ) -> Any:
        def drain() -> tuple[Iterator[Message], list[Message], None]:
            replies = list(continuation(details, message))
            return iter(replies), replies, None  # a read: no outcome trailer

        return self._observe(details, message, drain)

    def _observe(
        self,
        details: grpc.ClientCallDetails,
        message: Message,
        run: Callable[[], tuple[R, Any, str | None]],
    ) -> R | grpc.RpcError:
        rpc = RPCS[details.method.rsplit("/", 1)[-1]]
        started = time.time()
        invoke = time.monotonic()
        try:
            returned, reply, trailer = run()
        except grpc.RpcError as error:
            complete = time.monotonic()
            done = self._record(
                rpc, message, invoke, complete, unanswered(rpc, _status(error), _code(error))
            )
            self._report(done, started)
            return error  # the caller's stub raises it
        except BaseException as error:
            complete = time.monotonic()
            # An Exception here is a bug on this side (say, a request that does not
            # serialize); anything else is Locust stopping the user in mid-call. Either
            # way the call is kept: its write may land all the same.
            why = repr(error) if isinstance(error, Exception) else "stopped in flight"
            self._record(rpc, message, invoke, complete, unanswered(rpc, why))
            raise
        complete = time.monotonic()
        done = self._record(rpc, message, invoke, complete, answered(reply, trailer))
        size = sum(r.ByteSize() for r in reply) if isinstance(reply, list) else reply.ByteSize()
        self._report(done, started, size)
        return returned

    def _record(
        self,
        rpc: Rpc,
        message: Message,
        invoke: float,
        complete: float,
        verdict: tuple[Outcome, dict[str, Any]],
    ) -> Operation:
        outcome, result = verdict
        operation = Operation(
            process=self.caller.label,
            server=self.server,
            op=rpc.name,
            args=arguments(message),
            invoke=invoke,
            complete=complete,
            outcome=outcome,
            result=result,
            intended=self.caller.due,
        )
        RECORDER.record(operation)
        self.caller.last = operation
        return operation

    def _report(self, done: Operation, started: float, size: int = 0) -> None:
        caller = self.caller
        if not caller.report:
            return
        result = done.result
        error = None
        if done.outcome != "ok" and not refused(result):
            code, text = result.get("error"), result["description"]
            error = ServiceError(text if code in (None, NO_REPLY) else f"error {code}: {text}")
        caller.environment.events.request.fire(
            request_type="grpc",
            name=done.op,
            start_time=started,
            response_time=done.latency_s * 1000,
            response_length=size,
            response=None,
            exception=error,
            context={
                "strategy": caller.strategy,
                "server": done.server,
                "operation": done.op,
                "client": caller.label,
                "outcome": done.outcome,
                "error": result.get("error"),
            },
        )


class ServiceError(Exception):
    """The service not doing its job (no reply, a 503, a 500), as Locust reports it."""


def _status(error: grpc.RpcError) -> str:
    if isinstance(error, grpc.Call):
        return f"{error.code().name}: {error.details()}"
    return type(error).__name__


def _code(error: grpc.RpcError) -> str | None:
    return error.code().name if isinstance(error, grpc.Call) else None


# gRPC waits 1 s, then longer and longer (up to 2 min), before it tries a server that
# refused a connection again, failing calls at once meanwhile: a node restarted after
# a fault would look down for seconds after it is back. Users try again within 0.5 s.
RECONNECT: Final = [
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 500),
]


def _channel(address: str) -> grpc.Channel:
    if address not in _channels:
        _channels[address] = grpc.insecure_channel(address, options=RECONNECT)
    return _channels[address]


class Shop:
    """The portals as one caller sees them: any RPC by name, every call recorded."""

    def __init__(
        self, caller: Caller, settings: Settings, first: int = 0, schedule: Schedule | None = None
    ) -> None:
        self.caller = caller
        self.schedule = schedule  # None: closed loop, each call sent at once
        self.servers = {"admin": settings.admin_servers, "order": settings.order_servers}
        self._turns = {portal: _rotation(s, first) for portal, s in self.servers.items()}
        self._timeout = settings.call_timeout  # a call that takes longer: outcome unknown
        self._methods: dict[tuple[str, str], Callable[..., Any]] = {}

    def call(self, name: str, *, server: str | None = None, **fields: Any) -> Operation:
        """Call RPC `name` with request `fields` on `server` (default: the next one in
        turn for its portal); the operation as recorded, whatever its outcome."""
        rpc = RPCS[name]
        address = server or next(self._turns[rpc.portal])
        if self.schedule is not None:
            self.caller.due = self.schedule.next_due()
            # Locust patched time.sleep for gevent: the other users run meanwhile.
            time.sleep(max(0.0, self.caller.due - time.monotonic()))
        # A call without a reply is recorded all the same, with the outcome that says so.
        with contextlib.suppress(grpc.RpcError):
            self._method(address, rpc)(request(rpc, **fields), timeout=self._timeout)
        assert self.caller.last is not None  # the interceptor recorded the call
        return self.caller.last

    def _method(self, address: str, rpc: Rpc) -> Callable[..., Any]:
        key = (address, rpc.name)
        if key not in self._methods:
            channel = grpc.intercept_channel(_channel(address), Interceptor(self.caller, address))
            make = channel.unary_stream if rpc.streaming else channel.unary_unary
            self._methods[key] = make(
                rpc.path,
                request_serializer=rpc.request.SerializeToString,
                response_deserializer=rpc.response.FromString,
            )
        return self._methods[key]


def _rotation(servers: Sequence[str], first: int) -> Iterator[str]:
    start = first % len(servers)
    return itertools.cycle([*servers[start:], *servers[:start]])


def run_settings(environment: Environment) -> Settings:
    return settings(environment.parsed_options, environment.host)


def _worker_index(runner: Runner | None) -> int | None:
    return runner.worker_index if isinstance(runner, WorkerRunner) else None


Step = Callable[[Any], None]
_STEP_WEIGHT: Final = "testbed_step_weight"


def step(weight: int) -> Callable[[Step], Step]:
    """Mark a method of a `GrpcUser` as one of its steps, chosen with this weight."""

    def mark(method: Step) -> Step:
        setattr(method, _STEP_WEIGHT, weight)
        return method

    return mark


class GrpcUser(User):
    """A client of the portals; subclasses define `@step` methods (and may use on_start)."""

    abstract = True
    wait_time = constant(0)  # the load measures throughput: no think time
    steps: ClassVar[tuple[tuple[Step, ...], tuple[int, ...]]] = ((), ())

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        marked = [getattr(cls, name) for name in dir(cls)]
        weighted = [(m, getattr(m, _STEP_WEIGHT)) for m in marked if hasattr(m, _STEP_WEIGHT)]
        cls.steps = (tuple(m for m, _ in weighted), tuple(w for _, w in weighted))

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self.settings = run_settings(environment)
        number = next(_numbers)
        index = _worker_index(environment.runner)
        self.label = f"u{number}" if index is None else f"w{index}-u{number}"
        self.rng = random.Random(f"{self.settings.seed}/{self.label}")
        self.shop = Shop(
            Caller(self.label, self.settings.strategy, environment),
            self.settings,
            number,
            self._schedule(),
        )
        self._ids = itertools.count(1)

    def _schedule(self) -> Schedule | None:
        rate = self.settings.user_rate
        if rate is None:
            return None
        # Its own generator: the steps' choices stay those of the closed loop.
        phase = random.Random(f"{self.settings.seed}/{self.label}/phase").random() / rate
        return Schedule(rate, phase)

    def new_id(self, kind: str) -> str:
        """An ID no other user or run creates: kind "c" for a client, "p", "o"..."""
        return f"{self.settings.prefix}-{self.label}-{kind}{next(self._ids)}"

    @task
    def take_step(self) -> None:
        methods, weights = self.steps
        self.rng.choices(methods, weights)[0](self)


def on_setup(create: Callable[[Shop, str], None]) -> None:
    """Run `create(shop, prefix)` once per run, before the users start, on the local
    runner or the master: the records every user relies on, recorded like any call."""

    def run(environment: Environment, **_: Any) -> None:
        if isinstance(environment.runner, WorkerRunner):
            return
        current = run_settings(environment)
        caller = Caller(SETUP_LABEL, current.strategy, environment, report=False)
        create(Shop(caller, current), current.prefix)

    events.test_start.add_listener(run)


def _add_options(parser: LocustArgumentParser, **_: Any) -> None:
    add_options(parser)


def _check_options(environment: Environment, **_: Any) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return  # a worker gets its options from the master
    try:
        current = run_settings(environment)
    except OptionsError as error:
        sys.exit(f"locust: {error}")
    log.info("scenario seed %d: this run's IDs start with %s-", current.seed, current.prefix)


def _refresh_clock(**_: Any) -> None:
    """Bring gevent's clock up to date before Locust arms its --run-time timer.

    libev caches the loop's time, and a timer started outside a running loop is set
    from that cached time. Locust starts the run-time timer from its main greenlet
    right after `init`; a locustfile whose imports took seconds (grpc, a busy
    machine) left the cache that much behind, so a `-t 3s` run ended a few
    milliseconds after it began.
    """
    gevent.get_hub().loop.update_now()


def _write_history(environment: Environment, **_: Any) -> None:
    path = run_settings(environment).history
    if path:
        save(history_file(path, _worker_index(environment.runner)), RECORDER.operations())


events.init_command_line_parser.add_listener(_add_options)
events.init.add_listener(_check_options)
events.init.add_listener(_refresh_clock)
events.test_stop.add_listener(_write_history)
