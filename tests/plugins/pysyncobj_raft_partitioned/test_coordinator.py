"""The coordinator's two-phase commit over real participants in memory (tests' local.py).

With two partitions, an ID of digits lives in partition int(ID) % 2: client "1" and
product "3" in partition 1, order "2" and product "4" in partition 0.
"""

import threading
import time
from collections.abc import Iterator

import pytest

from core.domain import Certainty, Code, Reply
from core.domain import commands as c
from core.domain.partitions import Key
from plugins.pysyncobj_raft_partitioned.portal.coordinator import Coordinator, TxIds
from plugins.pysyncobj_raft_partitioned.portal.fanout import Fanout
from tests.plugins.pysyncobj_raft_partitioned.local import LocalStorage


@pytest.fixture
def fanout() -> Iterator[Fanout]:
    pool = Fanout(8)
    yield pool
    pool.close()


@pytest.fixture
def storage() -> LocalStorage:
    return LocalStorage(2)


def coordinator(storage: LocalStorage, fanout: Fanout, timeout: float = 2.0) -> Coordinator:
    return Coordinator(storage, TxIds("s1"), timeout, fanout)


def product(stock: int) -> dict[str, object]:
    return {"name": "pen", "price": 1.5, "quantity": stock}


def seed(run: Coordinator) -> None:
    for command in (
        c.CreateClient("1", {"name": "ana"}),
        c.CreateProduct("3", product(5)),
        c.CreateProduct("4", product(5)),
    ):
        assert run.execute(command).ok


