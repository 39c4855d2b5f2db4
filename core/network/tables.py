"""Which nftables tables are ours, whose launcher owns each, and sweeping those left behind.

A table is named `testbed_<pid>_<start>` after the process that created it: its pid and
its start time (from /proc), so a pid the kernel has since given to another process does
not keep a dead owner's table alive. Every other table belongs to someone else and is
never touched.
"""

import os
import re
from pathlib import Path

from core.network import nft

_OURS = re.compile(r"testbed_(\d+)_(\d+)")


def own_table_name() -> str:
    """The name of the table this process owns."""
    pid = os.getpid()
    return f"testbed_{pid}_{_start_time(pid)}"


def sweep_stale() -> list[str]:
    """Delete our tables whose owner is gone (it crashed or was SIGKILLed); return their names."""
    swept = []
    for name in nft.table_names():
        owner = _OURS.fullmatch(name)
        if owner and _start_time(int(owner[1])) != owner[2]:
            _delete(name)
            swept.append(name)
    return swept


def _delete(name: str) -> None:
    try:
        nft.run(f"delete table {nft.FAMILY} {name}\n")
    except nft.NftError:
        if name in nft.table_names():
            raise
        # else another process swept it first


def _start_time(pid: int) -> str:
    """When `pid` started, in clock ticks since boot; "" when no such process exists."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # Field 22; the command name (field 2, in parentheses) may itself hold spaces.
    return stat.rsplit(")", 1)[1].split()[19]
