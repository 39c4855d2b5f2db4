"""Identifier rules shared by clients, products and orders."""

from typing import Final

from core.domain.errors import InvalidInput

MAX_ID_CHARS: Final = 256
NOT_FOUND_ID: Final = "0"  # what a retrieve of a missing record answers; never a real ID


def _is_control(char: str) -> bool:
    point = ord(char)
    return point < 0x20 or 0x7F <= point < 0xA0


def check_id(kind: str, value: str) -> str:
    """Return `value` if it may name a record, else raise InvalidInput saying why."""
    if not value:
        raise InvalidInput(f"the {kind} is empty; give a non-empty identifier")
    if len(value) > MAX_ID_CHARS:
        raise InvalidInput(
            f"the {kind} has {len(value)} characters; at most {MAX_ID_CHARS} are allowed"
        )
    if any(_is_control(char) for char in value):
        raise InvalidInput(f"the {kind} {value!r} contains a control character")
    if value == NOT_FOUND_ID:
        raise InvalidInput(f'the {kind} "0" is reserved (it means "not found"); choose another')
    return value