def test_an_order_across_partitions_is_stored_in_each_and_leaves_no_lock(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = coordinator(storage, fanout)
    seed(run)
    assert run.execute(c.CreateOrder("2", "1", (("3", 2), ("4", 1)))).ok
    assert run.drain(5.0)  # the commits that finish after the reply
    assert storage.record(("orders", "2"))["CID"] == "1"
    assert storage.record(("client_orders", "1")) == ["2"]
    assert storage.record(("products", "3"))["quantity"] == 3
    assert storage.record(("products", "4"))["quantity"] == 4
    assert storage.record(("units_held", "3")) == 2
    assert storage.locks() == []
    assert (0, "decide") in storage.calls  # the OID's partition holds the decision


def test_an_order_across_partitions_sends_no_commit_to_the_decider(
    storage: LocalStorage, fanout: Fanout
) -> None:
    """The decider carries out its own part with the decision: one call fewer."""
    run = coordinator(storage, fanout)
    seed(run)
    storage.calls.clear()
    assert run.execute(c.CreateOrder("2", "1", (("3", 2), ("4", 1)))).ok
    assert run.drain(5.0)  # the commits that finish after the reply
    assert sorted(storage.calls) == [(0, "decide"), (0, "prepare"), (1, "commit"), (1, "prepare")]
    assert storage.record(("orders", "2"))["CID"] == "1"  # the decider's own writes
    assert storage.record(("products", "4"))["quantity"] == 4
    assert storage.locks() == []


def test_a_refusal_aborts_everywhere_and_changes_nothing(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = coordinator(storage, fanout)
    seed(run)
    reply = run.execute(c.CreateOrder("2", "1", (("3", 1), ("4", 9))))
    assert reply.code == Code.CONFLICT and "not enough stock" in reply.description
    assert run.drain(5.0)  # the commits that finish after the reply
    assert storage.record(("products", "3"))["quantity"] == 5
    assert storage.record(("orders", "2")) is None
    assert storage.locks() == []
    assert not any(method == "decide" for _, method in storage.calls)


def test_a_client_with_an_order_in_another_partition_cannot_be_deleted(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = coordinator(storage, fanout)
    seed(run)
    assert run.execute(c.CreateOrder("2", "1", (("3", 1),))).ok
    assert run.execute(c.DeleteClient("1")).code == Code.CONFLICT
    assert run.execute(c.DeleteProduct("3")).code == Code.CONFLICT
    assert run.execute(c.DeleteOrder("2")).ok
    assert run.drain(5.0)  # the commits that finish after the reply
    assert storage.record(("products", "3"))["quantity"] == 5
    assert run.execute(c.DeleteClient("1")).ok
    assert storage.locks() == []


def test_an_order_update_prepares_the_order_then_its_products(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = coordinator(storage, fanout)
    seed(run)
    assert run.execute(c.CreateOrder("2", "1", (("3", 2),))).ok
    assert run.drain(5.0)  # its commit's call is not the update's
    storage.calls.clear()
    assert run.execute(c.UpdateOrder("2", "1", (("3", 0), ("4", 3)))).ok
    assert storage.calls[0] == (0, "prepare")  # the order's partition, alone, first
    assert run.drain(5.0)  # the commits that finish after the reply
    assert storage.record(("products", "3"))["quantity"] == 5
    assert storage.record(("products", "4"))["quantity"] == 2
    assert storage.record(("product_refs", "3")) is None


def hold(storage: LocalStorage, key: Key, partition: int) -> None:
    """Another transaction, of a portal that went quiet, locks `key`."""
    answer = storage.prepare(partition, "other-tx", [key], partition, time.monotonic() + 1)
    assert answer.ok


def release_later(storage: LocalStorage, partition: int, after: float) -> threading.Timer:
    """The held transaction aborts `after` seconds from now (join the timer when done)."""
    release = threading.Timer(
        after, lambda: storage.abort(partition, "other-tx", time.monotonic() + 1)
    )
    release.start()
    return release


def test_a_locked_record_is_retried_until_its_lock_is_released(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = coordinator(storage, fanout)
    seed(run)
    hold(storage, ("products", "4"), 0)
    release = release_later(storage, 0, 0.3)
    started = time.monotonic()
    reply = run.execute(c.CreateOrder("2", "1", (("3", 1), ("4", 1))))
    release.join()
    assert reply.ok and time.monotonic() - started >= 0.25
    aborts = [call for call in storage.calls if call[1] == "abort"]
    assert aborts, "the attempts that met the lock aborted what they had prepared"
    assert run.drain(5.0)  # the commits that finish after the reply
    assert storage.locks() == []


def test_a_lock_held_past_the_timeout_gives_a_503_with_nothing_changed(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = coordinator(storage, fanout, timeout=0.5)
    seed(run)
    hold(storage, ("products", "4"), 0)
    reply = run.execute(c.CreateOrder("2", "1", (("3", 1), ("4", 1))))
    assert (reply.code, reply.certainty) == (Code.UNAVAILABLE, Certainty.NONE)
    assert "locked" in reply.description
    assert storage.record(("products", "3"))["quantity"] == 5
    assert [holder for _, holder in storage.locks()] == ["other-tx"]  # only the other's


def test_a_contended_command_keeps_trying_past_one_tries_timeout_until_lock_wait(
    storage: LocalStorage, fanout: Fanout
) -> None:
    # Each try is bounded by 0.3 s; the lock is held for 0.9 s; lock_wait allows 5.
    run = Coordinator(storage, TxIds("s1"), 0.3, fanout, lock_wait=5.0)
    seed(run)
    hold(storage, ("products", "4"), 0)
    release = release_later(storage, 0, 0.9)
    started = time.monotonic()
    reply = run.execute(c.CreateOrder("2", "1", (("3", 1), ("4", 1))))
    release.join()
    assert reply.ok, reply.description
    assert time.monotonic() - started >= 0.85
    assert run.drain(5.0)  # the commits that finish after the reply
    assert storage.locks() == []


def test_a_contended_command_gives_up_at_lock_wait_and_says_so(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = Coordinator(storage, TxIds("s1"), 0.2, fanout, lock_wait=0.6)
    seed(run)
    hold(storage, ("products", "4"), 0)
    started = time.monotonic()
    reply = run.execute(c.CreateOrder("2", "1", (("3", 1), ("4", 1))))
    assert (reply.code, reply.certainty) == (Code.UNAVAILABLE, Certainty.NONE)
    assert "for 0.6 s" in reply.description
    assert time.monotonic() - started >= 0.3  # more than one try's bound
    assert storage.record(("products", "3"))["quantity"] == 5


def test_a_decision_whose_answer_is_lost_is_unknown_and_left_to_recovery(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = coordinator(storage, fanout)
    seed(run)
    storage.fail(0, "decide", applied=True)
    reply = run.execute(c.CreateOrder("2", "1", (("3", 1), ("4", 1))))
    assert (reply.code, reply.certainty) == (Code.UNAVAILABLE, Certainty.UNKNOWN)
    assert storage.locks(), "the prepared partitions wait for recovery"
    # Recovery asks the decider, with commit = False: the recorded commit wins.
    (txid,) = {str(holder) for _, holder in storage.locks()}
    decision = storage.recover(0, txid)
    assert decision.commit and set(decision.writes) == {0, 1}


def test_a_decision_that_never_entered_the_log_aborts_everything(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = coordinator(storage, fanout, timeout=0.5)
    seed(run)
    storage.fail(0, "decide", applied=False)
    reply = run.execute(c.CreateOrder("2", "1", (("3", 1), ("4", 1))))
    assert (reply.code, reply.certainty) == (Code.UNAVAILABLE, Certainty.NONE)
    assert storage.locks() == [] and storage.record(("orders", "2")) is None


def test_an_abort_recorded_first_by_recovery_wins(storage: LocalStorage, fanout: Fanout) -> None:
    run = coordinator(storage, fanout)
    seed(run)
    real_decide = storage.decide

    def recovery_first(partition: int, txid: str, *args: object, **kwargs: object) -> object:
        storage.recover(partition, txid)
        return real_decide(partition, txid, *args, **kwargs)  # type: ignore[arg-type]

    storage.decide = recovery_first  # type: ignore[method-assign, assignment]
    reply = run.execute(c.CreateOrder("2", "1", (("3", 1), ("4", 1))))
    assert (reply.code, reply.certainty) == (Code.UNAVAILABLE, Certainty.NONE)
    assert storage.locks() == [] and storage.record(("products", "3"))["quantity"] == 5


@pytest.mark.parametrize(
    ("applied", "certainty"), [(False, Certainty.NONE), (True, Certainty.UNKNOWN)]
)
def test_a_single_partition_command_without_an_answer(
    storage: LocalStorage, fanout: Fanout, applied: bool, certainty: Certainty
) -> None:
    run = coordinator(storage, fanout, timeout=0.5)
    storage.fail(1, "execute", applied=applied)
    reply = run.execute(c.CreateClient("1", {"name": "ana"}))
    assert (reply.code, reply.certainty) == (Code.UNAVAILABLE, certainty)
    assert (storage.record(("clients", "1")) is not None) is applied
    assert storage.locks() == []


def test_concurrent_orders_across_partitions_never_oversell(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = coordinator(storage, fanout, timeout=10.0)
    seed(run)
    replies: list[Reply] = []

    def buy(n: int) -> None:
        replies.append(run.execute(c.CreateOrder(str(2 * n), "1", (("3", 1), ("4", 1)))))

    buyers = [threading.Thread(target=buy, args=(n,)) for n in range(1, 13)]
    for thread in buyers:
        thread.start()
    for thread in buyers:
        thread.join()
    accepted = sum(reply.ok for reply in replies)
    assert accepted == 5  # 5 units of each product
    assert all(r.ok or r.code == Code.CONFLICT for r in replies), replies
    assert run.drain(5.0)  # the commits that finish after the reply
    assert storage.record(("products", "3"))["quantity"] == 0
    assert storage.record(("products", "4"))["quantity"] == 0
    assert len(storage.record(("client_orders", "1"))) == 5
    assert storage.locks() == []


def test_a_single_partition_command_is_one_execute_and_nothing_else(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = coordinator(storage, fanout)
    seed(run)
    storage.calls.clear()
    assert run.execute(c.CreateOrder("5", "1", (("3", 2),))).ok  # all in partition 1
    assert storage.calls == [(1, "execute")]
    assert run.drain(5.0)  # the commits that finish after the reply
    assert storage.record(("products", "3"))["quantity"] == 3
    assert storage.record(("client_orders", "1")) == ["5"]


def test_a_fast_command_waits_for_a_transactions_lock_on_its_record(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = coordinator(storage, fanout)
    seed(run)
    hold(storage, ("products", "3"), 1)
    release = release_later(storage, 1, 0.3)
    started = time.monotonic()
    reply = run.execute(c.UpdateProduct("3", product(9)))
    release.join()
    assert reply.ok and time.monotonic() - started >= 0.25
    assert run.drain(5.0)  # the commits that finish after the reply
    assert storage.record(("products", "3"))["quantity"] == 9


def test_a_fast_command_on_a_record_locked_past_the_timeout_gets_a_503_with_nothing_changed(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = coordinator(storage, fanout, timeout=0.5)
    seed(run)
    hold(storage, ("products", "3"), 1)
    reply = run.execute(c.UpdateProduct("3", product(9)))
    assert (reply.code, reply.certainty) == (Code.UNAVAILABLE, Certainty.NONE)
    assert "locked" in reply.description
    assert storage.record(("products", "3"))["quantity"] == 5


def test_an_order_deletion_whose_lines_are_elsewhere_falls_back_to_two_phase_commit(
    storage: LocalStorage, fanout: Fanout
) -> None:
    run = coordinator(storage, fanout)
    seed(run)
    assert run.execute(c.CreateOrder("2", "1", (("3", 2),))).ok  # order in 0, product in 1
    assert run.drain(5.0)  # its commit's call is not the deletion's
    storage.calls.clear()
    assert run.execute(c.DeleteOrder("2")).ok
    assert storage.calls[0] == (0, "execute") and (0, "prepare") in storage.calls
    assert run.drain(5.0)  # the commits that finish after the reply
    assert storage.record(("orders", "2")) is None
    assert storage.record(("products", "3"))["quantity"] == 5
    assert storage.locks() == []
