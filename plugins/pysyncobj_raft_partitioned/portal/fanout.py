"""One call per partition at once: a transaction's prepares and commits, a read's parts."""

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

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

    def later(self, calls: Mapping[int, Callable[[], object]], then: Callable[[], None]) -> None:
        """Start every call without waiting for them; `then()` once all have ended.

        No pool thread waits for another here (a waiting one could hold the last
        worker the others need): each call is its own task, and the last to end runs
        `then`. Calls the closed pool refuses are dropped, as if they had failed.
        """
        left = len(calls)
        lock = threading.Lock()

        def ended(_: "Future[Any] | None" = None) -> None:
            nonlocal left
            with lock:
                left -= 1
                last = left == 0
            if last:
                then()

        if not calls:
            then()
        for call in calls.values():
            try:
                self._pool.submit(call).add_done_callback(ended)
            except RuntimeError:  # shut down: the portal is stopping
                ended()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
