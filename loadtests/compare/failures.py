"""Errors by kind, named from the recorded results' fields (never from their prose).

    503-none, 503-unknown, 500-unknown   a write's Reply code and its `testbed-outcome`
                                         trailer ("503" alone: a server that sent none)
    no-reply-DEADLINE_EXCEEDED, ...      a write that got no Reply, by gRPC status
    read-UNAVAILABLE, ...                a read that got no reply, by gRPC status

A call without a reply whose status was not recorded (stopped in flight, a bug on
the client's side, a history from before the status was kept) is `no-reply` or
`read-no-reply`.
"""

from collections import Counter
from collections.abc import Iterable

from loadtests.calls import NO_REPLY
from loadtests.compare.stats import is_error
from loadtests.history import Operation


def kind(o: Operation) -> str:
    """The kind of error `o` is (call it on errors only)."""
    status = o.result.get("status")
    if o.is_read:
        return f"read-{status}" if status else "read-no-reply"
    error = o.result.get("error")
    if error == NO_REPLY:
        return f"no-reply-{status}" if status else "no-reply"
    trailer = o.result.get("outcome")
    return f"{error}-{trailer}" if trailer else str(error)


def error_kinds(history: Iterable[Operation]) -> dict[str, int]:
    """How many errors of each kind, the most frequent first."""
    return dict(Counter(kind(o) for o in history if is_error(o)).most_common())
