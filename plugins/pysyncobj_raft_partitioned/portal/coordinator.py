"""A command as a transaction over the partitions: two-phase commit (docs/partitioned.md).

A command whose IDs all lie in one partition takes the fast path instead (`fast`): one
Execute, one entry of that partition's log; the rest of this docstring is the path of
a command that spans partitions (or an order whose stored lines turn out to).

1. Prepare, per partition of the command's footprint (core.domain.partitions), locks
   its keys and reads them (at once; after a LOCKED, in partition order: `_prepare`);
   an UpdateOrder or DeleteOrder prepares the order first, since its lines name the
   products it touches. A partition that answers LOCKED (another transaction holds a
   key) makes the attempt abort what it prepared and start again, with a new txid,
   after a random pause that doubles with each attempt: for up to the option lock_wait
   (8 s; each try within timeout), then 503 with nothing changed. Transactions of one
   portal after the same keys wait for each other in the portal first (`gate`), so
   their tries do not fill the logs.
2. The one state machine decides on the view of the records read (`core.domain.decide`);
   a refusal aborts everywhere.
3. Writes in one partition: its Commit is the decision. In several: the decision and
   every partition's writes are recorded in the decider, the OID's partition, which
   carries it out for its own part in the same operation (participant.py); then each
   other partition commits (in parallel). The reply is `done` once the decision is
   recorded; a commit that does not get through is finished by the partition's
   recovery, which asks the decider.

What a 503 proves (`core.domain.Certainty`): NONE when no commit entry can hold the
command (it never got past Prepare, the decider recorded an abort, or a single Commit
was refused as unknown with no earlier attempt in doubt); UNKNOWN when the decision
or the single Commit went out and no answer came back (recovery then settles it: the
decision, if recorded, is carried out; if not, the transaction is aborted).

Read-only partitions (prepared, nothing to write there) keep their locks until the
decision is taken, then are released, so the decision rests on values no one changed
in between (two-phase locking).
"""

import itertools
import random
import secrets
import threading
import time
from collections.abc import Callable, Collection, Mapping
from typing import Final

from core.domain import Certainty, Code, Command, Reply, decide
from core.domain import commands as c
from core.domain.partitions import (
    Key,
    Value,
    by_partition,
    footprint,
    needs_order,
    partition_of,
    view,
    writes,
)
from plugins.pysyncobj_raft_partitioned.portal import fast
from plugins.pysyncobj_raft_partitioned.portal.answers import RETRY, UNKNOWN, Answer, Status
from plugins.pysyncobj_raft_partitioned.portal.fanout import Fanout
from plugins.pysyncobj_raft_partitioned.portal.gate import Gate
from plugins.pysyncobj_raft_partitioned.portal.storage import Storage

FIRST_PAUSE_S: Final = 0.005  # the first pause after LOCKED; it doubles, jittered
MAX_PAUSE_S: Final = 0.05  # about the time a transaction holds its locks
ABORT_S: Final = 0.5  # an abort past the command's deadline still gets this long

Changed = Callable[[Collection[Key]], None]  # told the keys a write may have changed


class TxIds:
    """Transaction ids unique across portals and restarts: node, counter, random."""

    def __init__(self, node: str) -> None:
        self._prefix = f"{node}-{secrets.token_hex(4)}"
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            return f"{self._prefix}-{next(self._counter)}"


