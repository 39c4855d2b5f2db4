"""A process that applies numbered batches to an LmdbStore until it is killed.

`python -m tests.plugins.pysyncobj_raft_partitioned.store.writer DIR DURABILITY` goes
on from the store's applied index and prints each index once its apply has returned.
`batch(index)` is a pure function of the index, so a test can replay exactly the
batches up to any index and compare.
"""

import random
import sys
from pathlib import Path
from typing import cast

from plugins.pysyncobj_raft_partitioned.store import Delete, Durability, LmdbStore, Put, Write


def batch(index: int) -> list[Write]:
    chance = random.Random(index)
    writes: list[Write] = []
    for _ in range(chance.randint(1, 40)):
        table = chance.choice(["clients", "orders", "locks"])
        key = str(chance.randrange(300)) * chance.choice([1, 1, 1, 200])  # some long keys
        if chance.random() < 0.3:
            writes.append(Delete(table, key))
        else:
            writes.append(Put(table, key, {"index": index, "pad": "x" * chance.randrange(2000)}))
    return writes


def main(directory: str, durability: str) -> None:
    store = LmdbStore(Path(directory), durability=cast(Durability, durability))
    index = store.applied_index()
    while True:
        index += 1
        store.apply(index, batch(index))
        print(index, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
