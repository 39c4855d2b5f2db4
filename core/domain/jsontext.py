"""JSON text as SPEC.md's "Input, exactly" allows it in a `data` field (code 400 otherwise).

The limits are chosen so that whatever passes can be stored, pickled into a Raft log,
published over MQTT, sent in a late joiner's snapshot, digested and read back: every
string encodes as UTF-8, every number is finite and converts back to text, and the
nesting stays far below any recursion limit on the way.
"""

import json
import math
import re
from typing import Any, Final

from core.domain.errors import InvalidInput, shown

MAX_DATA_BYTES: Final = 64 * 1024
MAX_DEPTH: Final = 32  # levels of arrays and objects; the outermost is level 1
MAX_NUMBER_DIGITS: Final = 4300  # CPython's own limit for converting an int to text
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_BOM: Final = "\ufeff"


class _Flaw(Exception):
    """A rule broken somewhere inside the text; `path` is filled in on the way out."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule
        self.path: list[str | int] = []


def _number(literal: str) -> None:
    # Counting digits is only worth it for literals that could hold too many.
    if len(literal) > MAX_NUMBER_DIGITS and sum(map(str.isdigit, literal)) > MAX_NUMBER_DIGITS:
        raise _Flaw(f"has a number longer than {MAX_NUMBER_DIGITS} digits")
    if not math.isfinite(float(literal)):
        raise _Flaw(f"has the number {literal[:24]}, which is not finite as a 64-bit float")


def _integer(literal: str) -> int:
    _number(literal)
    return int(literal)


def _float(literal: str) -> float:
    _number(literal)
    return float(literal)


def _constant(name: str) -> Any:
    raise _Flaw(f"has {name}, which is not a JSON number")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):  # the cheap test first: most objects have no repeat
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Flaw(f"has an object that names the key {shown(key)} twice")
            seen.add(key)
    return record


# Built once: json.loads with hooks builds a new decoder per call, a hot-path cost.
_DECODER: Final = json.JSONDecoder(object_pairs_hook=_object, parse_constant=_constant)
# A hook per number costs about a microsecond each: only texts that could hold a number
# that breaks a rule pay it. Without a run of 200 digits or a 3-digit exponent, every
# number is below 1e200 * 1e99, finite as a float, and far shorter than the limit.
_NUMBER_CHECKING_DECODER: Final = json.JSONDecoder(
    object_pairs_hook=_object, parse_constant=_constant, parse_int=_integer, parse_float=_float
)
# For that test every digit reads as 0, E as e and - as +; no other byte becomes one.
_NUMBER_SHAPE: Final = bytes.maketrans(b"123456789E-", b"000000000e+")
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")


def _may_break_tree_rules(text: str) -> bool:
    """False when the text rules out what the tree walk looks for: cheap, on the text."""
    return (
        text.count("[") + text.count("{") > MAX_DEPTH
        or ("\\u" in text and _SURROGATE_ESCAPE.search(text) is not None)
        or (not text.isascii() and _SURROGATE.search(text) is not None)
    )


def _may_hold_a_risky_number(text: str) -> bool:
    # bytes.translate and `in` run in C, several times faster than a regular expression.
    shape = text.encode("utf-8", "surrogatepass").translate(_NUMBER_SHAPE)
    return b"0" * 200 in shape or b"e000" in shape or b"e+000" in shape


def _decode(text: str) -> Any:
    decoder = _NUMBER_CHECKING_DECODER if _may_hold_a_risky_number(text) else _DECODER
    value = decoder.decode(text)
    if _may_break_tree_rules(text):
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict | list):
            _check_tree(value, 1)
    return value


def _check_text(text: str) -> None:
    if not text.isascii() and _SURROGATE.search(text):
        raise _Flaw("has a string with an unpaired UTF-16 surrogate, which is not Unicode text")


def _check_tree(value: Any, level: int) -> None:
    """Depth and strings, which the decoder's hooks cannot see."""
    if level > MAX_DEPTH:
        raise _Flaw(f"is nested more than {MAX_DEPTH} levels of arrays and objects deep")
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        try:
            if isinstance(key, str):
                _check_text(key)
            if isinstance(item, str):
                _check_text(item)
            elif isinstance(item, dict | list):
                _check_tree(item, level + 1)
        except _Flaw as flaw:
            flaw.path.append(key)
            raise


def _where(path: list[str | int]) -> str:
    return "".join(f"[{shown(step)}]" for step in reversed(path))


def load(text: str, what: str) -> Any:
    """The value of JSON text `text`, the `data` of a `what` record, or InvalidInput."""
    # A character is at most 4 UTF-8 bytes: short texts need no encoding to be measured.
    if len(text) * 4 > MAX_DATA_BYTES and (size := len(text.encode("utf-8", "surrogatepass"))) > (
        MAX_DATA_BYTES
    ):
        raise InvalidInput(
            f"the {what} data is {size} bytes; at most {MAX_DATA_BYTES} bytes are allowed"
        )
    if text.startswith(_BOM):
        raise InvalidInput(f"the {what} data starts with a byte-order mark, which JSON forbids")
    if not text.strip():
        raise InvalidInput(f"the {what} data is empty; send a JSON object")
    try:
        value = _decode(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"the {what} data is not valid JSON: {error}") from None
    except RecursionError:
        raise InvalidInput(
            f"the {what} data is nested more than {MAX_DEPTH} levels of arrays and objects deep"
        ) from None
    except _Flaw as flaw:
        where = f" at {_where(flaw.path)}" if flaw.path else ""
        raise InvalidInput(f"the {what} data{where} {flaw.rule}") from None
    return value
