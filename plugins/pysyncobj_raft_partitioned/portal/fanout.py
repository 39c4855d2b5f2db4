"""One call per partition at once: a transaction's prepares and commits, a read's parts."""

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class Fanout:
    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="fanout")

    def each(self, calls: Mapping[int, Callable[[], T]]) -> dict[int, T]:
        """Every call's result by partition; the first runs in the caller's own thread."""
        if len(calls) <= 1:
            return {partition: call() for partition, call in calls.items()}
        first, *others = calls
        futures = {partition: self._pool.submit(calls[partition]) for partition in others}
        results = {first: calls[first]()}
        results.update({partition: future.result() for partition, future in futures.items()})
        return results

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
