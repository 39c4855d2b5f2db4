"""The state digest: the sum, modulo 2**256, of one SHA-256 per record.

A sum is commutative and has an inverse, so `apply` keeps it current in constant work
per write (add the new record's hash, subtract the old one's) and equal sets of records
give equal sums whatever order built them. A record's hash covers its table, key and
stored JSON value, each length-framed, so no two different records hash the same input.
Unlike XOR, a sum does not cancel a pair of equal hashes and is not linear over bits,
which makes chosen collisions far harder (Bellare and Micciancio's AdHash); chance
collisions are about 2**-256. It checks that replicas agree; it authenticates nothing.
"""

import hashlib
from typing import Final

MODULUS: Final = 1 << 256
EMPTY: Final = 0


def record_hash(table: str, key: bytes, value: bytes) -> int:
    name = table.encode("utf-8")
    framed = b"".join((len(name).to_bytes(4, "big"), name, len(key).to_bytes(4, "big"), key, value))
    return int.from_bytes(hashlib.sha256(framed).digest(), "big")


def with_record(total: int, record: int) -> int:
    return (total + record) % MODULUS


def without_record(total: int, record: int) -> int:
    return (total - record) % MODULUS


def hexdigest(total: int) -> str:
    return total.to_bytes(32, "big").hex()
