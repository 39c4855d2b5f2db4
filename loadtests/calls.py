"""What one RPC asked and what it got, in the shape `loadtests.history` records.

`RPCS` describes every RPC of SPEC.md from the proto descriptor: its portal, path
and message types. `request` builds a request from plain values; `arguments`,
`answered` and `unanswered` turn a request and its reply (or its absence) into an
operation's args, outcome and result, as the history's docstring defines them.

A write's reply is classified by its `testbed-outcome` trailer (`outcome_trailer`
reads it from the call's trailing metadata), which is kept in its result.

A call that got no reply (a gRPC status other than OK, or a load that stopped while
it was in flight) is recorded as:

    writes  "unknown", {"error": -1, "description": "<status>: <details>",
                        "status": "<status>"}
    reads   "fail",    {"found": False, "data": None, "description": ...,
                        "status": "<status>"}

`status` is the gRPC status code's name (DEADLINE_EXCEEDED, UNAVAILABLE, ...), None
when the call ended without one (the load stopped it, a bug on the client's side).

A read changes nothing, so a read without a reply is a plain failure.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from google.protobuf.message import Message

from core.portals.routes import PORTAL_SERVICES
from loadtests.history import READS, Outcome, business_refusal, outcome_of
from proto import api_pb2 as pb

NO_REPLY: Final = -1  # the `error` of a write that got no Reply at all
# From SPEC.md, not from the service's code: the recording must not share its bugs.
NOT_FOUND_ID: Final = "0"  # the ID a retrieve of a missing record answers with
OUTCOME_TRAILER: Final = "testbed-outcome"  # the trailing metadata key of a write reply
_KEYS: Final = {"Client": "CID", "Product": "PID", "Order": "OID"}  # a read reply's own ID


@dataclass(frozen=True)
class Rpc:
    name: str  # "CreateClient"
    portal: str  # "admin" or "order"
    path: str  # "/AdminPortal/CreateClient"
    request: type[Message]
    response: type[Message]
    streaming: bool  # RetrieveClientOrders answers with a stream

    @property
    def is_read(self) -> bool:
        return self.name in READS


def _rpcs() -> dict[str, Rpc]:
    rpcs = {}
    for portal, service in PORTAL_SERVICES.items():
        for method in pb.DESCRIPTOR.services_by_name[service].methods:
            rpcs[method.name] = Rpc(
                name=method.name,
                portal=portal,
                path=f"/{service}/{method.name}",
                request=getattr(pb, method.input_type.name),
                response=getattr(pb, method.output_type.name),
                streaming=method.server_streaming,
            )
    return rpcs


RPCS: Final = _rpcs()


def request(rpc: Rpc, **fields: Any) -> Message:
    """`rpc`'s request; a `data` that is not a string is sent as its JSON."""
    data = fields.get("data")
    if data is not None and not isinstance(data, str):
        fields["data"] = json.dumps(data, ensure_ascii=False)
    return rpc.request(**fields)


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def arguments(message: Message) -> dict[str, Any]:
    """A request's fields by name, its `data` parsed (kept raw when it is not JSON)."""
    args = {field.name: getattr(message, field.name) for field in message.DESCRIPTOR.fields}
    if "data" in args:
        args["data"] = _parsed(args["data"])
    return args


def outcome_trailer(metadata: Sequence[tuple[str, str | bytes]] | None) -> str | None:
    """The value of a reply's `testbed-outcome` trailer; None when the server sent none."""
    values = [value for key, value in metadata or () if key == OUTCOME_TRAILER]
    return values[0] if len(values) == 1 and isinstance(values[0], str) else None


def answered(
    reply: Message | Sequence[pb.Order], trailer: str | None = None
) -> tuple[Outcome, dict[str, Any]]:
    """The outcome and result of a call that got `reply` (a stream's messages, in order),
    for a write with its `testbed-outcome` trailer (None: the server sent none)."""
    if isinstance(reply, pb.Reply):
        return outcome_of(reply.error, trailer), {
            "error": reply.error,
            "description": reply.description,
            "outcome": trailer,
        }
    if isinstance(reply, pb.Client | pb.Product | pb.Order):
        found = getattr(reply, _KEYS[type(reply).__name__]) != NOT_FOUND_ID
        return "ok", {"found": found, "data": _parsed(reply.data) if found else None}
    if isinstance(reply, Sequence):
        return "ok", {"found": True, "data": [_parsed(order.data) for order in reply]}
    raise TypeError(f"no RPC of SPEC.md answers with a {type(reply).__name__}")


def unanswered(
    rpc: Rpc, description: str, status: str | None = None
) -> tuple[Outcome, dict[str, Any]]:
    """The outcome and result of a call that got no reply, `description` saying why and
    `status` naming its gRPC status code."""
    if rpc.is_read:
        return "fail", {"found": False, "data": None, "description": description, "status": status}
    return "unknown", {"error": NO_REPLY, "description": description, "status": status}


def refused(result: dict[str, Any]) -> bool:
    """A business refusal (4xx): the service working as specified, not failing."""
    return business_refusal(result.get("error"))
