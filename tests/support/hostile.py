"""Hostile requests for every RPC, and sending them: what a fuzzer or an attacker would try.

Two classes: valid messages whose fields are hostile (IDs at and past their limits,
`data` with unpaired surrogates, deep nesting, duplicate keys, huge or odd numbers, odd
prices and quantities, control characters), and raw bodies that may not be messages at
all. Both go to `/AdminPortal/...` and to the course's `/project.AdminPortal/...`.

The generators take a `Chooser`: `random.Random` is one (the soak script), and
`Drawn` makes hypothesis one (the contract fuzz test, which then shrinks failures).
IDs come partly from a small pool, so that writes meet records that exist: stock held
in orders, a second create of the same ID, an update of a real record.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import grpc
from hypothesis import strategies as st

from proto import api_pb2 as pb

T = TypeVar("T")
MAX = 2**63 - 1


class Chooser(Protocol):
    def choice(self, options: Sequence[T]) -> T: ...
    def randint(self, low: int, high: int) -> int: ...


class Drawn:
    """A Chooser that draws through hypothesis (`st.data().draw`)."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self._draw = draw

    def choice(self, options: Sequence[T]) -> T:
        chosen: T = self._draw(st.sampled_from(options))
        return chosen

    def randint(self, low: int, high: int) -> int:
        drawn: int = self._draw(st.integers(low, high))
        return drawn


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


# IDs as the message carries them (a protobuf string cannot hold a lone surrogate:
# those go in raw bodies, below).
HOSTILE_IDS = (
    "", "0", " ", "x" * 256, "x" * 257, "9" * 5000, "a\nb", "a\x00b", "\x7f", "\x1b[2J",
    "\u200f", "\u202e", "\ufeff", "\U0010ffff", "\ud7ff", "😀", "é", "e\u0301", "-1",
    "12", "../../etc", '"', "\\", "%s",
)  # fmt: skip

# JSON literals, spliced into records as text: valid ones too, so records get made.
TEXTS = (
    '"Ana"', '""', '"\\ud800"', '"\\udfff"', '"a\\uDBFFb"', '"\\ude00\\ud83d"',
    '"\\ud83d\\ude00"', '"\\u0000"', '"a\\u001fb"', '"\x01"', '"\\u202e"', '"\u2028"',
    '"' + "x" * 3000 + '"', '"\\\\"', '"\\/"', '"\\x"',
)  # fmt: skip
NUMBERS = (
    "0", "1", "7", "-1", "-0", "0.0", "3.0", "2.5", "1e18", "1E2", "1e400", "-1e400",
    "1e-400", "NaN", "Infinity", "-Infinity", "00", ".5", "5.", "+1", "0x10",
    str(MAX), str(MAX - 1), str(2**62), str(2**63), str(2**64),
    "1" + "0" * 399, "1" * 4300, "1" * 4301, "0." + "0" * 4299 + "1", "1000000000000001",
)  # fmt: skip
NUMERIC_TEXTS = (
    '"2.50"', '"007"', '"3"', '"0"', '"1_000"', '"\\u0661\\u0662"', '"١٢"', '".5"', '"5."',
    '"+1"', '" 2"', '"2 "', '"1e3"', '"-1"', '""', '"NaN"', f'"{MAX}"', f'"{2**63}"',
    '"' + "1" * 20 + '"', '"' + "1" * 4301 + '"', '"1000000000000000"', '"\\ud800"',
)  # fmt: skip
SHAPES = (
    nested(31), nested(32), nested(33), nested(200), nested(1000),
    '{"a": ' * 40 + "1" + "}" * 40, '{"k": 1, "k": 2}', "[]", "{}", "null", "true",
    '{"\\ud800": 1}', '{"": 1}',
)  # fmt: skip
VALUES = TEXTS + NUMBERS + NUMERIC_TEXTS + SHAPES
QUANTITIES = ("1", "2", "5", '"3"', str(MAX), f'"{MAX}"', *NUMBERS, *NUMERIC_TEXTS)
PRICES = ("2", '"2.50"', '"1000000000000000"', *NUMBERS, *NUMERIC_TEXTS)


def identifier(ch: Chooser, pool: Sequence[str]) -> str:
    return ch.choice(pool) if ch.randint(0, 2) else ch.choice(HOSTILE_IDS)


def _id_literal(ch: Chooser, pool: Sequence[str]) -> str:
    if ch.randint(0, 3):
        return json.dumps(identifier(ch, pool))
    return ch.choice(TEXTS + NUMBERS)  # an ID that is no string, or holds a surrogate


def _whole(ch: Chooser) -> str:
    """`data` that is hostile as a whole, whatever the record."""
    return ch.choice(
        (
            "", " ", "{", '{"name": "Ana"', "\ufeff{}", "[" * 33, "not json", "{'name': 1}",
            '{"name": "Ana"}\x00', '{"name": "Ana"} {}', ch.choice(VALUES),
            json.dumps({"name": "Ana", "padding": "x" * 65_536}),
        )
    )  # fmt: skip


def client_data(ch: Chooser, pool: Sequence[str]) -> str:
    form = ch.randint(0, 4)
    if form == 0:
        return _whole(ch)
    if form == 1:
        return '{"name": "Ana", "name": ' + ch.choice(TEXTS) + "}"
    extra = f', "x": {ch.choice(VALUES)}' if form == 2 else ""
    return '{"name": ' + ch.choice(TEXTS) + extra + "}"


