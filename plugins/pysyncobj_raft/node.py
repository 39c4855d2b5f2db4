"""The Raft member: PySyncObj's SyncObj whose replicated methods run the domain.

A `@replicated` call appends the pickled command to the log; once the entry is
committed, PySyncObj calls the method on every replica, in log order, on its own
thread, and hands the caller the return value computed on the caller's replica. The
methods only delegate to `Replica`, so every business rule stays in core.domain.
"""

import logging
from typing import Any

from pysyncobj import SyncObj, replicated  # type: ignore[import-untyped]

from core.domain import Code, Command, Query, Reply
from core.replica import Replica
from plugins.pysyncobj_raft.settings import RaftSettings
from plugins.pysyncobj_raft.tuning import sync_obj_conf

log = logging.getLogger(__name__)

APPLY_FAILED = (
    "internal error: applying the command failed on this replica; the server logged a traceback"
)


class QueryFailed(Exception):
    """A query raised while PySyncObj's thread answered it; carried back to the caller."""


class RaftNode(SyncObj):  # type: ignore[misc]
    def __init__(self, settings: RaftSettings, replica: Replica) -> None:
        self.replica = replica
        super().__init__(
            settings.address, sorted(settings.peers.values()), sync_obj_conf(settings, replica)
        )

    # An exception escaping a replicated method would stop PySyncObj's thread on this
    # entry for good (it retries the same entry forever), so each one is caught, logged
    # and turned into a reply. The domain is deterministic, so every replica does the same.

    @replicated  # type: ignore[untyped-decorator]
    def run_command(self, command: Command) -> Reply:
        try:
            return self.replica.execute(command).reply
        except Exception:
            log.exception("applying %r failed", command)
            return Reply(Code.INTERNAL, APPLY_FAILED)

    @replicated  # type: ignore[untyped-decorator]
    def run_query(self, query: Query) -> Any:
        try:
            return self.replica.read(query)
        except Exception as error:
            log.exception("answering %r failed", query)
            return QueryFailed(f"{query!r}: {error}")
