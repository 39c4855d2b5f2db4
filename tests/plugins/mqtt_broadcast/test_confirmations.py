"""Matching a write's returning messages with the thread that waits for them."""

import threading

from plugins.mqtt_broadcast.confirmations import Confirmations, Delivery


def opened() -> Confirmations:
    confirmations = Confirmations()
    confirmations.open()
    return confirmations


def test_a_write_is_confirmed_when_all_its_messages_are_back() -> None:
    confirmations = opened()
    ticket = confirmations.expect(["a", "b"])
    confirmations.confirm("a")
    assert not ticket.done.is_set()
    confirmations.confirm("b")
    assert confirmations.wait(ticket, timeout=0) is Delivery.CONFIRMED


def test_a_confirmation_from_another_thread_ends_the_wait() -> None:
    confirmations = opened()
    ticket = confirmations.expect(["a"])
    threading.Thread(target=confirmations.confirm, args=("a",)).start()
    assert confirmations.wait(ticket, timeout=30) is Delivery.CONFIRMED


def test_a_wait_without_the_messages_times_out_and_forgets_them() -> None:
    confirmations = opened()
    ticket = confirmations.expect(["a", "b"])
    confirmations.confirm("a")
    assert confirmations.wait(ticket, timeout=0) is Delivery.TIMED_OUT
    confirmations.confirm("b")  # arrives late: nobody waits any more
    assert ticket.result is None


def test_a_lost_connection_ends_every_wait() -> None:
    confirmations = opened()
    first, second = confirmations.expect(["a"]), confirmations.expect(["b"])
    confirmations.fail_all()
    assert confirmations.wait(first, timeout=30) is Delivery.DISCONNECTED
    assert confirmations.wait(second, timeout=30) is Delivery.DISCONNECTED


def test_until_the_connection_is_back_a_write_is_told_at_once() -> None:
    confirmations = Confirmations()
    assert confirmations.expect(["a"]).result is Delivery.DISCONNECTED
    confirmations.open()
    confirmations.fail_all()
    assert confirmations.expect(["b"]).result is Delivery.DISCONNECTED
    confirmations.open()
    assert confirmations.expect(["c"]).result is None
