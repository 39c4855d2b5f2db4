"""Session guarantees on one server: read-your-writes and monotonic reads."""

from dataclasses import replace

from loadtests.checkers import SessionsResult, check_sessions
from loadtests.history import Operation
from tests.loadtests.support import call


def v(n: int, writer: str = "a") -> dict[str, object]:
    return {"name": "Ana", "writer": writer, "version": n}


def on(server: str, o: Operation) -> Operation:
    return replace(o, server=server)


def found(result: SessionsResult) -> tuple[int, int]:
    return result.read_your_writes, result.monotonic_reads


def conflicts(result: SessionsResult) -> list[tuple[int, ...]]:
    examples = (*result.read_your_writes_examples, *result.monotonic_read_examples)
    return [e.highlight for e in examples]


# Histories with the anomaly


def test_a_session_that_reads_behind_its_own_write_on_its_server() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, v(1), process="a"),
        call("UpdateClient", "c1", 2, 3, v(2), process="a"),
        call("RetrieveClient", "c1", 4, 5, v(1), process="a"),
    ]
    result = check_sessions(history)
    assert found(result) == (1, 0)
    assert (result.sessions, result.reads) == (1, 1)
    assert conflicts(result) == [(1, 2)]
    (e,) = result.read_your_writes_examples
    assert e.what == (
        "a's RetrieveClient of 'c1' showed a write older than its own acknowledged write"
        " on that server"
    )


def test_a_session_that_does_not_find_the_client_it_created() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, v(1), process="a"),
        call("RetrieveClient", "c1", 2, 3, None, process="a"),
    ]
    assert found(check_sessions(history)) == (1, 0)


def test_a_session_that_reads_another_writers_record_going_back() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, v(1), process="w"),
        call("UpdateClient", "c1", 2, 3, v(2), process="w"),
        call("RetrieveClient", "c1", 4, 5, v(2), process="r"),
        call("RetrieveClient", "c1", 6, 7, v(1), process="r"),
    ]
    result = check_sessions(history)
    assert found(result) == (0, 1)
    assert conflicts(result) == [(2, 3)]
    assert (
        "than one its earlier read on that server had shown"
        in result.monotonic_read_examples[0].what
    )


def test_a_product_read_going_back_on_one_server() -> None:
    pen = {"name": "pen", "price": 2, "quantity": 5}
    history = [
        call("CreateProduct", "p1", 0, 1, pen, process="w"),
        call("UpdateProduct", "p1", 2, 3, {**pen, "price": 3}, process="w"),
        call("RetrieveProduct", "p1", 4, 5, {**pen, "price": 3, "quantity": 4}, process="r"),
        call("RetrieveProduct", "p1", 6, 7, pen, process="r"),
    ]
    assert found(check_sessions(history)) == (0, 1)


# Histories without it


def test_reads_that_show_the_own_write_or_a_later_one_are_fine() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, v(1), process="a"),
        call("RetrieveClient", "c1", 2, 3, v(1), process="a"),
        call("UpdateClient", "c1", 3.5, 4.5, v(2, "b"), process="b"),
        call("RetrieveClient", "c1", 5, 6, v(2, "b"), process="a"),
    ]
    result = check_sessions(history)
    assert found(result) == (0, 0) and result.reads == 2


def test_going_back_across_servers_is_not_a_same_server_session_anomaly() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, v(1), process="a"),
        call("UpdateClient", "c1", 2, 3, v(2), process="a"),
        call("RetrieveClient", "c1", 4, 5, v(2), process="r"),
        on("s2", call("RetrieveClient", "c1", 6, 7, v(1), process="r")),
        on("s2", call("RetrieveClient", "c1", 8, 9, v(1), process="a")),
    ]
    result = check_sessions(history)
    assert found(result) == (0, 0) and result.sessions == 3  # r on s1 and s2, a on s2


def test_concurrent_writes_may_show_in_either_order() -> None:
    history = [
        call("UpdateClient", "c1", 0, 3, v(1), process="a"),
        call("UpdateClient", "c1", 1, 4, v(1, "b"), process="b"),
        call("RetrieveClient", "c1", 5, 6, v(1), process="r"),
        call("RetrieveClient", "c1", 7, 8, v(1, "b"), process="r"),
        call("RetrieveClient", "c1", 9, 10, v(1), process="a"),
    ]
    assert found(check_sessions(history)) == (0, 0)


def test_an_unknown_write_may_land_after_a_later_one() -> None:
    history = [
        call("UpdateClient", "c1", 0, 1, v(1), process="w", error=503, outcome="unknown"),
        call("UpdateClient", "c1", 2, 3, v(2), process="w"),
        call("RetrieveClient", "c1", 4, 5, v(2), process="r"),
        call("RetrieveClient", "c1", 6, 7, v(1), process="r"),
    ]
    assert found(check_sessions(history)) == (0, 0)


def test_a_refused_write_and_a_failed_read_set_no_floor() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, v(1), process="a"),
        call("UpdateClient", "c1", 2, 3, v(2), process="a", error=503),
        call("RetrieveClient", "c1", 4, 5, v(2), process="a", outcome="fail"),
        call("RetrieveClient", "c1", 6, 7, v(1), process="a"),
    ]
    result = check_sessions(history)
    assert found(result) == (0, 0) and result.reads == 1