class Coordinator:
    def __init__(
        self,
        storage: Storage,
        txids: TxIds,
        timeout: float,
        fanout: Fanout,
        changed: Changed = lambda keys: None,
        lock_wait: float | None = None,
    ) -> None:
        self.storage = storage
        self.timeout = timeout  # one try's bound: its gate wait and replicated calls
        # All tries' bound, when other transactions hold the records; default: one try's.
        self.lock_wait = timeout if lock_wait is None else lock_wait
        self.changed = changed
        self.each = fanout.each
        self.later = fanout.later
        # Transactions answered whose commits still run, by the order they were answered.
        self._committing: set[int] = set()
        self._answered = 0
        self._idle = threading.Condition()
        self.gate = Gate()
        self._txids = txids
        self._random = random.Random()

    def execute(self, command: Command) -> Reply:
        last = time.monotonic() + self.lock_wait
        pause, ordered = FIRST_PAUSE_S, False
        home = fast.home(command, self.storage.partitions)
        while True:
            deadline = min(last, time.monotonic() + self.timeout)
            result = self._attempt(command, home, deadline, ordered)
            if isinstance(result, fast.Cross):
                home = None  # its stored lines are elsewhere: two-phase commit, at once
                continue
            if isinstance(result, Reply):
                return result
            # Contended: from now on it queues for the locks like any transaction, since
            # a lockless command would only get in between transactions that hold them.
            home = None
            wait = self._random.uniform(0, pause)
            if time.monotonic() + wait >= last:
                return Reply(
                    Code.UNAVAILABLE,
                    f"the records stayed locked by other transactions for {self.lock_wait:g} s "
                    f"({result.detail}); {RETRY}",
                    Certainty.NONE,
                )
            time.sleep(wait)
            pause, ordered = min(MAX_PAUSE_S, pause * 2), True

    def finish_later(
        self, commits: Mapping[int, Callable[[], Answer]], then: Callable[[], None]
    ) -> None:
        """Run a decided transaction's commits after its reply; `then()` once they end."""
        with self._idle:
            ticket, self._answered = self._answered, self._answered + 1
            self._committing.add(ticket)

        def ended() -> None:
            then()
            with self._idle:
                self._committing.discard(ticket)
                self._idle.notify_all()

        self.later(commits, ended)

    def drain(self, timeout: float) -> bool:
        """Wait until the commits of every transaction answered so far have ended (later
        ones need not: under load there always are some); False if not in `timeout`."""
        with self._idle:
            answered = self._answered
            return self._idle.wait_for(
                lambda: all(ticket >= answered for ticket in self._committing), timeout
            )

    def _attempt(
        self, command: Command, home: int | None, deadline: float, ordered: bool
    ) -> Reply | fast.Locked | fast.Cross:
        if home is not None:
            return fast.execute(self.storage, self.gate, self.changed, command, home, deadline)
        return Transaction(self, command, self._txids.next(), deadline, ordered).run()


