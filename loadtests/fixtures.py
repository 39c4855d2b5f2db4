"""The records a scenario needs in place: created, or reset when they exist already.

Used by the setup (the shared catalog) and by users on start (their own client).
A cluster that has just started may not commit yet (a Raft leader is still being
elected: 503), so a record is retried for a while; a create refused because the
ID exists (a run before this one, or an earlier try whose outcome was unknown)
becomes an update, which sets the record, and its stock, outright.
"""

import time
from typing import Any, Final

from loadtests.calls import refused
from loadtests.grpc_user import Shop
from loadtests.history import Operation

PATIENCE_S: Final = 20.0  # how long a record is retried while nothing can commit
RETRY_S: Final = 0.1
_KEY_FIELDS: Final = {"Client": "CID", "Product": "PID"}


class FixtureError(RuntimeError):
    pass


def put(shop: Shop, kind: str, key: str, data: dict[str, Any]) -> Operation:
    """Make the `kind` ("Client" or "Product") `key` hold `data`; the call that did."""
    deadline = time.monotonic() + PATIENCE_S
    rpc = f"Create{kind}"
    while True:
        done = shop.call(rpc, data=data, **{_KEY_FIELDS[kind]: key})
        if done.outcome == "ok":
            return done
        if rpc.startswith("Create") and done.result.get("error") == 409:
            rpc = f"Update{kind}"
            continue
        if refused(done.result) or time.monotonic() > deadline:
            raise FixtureError(
                f"{rpc} {key!r} on {done.server} failed: {done.result.get('description')}"
            )
        time.sleep(RETRY_S)  # Locust patched time.sleep: the other users run meanwhile
