"""Striking a run's faults on time, and watching who leads, beside the load.

Both run in threads of their own, so that a fault that takes seconds (a node starting
again) or a node that does not answer (a paused one) never stalls the runner's
progress loop. Times are seconds after the load run's first request (its origin),
which the runner hands over once Locust reports one.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from core import network
from core.launcher import Cluster
from loadtests.compare import faults
from loadtests.compare.faults import Fault, Strike
from loadtests.compare.model import FaultWindow, LeaderChange

WATCH_S = 0.2
DEFAULT_SPAN_S = 3.0
STATUS_TIMEOUT_S = 0.5


@dataclass(frozen=True)
class Timing:
    duration: float  # seconds of load
    at: float | None  # first fault's start; None: spread over the run
    given_span: float | None  # how long each fault lasts (--fault-for); None: see `span`

    def span(self, count: int) -> float:
        """`--fault-for`, else 3 s, or less: half of each fault's slot, so all of them fit."""
        if self.given_span is not None:
            return self.given_span
        if self.at is not None or count == 0:
            return DEFAULT_SPAN_S
        return min(DEFAULT_SPAN_S, self.duration / count / 2)

    def starts(self, count: int) -> list[float]:
        """When each of `count` faults strikes, one after another.

        Without `at`, one fault strikes in the middle of the run; several are each
        centred in their own of `count` equal slots, so each has its before and after.
        With `at`, the first strikes then and each next one a second after the last
        heals. A fault whose predecessor heals late strikes late (they never overlap).
        """
        if count == 0:
            return []
        if self.at is None and count == 1:
            return [self.duration / 2]
        if self.at is None:
            slot = self.duration / count
            lead = max(0.0, (slot - self.span(count)) / 2)
            return [n * slot + lead for n in range(count)]
        return [self.at + n * (self.span(count) + 1.0) for n in range(count)]


@dataclass
class Striker:
    """Strikes `plan` faults at their times, each healed after `timing.span()` seconds;
    `draws` (one per fault, `seeds.fault_draws`) choose among the nodes that fit."""

    cluster: Cluster
    plan: tuple[Fault, ...]
    draws: tuple[float, ...]
    timing: Timing
    firewall: network.Firewall | None
    say: Callable[[str], None]
    windows: list[FaultWindow] = field(default_factory=list)
    _origin: float | None = None
    _started: threading.Event = field(default_factory=threading.Event)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def begin(self, origin: float, left: float) -> None:
        """The load's first request was at `origin` (time.monotonic()), and the load has
        `left` seconds to go from there (Locust's run time includes the setup before it)."""
        if self._thread is None:
            self._origin = origin
            self.timing = replace(self.timing, duration=min(self.timing.duration, left))
            self._thread = threading.Thread(target=self._run, name="faults", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        assert self._origin is not None
        starts = self.timing.starts(len(self.plan))
        for fault, draw, at in zip(self.plan, self.draws, starts, strict=True):
            if self._stopping.wait(max(0.0, self._origin + at - time.monotonic())):
                return
            self._one(fault, draw, self._origin)

    def _one(self, fault: Fault, draw: float, origin: float) -> None:
        node = faults.pick(fault, self.cluster, draw)
        now = time.monotonic() - origin
        if node is None:
            note = f"{fault.name}: no node to strike; nothing done"
            self.windows.append(FaultWindow(fault.action, fault.target, None, now, now, note))
            self.say(note)
            return
        self.say(f"{fault.name}: striking {node.name} at {now:.1f} s")
        struck = faults.strike(fault, node, self.cluster, self.firewall)
        if fault.action != "restart":
            span = self.timing.span(len(self.plan))
            self._stopping.wait(max(0.0, struck.start + span - time.monotonic()))
        note = struck.heal()
        healed = time.monotonic()
        note += struck.recover()  # the next fault waits for this one's node to be back
        self.windows.append(_window(struck, origin, healed, note))
        self.say(f"{fault.name}: {note}")

    def finish(self) -> list[FaultWindow]:
        """Wait for a fault under way to heal; faults not yet due are noted, not struck."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        struck = len(self.windows)
        for fault in self.plan[struck:]:
            note = f"{fault.name}: not struck: the run ended first"
            self.windows.append(FaultWindow(fault.action, fault.target, None, 0.0, 0.0, note))
        return self.windows


def _window(done: Strike, origin: float, healed: float, note: str) -> FaultWindow:
    return FaultWindow(
        action=done.fault.action,
        target=done.fault.target,
        node=done.node,
        start_s=done.start - origin,
        end_s=healed - origin,
        note=note,
    )


@dataclass
class LeaderWatch:
    """Polls every node's role; records each change of a group's leader."""

    cluster: Cluster
    changes: list[LeaderChange] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _origin: float = 0.0

    def begin(self, origin: float) -> None:
        if self._thread is None:
            self._origin = origin
            self._thread = threading.Thread(target=self._run, name="leaders", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        current: dict[str | None, str | None] = {}
        while not self._stopping.wait(WATCH_S):
            seen = faults.roles(self.cluster, STATUS_TIMEOUT_S)
            leaders: dict[str | None, str | None] = {}
            for node in self.cluster.nodes:
                if node.group is not None and node.name in seen:
                    leaders.setdefault(node.group, None)
                    if seen[node.name] == "leader":
                        leaders[node.group] = node.name
            now = time.monotonic() - self._origin
            for group, leader in leaders.items():
                if group not in current or current[group] != leader:
                    if group in current or leader is not None:
                        self.changes.append(LeaderChange(now, group, leader))
                    current[group] = leader

    def finish(self) -> list[LeaderChange]:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        return self.changes