class Transaction:
    """One attempt at a command: a txid, the partitions it prepared, the records read."""

    def __init__(
        self, owner: Coordinator, command: Command, txid: str, deadline: float, ordered: bool
    ) -> None:
        self._owner = owner
        self._ordered = ordered  # prepare partition by partition (see _prepare)
        self._storage = owner.storage
        self._command = command
        self._txid = txid
        self._deadline = deadline
        self._prepared: set[int] = set()
        self._records: dict[Key, Value] = {}
        self._entered: set[Key] = set()  # held in the portal's gate
        self._decider = decider_of(command, self._storage.partitions)

    def run(self) -> Reply | fast.Locked:
        try:
            return self._run()
        finally:
            self._owner.gate.leave(self._entered)

    def _run(self) -> Reply | fast.Locked:
        command = self._command
        order: Value = None
        if needs_order(command):
            assert isinstance(command, c.UpdateOrder | c.DeleteOrder)
            order_key: Key = ("orders", command.oid)
            if (failed := self._prepare({order_key})) is not None:
                return failed
            order = self._records[order_key]
        if (failed := self._prepare(footprint(command, order) - self._records.keys())) is not None:
            return failed
        outcome = decide(command, view(self._records))
        changes = writes(self._records, outcome.effects) if outcome.reply.ok else {}
        if not changes:  # refused, or nothing to change: release the locks
            self._abort(self._prepared)
            # Decided on the records as stored: this portal's cached copies may be older.
            self._owner.changed(self._records.keys())
            return outcome.reply
        self._owner.changed(changes.keys())
        split = by_partition(changes, self._storage.partitions)
        if len(split) == 1:
            return self._commit_one(outcome.reply, *split.items())
        return self._commit_many(outcome.reply, split)

    def _prepare(self, keys: Collection[Key]) -> Reply | fast.Locked | None:
        """Prepare `keys` in their partitions; None when all are locked for this txid.

        A first attempt prepares every partition at once. One that met a lock prepares
        them one by one in partition order, stopping at the first refusal: of the
        transactions after the same keys, the one that locks the first partition's gets
        the others too, and the rest hold nothing while they wait (at once, each could
        hold one partition's locks, and all abort again).
        """
        if not self._owner.gate.enter(keys, self._deadline):
            return fast.Locked("another transaction of this portal holds them")
        self._entered.update(keys)
        groups = by_partition(dict.fromkeys(keys), self._storage.partitions)
        calls = {part: self._preparer(part, groups[part]) for part in sorted(groups)}
        if self._ordered:
            answers = {}
            for partition, call in calls.items():
                answers[partition] = answer = call()
                if not answer.ok:
                    break
        else:
            answers = self._owner.each(calls)
        for partition, answer in answers.items():
            if answer.ok:
                self._records.update(answer.records)
            if answer.ok or answer.doubtful:  # a doubtful one may hold locks: abort it too
                self._prepared.add(partition)
        failed = {partition: answer for partition, answer in answers.items() if not answer.ok}
        if not failed:
            return None
        self._abort(self._prepared)
        partition, answer = min(failed.items())
        if all(a.status is Status.LOCKED for a in failed.values()):
            return fast.Locked(f"partition {partition}: {answer.detail or 'locked'}")
        return Reply(
            Code.UNAVAILABLE,
            f"partition {partition} did not answer in time ({answer.detail}); {RETRY}",
            Certainty.NONE,
        )

    def _preparer(self, partition: int, keys: Collection[Key]) -> Callable[[], Answer]:
        wanted = sorted(keys)
        return lambda: self._storage.prepare(
            partition, self._txid, wanted, self._decider, self._deadline
        )

    def _commit_one(self, reply: Reply, target: tuple[int, Mapping[Key, Value]]) -> Reply:
        partition, changes = target
        answer = self._storage.commit(partition, self._txid, changes, self._deadline)
        if answer.ok:
            self._abort(self._prepared - {partition})  # read-only ones
            return reply
        # Not committed, or not known to be: a later abort is ordered after the commit
        # in the partition's log, so releasing every lock is safe either way.
        self._abort(self._prepared)
        if answer.doubtful:
            return Reply(
                Code.UNAVAILABLE,
                f"partition {partition} did not confirm the commit ({answer.detail}); {UNKNOWN}",
                Certainty.UNKNOWN,
            )
        return Reply(
            Code.UNAVAILABLE,
            f"partition {partition} did not commit the transaction "
            f"({answer.detail or answer.status.value}); {RETRY}",
            Certainty.NONE,
        )

    def _commit_many(self, reply: Reply, split: Mapping[int, Mapping[Key, Value]]) -> Reply:
        decided = self._storage.decide(self._decider, self._txid, True, split, self._deadline)
        if decided.status is not Status.OK and decided.doubtful:
            # The decision may be recorded: only the decider knows, and recovery asks it.
            return Reply(
                Code.UNAVAILABLE,
                f"partition {self._decider} did not confirm the decision ({decided.detail}); "
                f"{UNKNOWN}",
                Certainty.UNKNOWN,
            )
        if decided.status is not Status.OK or not decided.commit:
            self._abort(self._prepared)
            why = decided.detail if decided.status is not Status.OK else "recovery aborted it"
            return Reply(
                Code.UNAVAILABLE,
                f"the transaction was not decided in partition {self._decider} ({why}); {RETRY}",
                Certainty.NONE,
            )
        # Decided, so committed, and the decider's part carried out with the decision:
        # the reply need not wait for the other partitions' commits. Until a partition
        # commits, its records stay locked, and a read or write of them waits as for
        # any lock; this portal's own commands wait in its gate, which the commits
        # leave once they have all ended (at once when there are none). The commits get
        # a deadline of their own, so a decision taken late in the command's time is
        # still carried out now rather than by recovery (which finishes any that fail).
        finish = time.monotonic() + self._owner.timeout
        entered, self._entered = self._entered, set()
        self._owner.finish_later(
            {
                partition: self._committer(partition, split.get(partition, {}), finish)
                for partition in self._prepared - {self._decider}
            },
            then=lambda: self._owner.gate.leave(entered),
        )
        return reply

    def _committer(
        self, partition: int, changes: Mapping[Key, Value], deadline: float
    ) -> Callable[[], Answer]:
        return lambda: self._storage.commit(partition, self._txid, changes, deadline)

    def _abort(self, partitions: Collection[int]) -> None:
        """Release the locks (best effort: recovery aborts what this cannot reach)."""
        deadline = max(self._deadline, time.monotonic() + ABORT_S)
        self._owner.each(
            {partition: self._aborter(partition, deadline) for partition in sorted(partitions)}
        )

    def _aborter(self, partition: int, deadline: float) -> Callable[[], Answer]:
        return lambda: self._storage.abort(partition, self._txid, deadline)


def decider_of(command: Command, partitions: int) -> int:
    """The partition that holds the decision: the OID's, else that of the command's ID."""
    if isinstance(command, c.CreateOrder | c.UpdateOrder | c.DeleteOrder):
        return partition_of(command.oid, partitions)
    if isinstance(command, c.CreateClient | c.UpdateClient | c.DeleteClient):
        return partition_of(command.cid, partitions)
    return partition_of(command.pid, partitions)
