"""An open-loop user's schedule: when each of its calls is due, whatever the replies.

A user under `--user-rate R` is due to send a call every 1/R seconds from its start
plus a phase of its own (so the users of a run do not all send at once). Each call
waits for its due time and is then sent; a call still waiting for its reply when the
next falls due delays that one, which is sent the moment the user is free, and the
schedule does not move: the due times are fixed at the start, never pushed back by a
slow reply. The call's latency is taken from its due time (`Operation.intended`), so
the time it queued behind the slow one counts, as it would for a client arriving on
its own: coordinated omission corrected, as wrk2 does it.

Why not a greenlet per call, sent exactly on time? A user's calls then overlap, and
the history's clients stop being sequential: a session's reads would race its own
writes, and the scenario's bookkeeping (the orders a user placed) would see replies
out of order. Sequential users keep every checker's reading of a client; the price is
that a user cannot have two calls in flight, so too few users for the rate shows as
achieved throughput short of the offered rate, which the comparison reports.
"""

import time
from dataclasses import dataclass, field


@dataclass
class Schedule:
    """Due times `start + phase + k / rate`, k = 0, 1, ...; `phase` in [0, 1/rate)."""

    rate: float  # calls per second of this user
    phase: float = 0.0  # seconds after the first call was asked for
    start: float | None = None  # time.monotonic() of the first `next_due`
    _taken: int = field(default=0, init=False)

    def next_due(self) -> float:
        """The time.monotonic() the next call is due (perhaps already past)."""
        if self.start is None:
            self.start = time.monotonic()
        due = self.start + self.phase + self._taken / self.rate
        self._taken += 1
        return due
