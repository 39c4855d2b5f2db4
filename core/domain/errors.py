"""The reply codes of SPEC.md, the exception that carries a refusal of bad input, and
how a refusal quotes what it refuses."""

from enum import IntEnum


class Code(IntEnum):
    OK = 0
    INVALID = 400
    FORBIDDEN = 403
    NOT_FOUND = 404
    CONFLICT = 409
    INTERNAL = 500
    UNAVAILABLE = 503


class InvalidInput(ValueError):
    """Raised while parsing a request: the input itself is wrong (code 400)."""


def shown(value: object) -> str:
    """`value` quoted in a refusal: escaped (no lone surrogate reaches a reply) and short."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:36]}...{text[-1]}"
