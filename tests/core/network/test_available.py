import os
from pathlib import Path

import pytest

from core.network import available

NOBODY = 65534


def test_without_nft_the_reason_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    reason = available()
    assert reason is not None
    assert "nft is not installed" in reason
    assert "apt-get install nftables" in reason


def test_without_root_the_reason_says_to_run_as_root() -> None:
    assert "run as root" in _unprivileged_available()


def _unprivileged_available() -> str:
    """What `available()` says in a process that is not root (this one, if it is not)."""
    if os.geteuid() != 0:
        return str(available())
    # A forked child that gives up root: the venv's interpreter cannot be exec'ed as
    # nobody (it lives under /root), and the child runs nothing but this check.
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.setuid(NOBODY)
            os.write(write, str(available()).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as reply:
        reason = reply.read()
    os.waitpid(child, 0)
    return reason
