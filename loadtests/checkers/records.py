"""How the checkers compare records: the part of each record that the writes determine.

Clients compare as their whole JSON; products as their JSON without "quantity"
(orders move it, so the stock is a counter beside the record); orders as their
client and their lines' quantities (names, prices and totals are the server's).
"""

import enum
import json
import math
from collections.abc import Hashable, Mapping
from typing import Any, Final

from loadtests.history import Operation

Value = Hashable


class Wildcard(enum.Enum):
    """A value no write in the history gave, that every value matches."""

    ANY = "any"


ABSENT: Final = None  # the value of a record that does not exist
ANY: Final = Wildcard.ANY  # a value the history does not show (set up before recording)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def product_fields(data: Any) -> str:
    if isinstance(data, dict):
        return canonical({name: v for name, v in data.items() if name != "quantity"})
    return canonical(data)


def count(value: Any) -> int | None:
    """A quantity as stored or returned, leniently (number or numeric string, even a
    negative one): a reply that breaks the rules must still be read, to be judged."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if math.isfinite(number) and number.is_integer() else None


def stock(data: Any) -> int | None:
    return count(data.get("quantity")) if isinstance(data, dict) else None


def order_value(cid: str, lines: Mapping[str, int]) -> Value:
    return (cid, tuple(sorted((pid, q) for pid, q in lines.items() if q)))


def _view_value(data: Any) -> Value:
    """An order as RetrieveOrder returned it; anything malformed compares unequal to all."""
    try:
        cid = data["CID"]
        lines = {line["PID"]: count(line["quantity"]) for line in data["products"]}
    except (TypeError, KeyError):
        return canonical(data)
    held = {pid: q for pid, q in lines.items() if isinstance(pid, str) and q}
    if not isinstance(cid, str) or len(held) != len(lines):
        return canonical(data)
    return order_value(cid, held)


def read_value(operation: Operation) -> Value:
    """The value an acknowledged RetrieveClient, RetrieveProduct or RetrieveOrder saw."""
    if not operation.result.get("found"):
        return ABSENT
    data = operation.result.get("data")
    if operation.op == "RetrieveOrder":
        return _view_value(data)
    if operation.op == "RetrieveProduct":
        return product_fields(data)
    return canonical(data)