def product_data(ch: Chooser, pool: Sequence[str]) -> str:
    if ch.randint(0, 5) == 0:
        return _whole(ch)
    fields = [
        f'"name": {ch.choice(TEXTS)}',
        f'"price": {ch.choice(PRICES)}',
        f'"quantity": {ch.choice(QUANTITIES)}',
    ]
    if ch.randint(0, 3) == 0:
        fields.append(f'"{ch.choice(("x", "price", "quantity"))}": {ch.choice(VALUES)}')
    return "{" + ", ".join(fields) + "}"


def order_data(ch: Chooser, pool: Sequence[str]) -> str:
    if ch.randint(0, 5) == 0:
        return _whole(ch)
    key = ch.choice(("PID", "id"))
    lines = [
        f'{{"{key}": {_id_literal(ch, pool)}, "quantity": {ch.choice(QUANTITIES)}}}'
        for _ in range(ch.randint(0, 3))
    ]
    if key == "id":  # the older list form
        return "[" + ", ".join(lines) + "]"
    extra = f', "x": {ch.choice(VALUES)}' if ch.randint(0, 4) == 0 else ""
    return '{"products": [' + ", ".join(lines) + "]" + extra + "}"


DATA = {"Client": client_data, "Product": product_data, "Order": order_data}

# Bodies that are not messages of the type, or are but carry what a message cannot.
RAW_BODIES = (
    b"\n\x02\xff\xfe",  # invalid UTF-8 in field 1
    b"\n\x03\xed\xa0\x80",  # a surrogate encoded as UTF-8
    b"\n\x05ab",  # a truncated field
    b"\xff\xff\xff\xff",  # an invalid tag
    b"\x08" + b"\xff" * 11,  # an unterminated varint
    b"\n\xff\xff\xff\xff\x0f",  # a length of 4 GiB
    b"\r\x00\x00\x00\x00",  # field 1 as a fixed32
    b"\x0b\x0c",  # a group
    b"P\x01",  # an unknown field: a valid message
    b"",  # every field at its default
)


@dataclass(frozen=True)
class Call:
    path: str  # /AdminPortal/CreateClient or /project.AdminPortal/...
    streaming: bool
    body: bytes
    response: type[Any]  # the message type a reply parses as
    raw: bool  # a raw body, not a message built with hostile fields

    @property
    def rpc(self) -> str:
        return self.path.rsplit("/", 1)[1]


METHODS = [
    method
    for service in ("AdminPortal", "OrderPortal")
    for method in pb.DESCRIPTOR.services_by_name[service].methods
]


KEYS = {"Client": "CID", "Product": "PID", "Order": "OID", "ID": "ID"}


def _message(ch: Chooser, input_type: str, pool: Sequence[str]) -> bytes:
    fields = {KEYS[input_type]: identifier(ch, pool)}
    if input_type != "ID":
        fields["data"] = DATA[input_type](ch, pool)
    if input_type == "Order":
        fields["CID"] = identifier(ch, pool)
    return bytes(getattr(pb, input_type)(**fields).SerializeToString())


def _raw(ch: Chooser, input_type: str, pool: Sequence[str]) -> bytes:
    form = ch.randint(0, 3)
    if form == 0:
        return bytes(ch.randint(0, 255) for _ in range(ch.randint(1, 24)))
    if form == 1:  # a real message cut short, or with bytes after it
        body = _message(ch, input_type, pool)
        cut = ch.randint(0, len(body))
        return body[:cut] if ch.randint(0, 1) else body + ch.choice(RAW_BODIES)
    return ch.choice(RAW_BODIES)


def call(ch: Chooser, pool: Sequence[str]) -> Call:
    """One hostile call to one of the RPCs, on one of the two paths."""
    method = ch.choice(METHODS)
    service = method.containing_service.name
    raw = ch.randint(0, 3) == 0
    build = _raw if raw else _message
    return Call(
        path=f"/{ch.choice(('', 'project.'))}{service}/{method.name}",
        streaming=method.server_streaming,
        body=build(ch, method.input_type.name, pool),
        response=getattr(pb, method.output_type.name),
        raw=raw,
    )


@dataclass(frozen=True)
class Outcome:
    status: grpc.StatusCode
    details: str  # gRPC's details, or the Reply's description
    error: int | None  # Reply.error of a write; None for reads and failed calls
    replies: tuple[Any, ...]  # the parsed response messages

    @property
    def label(self) -> str:
        """What to count it as: the reply code, or the gRPC status."""
        if self.status != grpc.StatusCode.OK:
            return self.status.name
        return "read" if self.error is None else str(self.error)

    @property
    def refused(self) -> bool:
        """Nothing may have changed: a 4xx, or a call the server turned away."""
        if self.status != grpc.StatusCode.OK:
            return True
        return self.error is not None and 400 <= self.error < 500


def send(channel: grpc.Channel, hostile: Call, timeout: float) -> Outcome:
    """Send the body as it is (no serializer); parse what comes back."""
    raw: dict[str, Any] = {"request_serializer": None, "response_deserializer": None}
    try:
        if hostile.streaming:
            stream = channel.unary_stream(hostile.path, **raw)
            answers = tuple(stream(hostile.body, timeout=timeout))
        else:
            answers = (channel.unary_unary(hostile.path, **raw)(hostile.body, timeout=timeout),)
    except grpc.RpcError as failure:
        return Outcome(failure.code(), failure.details() or "", None, ())
    replies = tuple(hostile.response.FromString(answer) for answer in answers)
    if hostile.response is pb.Reply:
        (reply,) = replies
        return Outcome(grpc.StatusCode.OK, reply.description, reply.error, replies)
    return Outcome(grpc.StatusCode.OK, "", None, replies)
