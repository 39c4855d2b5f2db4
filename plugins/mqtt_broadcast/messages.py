"""The wire format of replicated effects: the seed's message plus envelope fields.

An effect goes to PREFIX/<table> (clients, products or orders) as the JSON object
`{"op", "key", "data"}` of SPEC.md, exactly as the seed sent it, with more fields:

- `id`: unique per message, `<origin>:<sequence>`, so a QoS 1 redelivery is applied
  once (see `dedup`) and a writer recognises its own message when it comes back;
- `origin`: the publishing process, `<node>.<random token>`, new at every start;
- `record`, with option wire = course only: the record itself, while `data` holds it
  in the shape the course's own servers read (see `course_wire`).

A message without an origin (the course's servers, any seed-format publisher) is still
applied, without deduplication, its data taken from the course's shape. Whatever does
not decode into an effect `State.apply` can take raises `BadMessage`, so a stray
publisher cannot break a replica.
"""

import json
import re
from dataclasses import dataclass
from typing import Any, Final, cast, get_args

from core.domain import TABLES, Effect
from core.domain.effects import Op
from plugins.mqtt_broadcast.course_wire import course_data, from_course

OPS: Final = get_args(Op)


class BadMessage(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Envelope:
    effect: Effect
    id: str | None = None
    origin: str | None = None


def topic(prefix: str, *levels: str) -> str:
    return "/".join(part for part in (prefix, *levels) if part)


def origin_token(node: str, token: str) -> str:
    """A publisher's name that is also a valid single topic level."""
    return f"{re.sub(r'[^A-Za-z0-9_-]', '_', node)}.{token}"


def encode(effect: Effect, message_id: str, origin: str, course: bool = False) -> bytes:
    """The message for `effect`; `course`: `data` in the course's shape, `record` beside."""
    document = {**effect.message(), "id": message_id, "origin": origin}
    if course and effect.op != "DELETE":
        document |= {"data": course_data(effect), "record": effect.data}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def decode(table: str, payload: bytes | bytearray) -> Envelope:
    """The envelope of a message received on PREFIX/`table`."""
    if table not in TABLES:
        raise BadMessage(f"no table {table!r}")
    try:
        document = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadMessage(f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise BadMessage("not a JSON object")
    op, key = document.get("op"), document.get("key")
    if op not in OPS:
        raise BadMessage(f"op must be one of {', '.join(OPS)}, not {op!r}")
    if not isinstance(key, str) or not key:
        raise BadMessage(f"key must be a non-empty string, not {key!r}")
    message_id, origin = _optional_text(document, "id"), _optional_text(document, "origin")
    data = document.get("data", {})
    if origin is not None:  # ours; with wire = course, `data` is in the course's shape
        data = document.get("record", data)
    if not isinstance(data, dict):
        raise BadMessage("data must be a JSON object")
    if op == "DELETE":
        data = {}
    elif origin is None:
        try:
            data = from_course(table, key, data)
        except ValueError as error:
            raise BadMessage(str(error)) from None
    elif table == "orders":
        _check_order(data)
    return Envelope(Effect(table, cast(Op, op), key, data), message_id, origin)


def _check_order(data: dict[str, Any]) -> None:
    """What `State.apply` reads from an order record to keep its indexes."""
    lines = data.get("products")
    if not isinstance(data.get("CID"), str) or not isinstance(lines, list):
        raise BadMessage("an order needs a string CID and a list of products")
    if not all(isinstance(line, dict) and _is_line(line) for line in lines):
        raise BadMessage("every order line needs a string PID and an integer quantity")


def _is_line(line: dict[str, Any]) -> bool:
    quantity = line.get("quantity")
    return isinstance(line.get("PID"), str) and type(quantity) is int and quantity >= 0


def _optional_text(document: dict[str, Any], name: str) -> str | None:
    value = document.get(name)
    if value is not None and not isinstance(value, str):
        raise BadMessage(f"{name} must be a string, not {value!r}")
    return value
