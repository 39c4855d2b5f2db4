"""Running `nft`: whether it can be used here, one atomic script, the tables it lists."""

import json
import os
import shutil
import subprocess

FAMILY = "inet"  # one family for IPv4 and IPv6 rules alike
ENABLE = "run as root and install nftables (apt-get install nftables)"


class NftError(RuntimeError):
    """`nft` refused a script; the message carries its own."""


def available() -> str | None:
    """None when network faults can be installed here, else why not and how to enable them."""
    if shutil.which("nft") is None:
        return f"nft is not installed: {ENABLE}"
    if os.geteuid() != 0:
        return f"nftables rules need root: {ENABLE}"
    try:
        table_names()
    except NftError as error:
        return f"nft does not work here ({error}): {ENABLE}, with CAP_NET_ADMIN"
    return None


def run(script: str) -> None:
    """Apply `script` (nft commands, one a line) as one transaction: all of it or none."""
    _nft(["-f", "-"], script)


def table_names() -> list[str]:
    """Names of every table of our family, ours or not."""
    listing = json.loads(_nft(["-j", "list", "tables", FAMILY]))
    return [item["table"]["name"] for item in listing["nftables"] if "table" in item]


def _nft(arguments: list[str], script: str = "") -> str:
    try:
        done = subprocess.run(
            ["nft", *arguments], input=script, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise NftError(str(error)) from error
    if done.returncode != 0:
        raise NftError(done.stderr.strip() or f"nft exited with {done.returncode}")
    return done.stdout
