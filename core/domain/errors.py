"""The reply codes of SPEC.md and the exception that carries a refusal of bad input."""

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
