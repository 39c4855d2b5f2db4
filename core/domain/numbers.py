"""Prices and quantities as they arrive in JSON: numbers or numeric strings."""

from decimal import Decimal, InvalidOperation

from core.domain.errors import InvalidInput

Amount = int | float | Decimal


def parse_count(value: object, what: str) -> int:
    """An integer >= 0, sent as a JSON number or a numeric string."""
    if isinstance(value, bool):
        raise InvalidInput(f"{what} must be an integer >= 0, not {value!r}")
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if number is None:
        raise InvalidInput(f"{what} must be an integer >= 0, not {value!r}")
    if number < 0:
        raise InvalidInput(f"{what} must be >= 0, not {number}")
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
