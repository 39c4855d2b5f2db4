"""Keys and values as bytes: UTF-8 keys, values as compact JSON.

Compact JSON (no spaces, UTF-8, ensure_ascii=False) keeps an object's keys in the order
they were given: a client's `data` comes back with its fields as the client sent them
(SPEC.md: extra fields are kept verbatim), and an order's lines in the domain's order.
The digest and the snapshot need equal bytes on every replica, and they get them: each
replica builds its values from the same log entries in the same order, so the same
dicts in the same key order. A value must read back equal to
itself, so that what a store returns is what it was given whatever the implementation:
a tuple (read back as a list) or a dict with int keys (read back with str keys) is
refused rather than silently changed.
"""

import json
from typing import Final

from plugins.pysyncobj_raft_partitioned.store.errors import InvalidKey, InvalidValue
from plugins.pysyncobj_raft_partitioned.store.interface import MAX_KEY_BYTES, Json


def encode_key(key: str) -> bytes:
    if not isinstance(key, str) or not key:
        raise InvalidKey(f"a key must be a non-empty string; got {key!r:.80}")
    try:
        encoded = key.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidKey(
            f"the key {key!r:.80} has an unpaired UTF-16 surrogate, which is not Unicode text"
        ) from None
    if len(encoded) > MAX_KEY_BYTES:
        raise InvalidKey(
            f"the key {key[:40]!r}... is {len(encoded)} UTF-8 bytes; at most {MAX_KEY_BYTES}"
        )
    return encoded


def decode_key(encoded: bytes) -> str:
    return encoded.decode("utf-8")


# One encoder for every value: json.dumps given options builds a new one on each call,
# and every record a replica writes passes here. An encoder holds no state between calls.
_COMPACT: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def encode_value(value: Json, where: str) -> bytes:
    """The compact JSON of `value`, the record `where` (named in the error), or InvalidValue."""
    if value is None:
        raise InvalidValue(f"the record {where} is null; delete it instead")
    try:
        text = _COMPACT.encode(value)
        encoded = text.encode("utf-8")  # an unpaired surrogate fails here: not Unicode text
        # Read back from the text, which is what decode_value parses: no second decoding.
        same = json.loads(text) == value
    except (TypeError, ValueError, RecursionError) as error:
        raise InvalidValue(f"the record {where} is not a JSON value: {error}") from None
    if not same:
        raise InvalidValue(
            f"the record {where} would not read back equal (a tuple, or a dict with keys "
            "that are not strings?); give lists and str keys"
        )
    return encoded


def decode_value(encoded: bytes) -> Json:
    # The stored JSON is UTF-8: json.loads would first guess the encoding of bytes.
    return json.loads(encoded.decode("utf-8"))
