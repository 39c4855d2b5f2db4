"""The scenarios' command-line options, and the settings a Locust process reads from them.

They are added to Locust's own parser, so they work with plain
`locust -f loadtests/<scenario>.py`. In distributed mode the master sends them to
every worker with each spawn message: a worker needs none of them on its own
command line.
"""

import math
import os
import random
from argparse import Namespace
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from core.config import ConfigError, parse_address

if TYPE_CHECKING:
    from locust.argument_parser import LocustArgumentParser

SERVERS_ENV: Final = "TESTBED_SERVERS"
DEFAULT_CALL_TIMEOUT_S: Final = 10.0


class OptionsError(ValueError):
    pass


def add_options(parser: "LocustArgumentParser") -> None:
    parser.add_argument(
        "--servers",
        default=os.environ.get(SERVERS_ENV, ""),
        metavar="HOST:PORT,...",
        help=f"servers hosting both portals (default: ${SERVERS_ENV}, else --host)",
    )
    parser.add_argument(
        "--admin-servers",
        default="",
        metavar="HOST:PORT,...",
        help="servers for the AdminPortal RPCs, when the portals run apart (default: --servers)",
    )
    parser.add_argument(
        "--order-servers",
        default="",
        metavar="HOST:PORT,...",
        help="servers for the OrderPortal RPCs, when the portals run apart (default: --servers)",
    )
    parser.add_argument(
        "--history",
        default="",
        metavar="PATH",
        help="write every call to this history file (a worker writes PATH.worker-<index>)",
    )
    parser.add_argument(
        "--strategy",
        default="",
        help="the replication strategy under test: a label for the request context",
    )
    parser.add_argument(
        "--call-timeout",
        type=float,
        default=DEFAULT_CALL_TIMEOUT_S,
        metavar="S",
        help="seconds a user waits for a reply before it gives up on the call, whose "
        f"outcome is then unknown, and moves on (default {DEFAULT_CALL_TIMEOUT_S:g})",
    )
    parser.add_argument(
        "--user-rate",
        type=float,
        default=None,
        metavar="OPS",
        help="open loop: each user's calls fall due OPS times a second on a fixed schedule, "
        "whatever the replies, and latency counts from the due time (default: closed "
        "loop, each call sent when the last one is answered)",
    )
    parser.add_argument(
        "--scenario-seed",
        type=int,
        # A fresh seed per run keeps the IDs of two runs against the same servers apart;
        # the master's value reaches the workers, so every process of a run shares it.
        default=random.SystemRandom().randrange(1_000_000),
        metavar="N",
        help="seed of every user's choices and of the run's IDs (default: a fresh one)",
    )


@dataclass(frozen=True)
class Settings:
    admin_servers: tuple[str, ...]
    order_servers: tuple[str, ...]
    history: str  # "" records nothing to disk
    strategy: str
    seed: int
    call_timeout: float = DEFAULT_CALL_TIMEOUT_S
    user_rate: float | None = None  # calls per second per user (open loop); None: closed

    @property
    def prefix(self) -> str:
        """What every ID this run creates starts with."""
        return f"r{self.seed}"


def _addresses(option: str, text: str) -> tuple[str, ...]:
    addresses = tuple(part.strip() for part in text.split(",") if part.strip())
    for address in addresses:
        try:
            parse_address(address)
        except ConfigError as error:
            raise OptionsError(f"{option}: {error}") from None
    return addresses


def settings(options: Namespace | None, host: str | None) -> Settings:
    """The settings of `options` (Locust's parsed options); `host` is Locust's --host."""
    options = options or Namespace()
    fallback = (host or "").split("://")[-1]  # Locust users often write a scheme
    servers = _addresses("--servers", getattr(options, "servers", "") or fallback)
    admin = _addresses("--admin-servers", getattr(options, "admin_servers", "")) or servers
    order = _addresses("--order-servers", getattr(options, "order_servers", "")) or servers
    if not admin or not order:
        raise OptionsError(
            f"no servers to load: pass --servers HOST:PORT,... (or --admin-servers and "
            f"--order-servers), set ${SERVERS_ENV}, or pass --host HOST:PORT"
        )
    return Settings(
        admin_servers=admin,
        order_servers=order,
        history=getattr(options, "history", ""),
        strategy=getattr(options, "strategy", ""),
        seed=getattr(options, "scenario_seed", 0),
        call_timeout=_positive("--call-timeout", getattr(options, "call_timeout", None)),
        user_rate=_rate(getattr(options, "user_rate", None)),
    )


def _rate(value: float | None) -> float | None:
    if value is None:
        return None
    if not (value > 0 and math.isfinite(value)):
        raise OptionsError(f"--user-rate must be a positive number of calls a second, not {value}")
    return float(value)


def _positive(option: str, value: float | None) -> float:
    if value is None:
        return DEFAULT_CALL_TIMEOUT_S
    if not value > 0:
        raise OptionsError(f"{option} must be a positive number of seconds, not {value}")
    return float(value)
