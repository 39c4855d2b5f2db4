"""Prices and quantities as they arrive in JSON: numbers or numeric strings."""

import re
from decimal import Decimal, InvalidOperation
from typing import Final

from core.domain.errors import InvalidInput

# Bounds keep every total a finite float and every count a 64-bit integer.
MAX_COUNT: Final = 2**63 - 1
MAX_PRICE: Final = Decimal("1e15")
_DIGITS: Final = re.compile(r"\s*[0-9]+\s*")  # ASCII digits only, as JSON has


def parse_count(value: object, what: str) -> int:
    """An integer >= 0, sent as a JSON number or a numeric string."""
    if isinstance(value, bool):
        raise InvalidInput(f"{what} must be an integer >= 0, not {value!r}")
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and _DIGITS.fullmatch(value)
    ):
        number = int(value)
    if number is None or number < 0:
        raise InvalidInput(f"{what} must be an integer >= 0, not {value!r}")
    if number > MAX_COUNT:
        raise InvalidInput(f"{what} must be at most {MAX_COUNT}, not {number}")
    return number


def parse_price(value: object, what: str) -> Decimal:
    """A finite number >= 0, sent as a JSON number or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInput(f"{what} must be a number >= 0, not {value!r}")
    try:
        price = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise InvalidInput(f"{what} must be a number >= 0, not {value!r}") from None
    if not price.is_finite():
        raise InvalidInput(f"{what} must be a finite number, not {value!r}")
    if price < 0:
        raise InvalidInput(f"{what} must be >= 0, not {value!r}")
    if price > MAX_PRICE:
        raise InvalidInput(f"{what} must be at most {MAX_PRICE:f}, not {value!r}")
    return price


def as_json_number(value: Decimal) -> int | float:
    """The JSON number for a Decimal: an int when it is whole, else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


def same_type_count(original: object, count: int) -> object:
    """`count` in the JSON type `original` was sent in (SPEC: returned as sent)."""
    if isinstance(original, str):
        return str(count)
    if isinstance(original, float):
        return float(count)
    return count
