"""Keys longer than LMDB allows (511 bytes), stored so that scans still sort them.

A key of at most PREFIX bytes is stored as it is. A longer one (up to MAX_KEY_BYTES)
is stored as its first PREFIX bytes and 31 bytes of its SHA-256, and its value as the
whole key, length-prefixed, then the JSON value. Short keys and long ones keep
their order (a short key is shorter than any long key's prefix); long keys that share
their first PREFIX bytes sort by hash in LMDB, so `ordered` sorts each such run by the
whole key. Two long keys with one prefix collide only if 31 bytes of SHA-256 do.
"""

import hashlib
from collections.abc import Iterable, Iterator
from typing import Final

PREFIX: Final = 480
STORED: Final = 511  # LMDB's default maximum key size; every long key is this long
_HASHED: Final = STORED - PREFIX


def is_long(stored_key: bytes) -> bool:
    return len(stored_key) == STORED


def stored_key(key: bytes) -> bytes:
    if len(key) <= PREFIX:
        return key
    return key[:PREFIX] + hashlib.sha256(key).digest()[:_HASHED]


def lower_bound(key: bytes) -> bytes:
    """A stored key at or before that of every key >= `key`."""
    return key[:PREFIX]


def wrap(key: bytes, value: bytes) -> bytes:
    if len(key) <= PREFIX:
        return value
    return len(key).to_bytes(2, "big") + key + value


def unwrap(stored_key: bytes, stored_value: bytes) -> tuple[bytes, bytes]:
    """The key and the JSON value of a stored record."""
    if not is_long(stored_key):
        return stored_key, stored_value
    size = int.from_bytes(stored_value[:2], "big")
    return stored_value[2 : 2 + size], stored_value[2 + size :]


def ordered(stored: Iterable[tuple[bytes, bytes]]) -> Iterator[tuple[bytes, bytes]]:
    """(key, value) by key, from stored records in LMDB's order."""
    run: list[tuple[bytes, bytes]] = []  # long keys with one prefix, in hash order
    for key, value in stored:
        if run and not (is_long(key) and key[:PREFIX] == run[0][0][:PREFIX]):
            yield from sorted(run)
            run = []
        if is_long(key):
            run.append(unwrap(key, value))
        else:
            yield key, value
    yield from sorted(run)
