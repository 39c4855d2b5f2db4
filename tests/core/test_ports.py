"""Free ports: distinct, bindable, and outside the range outgoing connections draw from."""

import random
import socket
from pathlib import Path

import pytest

from core import ports
from core.ports import free_ports


def bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((ports.LOOPBACK, port))
        except OSError:
            return False
        return True


def test_ports_are_distinct_bindable_and_below_the_ephemeral_range() -> None:
    chosen = free_ports(40)
    assert len(set(chosen)) == 40
    start = int(ports.EPHEMERAL.read_text().split()[0]) if ports.EPHEMERAL.exists() else 32768
    assert all(ports.LOWEST <= port < start for port in chosen), chosen
    assert all(bindable(port) for port in chosen)


def test_a_port_taken_below_the_range_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    held, free = free_ports(2)
    tried: list[int] = []

    class Scripted:
        """Draws the held port first, then the free one."""

        def __init__(self) -> None:
            self._draws = iter([held, free])

        def randrange(self, low: int, high: int) -> int:
            tried.append(next(self._draws))
            return tried[-1]

    monkeypatch.setattr(random, "Random", Scripted)
    with socket.socket() as taken:
        taken.bind((ports.LOOPBACK, held))
        assert free_ports(1) == [free]
    assert tried == [held, free]


def test_with_no_room_below_the_range_the_kernel_chooses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rng = tmp_path / "range"
    rng.write_text(f"{ports.LOWEST + 10}\t60999\n")
    monkeypatch.setattr(ports, "EPHEMERAL", rng)
    chosen = free_ports(3)
    assert len(set(chosen)) == 3 and all(bindable(port) for port in chosen)
