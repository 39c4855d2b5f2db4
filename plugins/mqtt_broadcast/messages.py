"""The wire format of replicated effects: the seed's message plus two envelope fields.

An effect goes to PREFIX/<table> (clients, products or orders) as the JSON object
`{"op", "key", "data"}` of SPEC.md, exactly as the seed sent it, with two more fields:

- `id`: unique per message, `<origin>:<sequence>`, so a QoS 1 redelivery is applied
  once (see `dedup`) and a writer recognises its own message when it comes back;
- `origin`: the publishing process, `<node>.<random token>`, new at every start.

A message without them (a seed-era publisher) is still applied, without deduplication.
Whatever does not decode into an effect `State.apply` can take raises `BadMessage`,
so a stray publisher cannot break a replica.
"""

import json
import re
from dataclasses import dataclass
from typing import Any, Final, cast, get_args

from core.domain import TABLES, Effect
from core.domain.effects import Op

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


def encode(effect: Effect, message_id: str, origin: str) -> bytes:
    document = {**effect.message(), "id": message_id, "origin": origin}
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
    op, key, data = document.get("op"), document.get("key"), document.get("data", {})
    if op not in OPS:
        raise BadMessage(f"op must be one of {', '.join(OPS)}, not {op!r}")
    if not isinstance(key, str) or not key:
        raise BadMessage(f"key must be a non-empty string, not {key!r}")
    if not isinstance(data, dict):
        raise BadMessage("data must be a JSON object")
    if table == "orders" and op != "DELETE":
        _check_order(data)
    effect = Effect(table, cast(Op, op), key, {} if op == "DELETE" else data)
    return Envelope(effect, _optional_text(document, "id"), _optional_text(document, "origin"))


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
