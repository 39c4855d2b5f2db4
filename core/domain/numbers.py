"""Prices and quantities as they arrive in JSON: numbers or numeric strings (SPEC.md).

`core.domain.jsontext` has already refused numbers that are not finite or too long;
these are the field rules on top: the syntax of the strings and the bounds.
"""

import re
from decimal import Decimal
from typing import Final

from core.domain.errors import InvalidInput, shown

# Bounds keep every total a finite float and every count a 64-bit integer.
MAX_COUNT: Final = 2**63 - 1
MAX_COUNT_DIGITS: Final = len(str(MAX_COUNT))  # 19
MAX_PRICE: Final = Decimal("1e15")
# [0-9], not \d: \d would also match the digits of other scripts.
_COUNT_TEXT: Final = re.compile(f"[0-9]{{1,{MAX_COUNT_DIGITS}}}")
_PRICE_TEXT: Final = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def parse_count(value: object, what: str) -> int:
    """An integer >= 0: a JSON integer, or a string of at most 19 ASCII digits."""
    # A float means the literal had a fraction or an exponent (3.0, 1e18): refused.
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _COUNT_TEXT.fullmatch(value):
        number = int(value)
    else:
        raise InvalidInput(
            f"{what} must be an integer >= 0, sent as a JSON integer (no fraction or exponent) "
            f"or a string of at most {MAX_COUNT_DIGITS} ASCII digits, not {shown(value)}"
        )
    if number < 0:
        raise InvalidInput(f"{what} must be >= 0, not {number}")
    if number > MAX_COUNT:
        raise InvalidInput(f"{what} must be at most {MAX_COUNT} (2^63-1), not {shown(number)}")
    return number


def parse_price(value: object, what: str) -> Decimal:
    """A number >= 0 and <= 1e15: a JSON number, or a string such as 2 or 2.50."""
    if isinstance(value, str) and _PRICE_TEXT.fullmatch(value):
        price = Decimal(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # An int exactly; a float by its shortest text, the digits the client wrote.
        price = Decimal(value if isinstance(value, int) else repr(value))
    else:
        raise InvalidInput(
            f"{what} must be a number >= 0, sent as a JSON number or a string of ASCII digits "
            f"with an optional fraction such as 2.50, not {shown(value)}"
        )
    if price < 0:
        raise InvalidInput(f"{what} must be >= 0, not {shown(value)}")
    if price > MAX_PRICE:
        raise InvalidInput(f"{what} must be at most {MAX_PRICE:f}, not {shown(value)}")
    return price


def as_json_number(value: Decimal) -> int | float:
    """The JSON number for a Decimal: an int when it is whole, else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


def same_type_count(original: object, count: int) -> object:
    """`count` in the JSON type `original` was sent in (SPEC: returned as sent)."""
    return str(count) if isinstance(original, str) else count
