"""Identifier rules shared by clients, products and orders."""

from typing import Final

from core.domain.errors import InvalidInput

MAX_ID_CHARS: Final = 256
NOT_FOUND_ID: Final = "0"  # what a retrieve of a missing record answers; never a real ID


def _is_control(char: str) -> bool:
    point = ord(char)
    return point < 0x20 or 0x7F <= point < 0xA0


def _is_surrogate(char: str) -> bool:
    # Only a JSON escape such as "\ud800" can put one here: protobuf refuses them as UTF-8.
    return 0xD800 <= ord(char) <= 0xDFFF


def check_id(kind: str, value: str) -> str:
    """Return `value` if it may name a record, else raise InvalidInput saying why."""
    if not value:
        raise InvalidInput(f"the {kind} is empty; give a non-empty identifier")
    if len(value) > MAX_ID_CHARS:
        raise InvalidInput(
            f"the {kind} has {len(value)} characters (code points); at most {MAX_ID_CHARS} "
            "are allowed"
        )
    if any(_is_control(char) for char in value):
        raise InvalidInput(f"the {kind} {value!r} contains a control character")
    if not value.isascii() and any(_is_surrogate(char) for char in value):
        raise InvalidInput(
            f"the {kind} {value!r} holds an unpaired UTF-16 surrogate; an ID must be Unicode text"
        )
    if value == NOT_FOUND_ID:
        raise InvalidInput(f'the {kind} "0" is reserved (it means "not found"); choose another')
    return value
