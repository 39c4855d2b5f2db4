"""A scan's bounds, applied to records in key order: `start <= key < stop`, at most `limit`."""

from collections.abc import Iterable


def bounded(
    records: Iterable[tuple[bytes, bytes]], low: bytes | None, high: bytes | None, limit: int | None
) -> list[tuple[bytes, bytes]]:
    """The records in bounds; `records` must be sorted by key, and is read no further
    than needed."""
    chosen: list[tuple[bytes, bytes]] = []
    if limit == 0:
        return chosen
    for key, value in records:
        if high is not None and key >= high:
            break
        if low is None or key >= low:
            chosen.append((key, value))
            if len(chosen) == limit:
                break
    return chosen
