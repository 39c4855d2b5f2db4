"""The checkers' own reading of a request, written from SPEC.md ("Input, exactly").

It shares nothing with the service's parser on purpose: a parsing bug in the
service (the same PID twice not adding up, a quantity sent as a string read
wrong) must not blind the checkers too. It reads a request as the history
recorded it, its `data` already parsed from JSON (or the raw text when it did not
parse), and says one of three things:

    Valid(value)      SPEC.md allows it; `value` is what it asks for
    Invalid(reason)   SPEC.md refuses it with 400
    Undecided(reason) the record cannot tell, or SPEC.md does not say

What the parsed form has lost stays undecided or unseen: a text near the 64 KiB
limit (whitespace is gone), and an object that named a key twice (the recorder's
parse kept the last one), which this reading cannot see at all.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")

MAX_DATA_BYTES: Final = 64 * 1024
# A request's text is at least its compact JSON; whitespace may have made it longer.
SURE_DATA_BYTES: Final = 48 * 1024
MAX_DEPTH: Final = 32
MAX_ID_LENGTH: Final = 256
MAX_QUANTITY: Final = 2**63 - 1
MAX_PRICE: Final = 1e15
NOT_FOUND_ID: Final = "0"
_DIGITS: Final = re.compile(r"[0-9]{1,19}")
_PRICE: Final = re.compile(r"[0-9]+(\.[0-9]+)?")
_CONTROL: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")  # Unicode's Cc, and surrogates

Lines = dict[str, int]  # PID -> quantity asked for


@dataclass(frozen=True, slots=True)
class Valid(Generic[T]):
    value: T


@dataclass(frozen=True, slots=True)
class Invalid:
    reason: str


@dataclass(frozen=True, slots=True)
class Undecided:
    reason: str


Reading = Valid[T] | Invalid | Undecided


def _then(reading: "Reading[T]", step: Callable[[T], "Reading[U]"]) -> "Reading[U]":
    return step(reading.value) if isinstance(reading, Valid) else reading


def identifier(what: str, value: Any) -> "Reading[str]":
    if not isinstance(value, str) or not value:
        return Invalid(f"the {what} must be a non-empty string")
    if len(value) > MAX_ID_LENGTH:
        return Invalid(f"the {what} has {len(value)} characters; at most {MAX_ID_LENGTH}")
    if _CONTROL.search(value):
        return Invalid(f"the {what} holds a control character or an unpaired surrogate")
    return Valid(value)


def new_identifier(what: str, value: Any) -> "Reading[str]":
    """The ID of a record to create: "0" is reserved, and SPEC.md gives no code for it."""
    reading = identifier(what, value)
    if reading == Valid(NOT_FOUND_ID):
        return Undecided(f'the {what} "0" is reserved')
    return reading


def quantity(what: str, value: Any) -> "Reading[int]":
    """An integer >= 0 and <= 2^63-1: a JSON integer, or a string of at most 19 digits."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        return Invalid(f"{what} must be an integer or a string of at most 19 digits")
    if not 0 <= number <= MAX_QUANTITY:
        return Invalid(f"{what} is {number}; it must be between 0 and 2^63-1")
    return Valid(number)


def price(what: str, value: Any) -> "Reading[float]":
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if not numeric and not (isinstance(value, str) and _PRICE.fullmatch(value)):
        return Invalid(f"{what} must be a number or a decimal string")
    number = float(value) if isinstance(value, str) else value  # an int of any size compares
    if not 0 <= number <= MAX_PRICE:
        return Invalid(f"{what} is {value}; it must be between 0 and 1e15")
    return Valid(float(number))


def _deeper_than(value: Any, levels: int) -> bool:
    """Whether arrays and objects nest more than `levels` deep (the outermost is 1)."""
    if levels == 0:
        return True
    items = value.values() if isinstance(value, dict) else value
    return any(_deeper_than(item, levels - 1) for item in items if isinstance(item, dict | list))


def json_data(what: str, data: Any) -> "Reading[Any]":
    """A `data` field as JSON text within SPEC.md's bounds."""
    if isinstance(data, str):
        return Invalid(f"the {what} data is not JSON")
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        size = len(text.encode())
    except ValueError:  # a non-finite number, or an unpaired surrogate that UTF-8 cannot hold
        return Invalid(f"the {what} data holds an unpaired surrogate or a non-finite number")
    # Fewer brackets than levels allowed (some may sit in strings) cannot nest too deep.
    if text.count("[") + text.count("{") > MAX_DEPTH and _deeper_than(data, MAX_DEPTH):
        return Invalid(f"the {what} data nests more than {MAX_DEPTH} levels")
    if size > MAX_DATA_BYTES:
        return Invalid(f"the {what} data is {size} bytes; at most {MAX_DATA_BYTES}")
    if size > SURE_DATA_BYTES:
        return Undecided(f"the {what} data is near the {MAX_DATA_BYTES}-byte limit")
    return Valid(data)


def _named(what: str, data: Any) -> "Reading[dict[str, Any]]":
    if not isinstance(data, dict):
        return Invalid(f"the {what} data must be a JSON object")
    name = data.get("name")
    if not isinstance(name, str):
        return Invalid(f'the {what} data needs a "name" string')
    if not name.strip():
        return Undecided(f"SPEC.md does not say whether a blank {what} name is allowed")
    return Valid(data)


def client_data(data: Any) -> "Reading[dict[str, Any]]":
    return _then(json_data("client", data), lambda d: _named("client", d))


def _product(data: dict[str, Any]) -> "Reading[dict[str, Any]]":
    for field in ("price", "quantity"):
        if field not in data:
            return Invalid(f'the product data needs a "{field}"')
    for checked in (
        price('the product "price"', data["price"]),
        quantity('the product "quantity"', data["quantity"]),
    ):
        if not isinstance(checked, Valid):
            return checked
    return Valid(data)


def product_data(data: Any) -> "Reading[dict[str, Any]]":
    return _then(json_data("product", data), lambda d: _then(_named("product", d), _product))


def _lines(form: str, key: str, lines: list[Any]) -> "Reading[Lines]":
    totals: Lines = {}
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict) or key not in line or "quantity" not in line:
            return Invalid(f'order line {number} of the {form} form needs "{key}" and "quantity"')
        pid = identifier(f"product ID of order line {number}", line[key])
        units = quantity(f"the quantity of order line {number}", line["quantity"])
        if not isinstance(pid, Valid):
            return pid
        if not isinstance(units, Valid):
            return units
        totals[pid.value] = totals.get(pid.value, 0) + units.value  # the same PID adds up
    return Valid(totals)


def _order(data: Any) -> "Reading[Lines]":
    if isinstance(data, list):
        return _lines("list", "id", data)
    if isinstance(data, dict) and isinstance(data.get("products"), list):
        return _lines("course", "PID", data["products"])
    return Invalid('the order data must be {"products": [...]} or a list of lines')


def order_lines(data: Any) -> "Reading[Lines]":
    """Both order forms of SPEC.md: {"products": [{"PID", "quantity"}]} or [{"id", "quantity"}]."""
    return _then(json_data("order", data), _order)
