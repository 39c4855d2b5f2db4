"""The CPU the load generator and every node used during a load run, and whether the
generator, not the strategy, set the pace.

A thread samples, every half second from the run's first request until it ends, the
CPU time (user + system) of each Locust process (the one the runner started and its
children: the workers under --processes) and of each node's process (`Node.pid`, read
afresh each time: a restarted node has a new one). A process's share is its CPU
seconds over the watched seconds: 1.0 is one core busy the whole time. A process that
started after the watch began counts from its start.

The generator is saturated when one of its processes used most of a core (a Locust
process runs its users on one core: gevent) or, under an open loop, when it sent
fewer calls than the schedule asked for: either way the figures measure the
generator, and more processes (`--processes N`) would carry the load.
"""

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

import psutil

SAMPLE_S: Final = 0.5
BUSY_CORE: Final = 0.8  # "most of a core"
SHORTFALL: Final = 0.9  # sent less than this share of the offered rate


@dataclass(frozen=True)
class CpuUse:
    """Shares of one core over a run: each generator process's, and each node's."""

    generator: tuple[float, ...] = ()
    nodes: Mapping[str, float] = field(default_factory=dict)
    watched_s: float = 0.0

    @property
    def generator_share(self) -> float:
        """The busiest generator process's share: the one that would set the pace."""
        return max(self.generator, default=0.0)


def saturation(cpu_share: float, offered: float | None, issued: float) -> list[str]:
    """Why the generator was the bottleneck, in plain words; [] when it was not.
    `offered` is the open loop's rate (None: closed loop), `issued` the calls per
    second it sent."""
    reasons = []
    if cpu_share >= BUSY_CORE:
        reasons.append(f"a load generator process used {cpu_share:.0%} of a core")
    if offered is not None and issued < SHORTFALL * offered:
        reasons.append(f"it sent {issued:,.0f} of the {offered:,.0f} calls/s offered")
    return reasons


def suggested_processes(processes: int, cpu_share: float) -> int:
    """Locust processes that would each use about half a core at this load."""
    needed = processes * max(cpu_share, BUSY_CORE) / 0.5
    return max(processes + 1, round(needed + 0.49))


@dataclass
class CpuWatch:
    """Samples the generator's processes and the nodes'; `finish()` gives the shares."""

    generator_pid: int
    nodes: Callable[[], Iterable[tuple[str, int | None]]]  # (node name, pid) now
    _first: dict[tuple[str, int], float] = field(default_factory=dict)
    _last: dict[tuple[str, int], float] = field(default_factory=dict)
    _processes: dict[int, psutil.Process] = field(default_factory=dict)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _began: float = 0.0
    _began_wall: float = 0.0

    def begin(self) -> None:
        if self._thread is None:
            self._began, self._began_wall = time.monotonic(), time.time()
            self._sample()
            self._thread = threading.Thread(target=self._run, name="cpu", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stopping.wait(SAMPLE_S):
            self._sample()

    def _watched(self) -> list[tuple[str, int]]:
        watched = [("generator", self.generator_pid)]
        try:
            children = psutil.Process(self.generator_pid).children(recursive=True)
        except psutil.Error:
            children = []
        watched += [("generator", child.pid) for child in children]
        watched += [(f"node:{name}", pid) for name, pid in self.nodes() if pid is not None]
        return watched

    def _sample(self) -> None:
        for who, pid in self._watched():
            seconds = self._cpu(pid)
            if seconds is None:
                continue
            key = (who, pid)
            if key not in self._first:
                self._first[key] = self._baseline(pid, seconds)
            self._last[key] = seconds

    def _cpu(self, pid: int) -> float | None:
        try:
            process = self._processes.get(pid) or psutil.Process(pid)
            self._processes[pid] = process
            times = process.cpu_times()
        except psutil.Error:
            return None
        return float(times.user + times.system)

    def _baseline(self, pid: int, seconds: float) -> float:
        """Its CPU seconds when the watch began: now's, or 0 if it started since."""
        try:
            started = self._processes[pid].create_time()
        except psutil.Error:
            return seconds
        return 0.0 if started > self._began_wall else seconds

    def finish(self) -> CpuUse:
        self._stopping.set()
        if self._thread is None:
            return CpuUse()
        self._thread.join()
        self._sample()
        watched = time.monotonic() - self._began
        used: dict[tuple[str, int], float] = {
            key: self._last[key] - first for key, first in self._first.items()
        }
        generator = tuple(
            share(seconds, watched) for (who, _), seconds in used.items() if who == "generator"
        )
        nodes: dict[str, float] = {}
        for (who, _), seconds in used.items():
            if who.startswith("node:"):
                name = who.removeprefix("node:")
                nodes[name] = nodes.get(name, 0.0) + share(seconds, watched)
        return CpuUse(generator, nodes, watched)


def share(seconds: float, watched: float) -> float:
    return seconds / watched if watched > 0 else 0.0
