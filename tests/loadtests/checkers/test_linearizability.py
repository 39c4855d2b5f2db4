"""Per-key linearizability of client records, on hand-made histories.

Times are small integers: an operation [a, b] started at a and returned at b.
"""

from loadtests.checkers import LinearizabilityResult, check_linearizability
from loadtests.checkers.linearizability import CLIENTS
from loadtests.checkers.shrink import CULPRIT_LIMIT, culprits
from loadtests.history import Operation
from tests.loadtests.support import call

A, B = {"name": "Ana"}, {"name": "Bia"}


def bad_keys(result: LinearizabilityResult) -> dict[str, tuple[int, ...]]:
    return {example.key: example.indices for example in result.violations}


def assert_linearizable(history: list[Operation]) -> None:
    result = check_linearizability(history)
    assert result.violations == ()
    assert result.inconclusive == ()


# Histories with the anomaly


def test_a_read_of_the_value_an_acknowledged_update_replaced() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("RetrieveClient", "c1", 1.5, 1.8, A),
        call("UpdateClient", "c1", 2, 3, B),
        call("RetrieveClient", "c1", 4, 5, A),
        call("RetrieveClient", "c1", 6, 7, B),
    ]
    result = check_linearizability(history)
    assert result.non_linearizable == 1
    assert bad_keys(result) == {"c1": (0, 2, 3)}  # the minimal sub-history
    assert result.violations[0].operations == (history[0], history[2], history[3])
    assert "3 operations on client 'c1'" in result.violations[0].what
    # Without the update or without the read the rest is linearizable: they conflict.
    assert result.violations[0].highlight == (2, 3)


def test_reads_that_go_back_in_time_during_a_slow_update() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("UpdateClient", "c1", 2, 10, B),
        call("RetrieveClient", "c1", 3, 4, B),
        call("RetrieveClient", "c1", 5, 6, A),
    ]
    assert bad_keys(check_linearizability(history)) == {"c1": (0, 1, 2, 3)}


def test_an_acknowledged_create_that_a_later_read_does_not_find() -> None:
    history = [call("CreateClient", "c1", 0, 1, A), call("RetrieveClient", "c1", 2, 3, None)]
    assert bad_keys(check_linearizability(history)) == {"c1": (0, 1)}


def test_two_acknowledged_creates_of_one_client() -> None:
    history = [
        call("CreateClient", "c1", 0, 2, A, process="p1"),
        call("CreateClient", "c1", 1, 3, B, process="p2"),
    ]
    result = check_linearizability(history)
    assert bad_keys(result) == {"c1": (0, 1)}
    assert result.violations[0].highlight == (0, 1)  # either create alone is fine


def test_an_update_acknowledged_after_an_acknowledged_delete() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("DeleteClient", "c1", 2, 3),
        call("UpdateClient", "c1", 4, 5, B),
    ]
    assert bad_keys(check_linearizability(history)) == {"c1": (0, 1, 2)}


def test_a_conflict_on_a_client_that_never_existed() -> None:
    history = [call("CreateClient", "c1", 0, 1, A, error=409)]
    assert bad_keys(check_linearizability(history)) == {"c1": (0,)}


def test_a_read_of_a_value_nobody_wrote_shrinks_to_the_read() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("UpdateClient", "c1", 2, 3, B),
        call("RetrieveClient", "c1", 4, 5, {"name": "Eve"}),
    ]
    assert bad_keys(check_linearizability(history)) == {"c1": (2,)}


def test_an_unknown_update_seen_then_unseen() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("UpdateClient", "c1", 2, 3, B, error=503, outcome="unknown"),
        call("RetrieveClient", "c1", 4, 5, B),
        call("RetrieveClient", "c1", 6, 7, A),
    ]
    result = check_linearizability(history)
    assert bad_keys(result) == {"c1": (0, 1, 2, 3)}
    assert result.violations[0].highlight == (2, 3)  # the unknown update may not have landed


def test_a_long_history_shrinks_to_the_operations_at_fault() -> None:
    history = [call("CreateClient", "c1", 0, 1, A)]
    for n in range(1, 151):
        history.append(call("UpdateClient", "c1", 2 * n, 2 * n + 0.5, {"name": f"v{n}"}))
        seen = n - 1 if n == 70 else n
        history.append(call("RetrieveClient", "c1", 2 * n + 0.6, 2 * n + 0.9, {"name": f"v{seen}"}))
    result = check_linearizability(history)
    assert bad_keys(result) == {"c1": (0, 137, 139, 140)}
    assert result.violations[0].highlight == (139, 140)  # v70 acknowledged, then v69 read
    assert [o.op for o in result.violations[0].operations] == [
        "CreateClient",
        "UpdateClient",
        "UpdateClient",
        "RetrieveClient",
    ]


def test_past_a_few_entries_every_one_is_marked_in_conflict() -> None:
    history = [call("CreateClient", "c1", 0, 1, A), call("UpdateClient", "c1", 2, 3, B)]
    history += [call("RetrieveClient", "c1", 4 + n, 5 + n, A) for n in range(CULPRIT_LIMIT)]
    entries = sorted(CLIENTS.partition(history)["c1"], key=lambda entry: entry.position)
    # Only the update's removal leaves a linearizable rest (the reads then see Ana)...
    assert culprits(CLIENTS, entries[:CULPRIT_LIMIT]) == [1]
    # ...but trying each of more than CULPRIT_LIMIT entries costs too much: all are marked.
    assert culprits(CLIENTS, entries) == list(range(len(history)))


def test_only_the_bad_keys_are_counted() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("CreateClient", "c2", 0, 1, A),
        call("UpdateClient", "c2", 2, 3, B),
        call("RetrieveClient", "c2", 4, 5, A),
        call("RetrieveClient", "c1", 4, 5, A),
        call("CreateClient", "c3", 0, 1, A),
        call("RetrieveClient", "c3", 2, 3, None),
    ]
    result = check_linearizability(history)
    assert (result.keys, result.operations, result.non_linearizable) == (3, 7, 2)
    assert bad_keys(result) == {"c2": (1, 2, 3), "c3": (5, 6)}


# Histories without it


def test_a_sequential_history_with_every_result() -> None:
    assert_linearizable(
        [
            call("UpdateClient", "c1", 0, 1, A, error=404),
            call("DeleteClient", "c1", 2, 3, error=404),
            call("RetrieveClient", "c1", 4, 5, None),
            call("CreateClient", "c1", 6, 7, A),
            call("CreateClient", "c1", 8, 9, B, error=409),
            call("RetrieveClient", "c1", 10, 11, A),
            call("UpdateClient", "c1", 12, 13, B),
            call("DeleteClient", "c1", 14, 15, error=409),  # it has orders
            call("RetrieveClient", "c1", 16, 17, B),
            call("DeleteClient", "c1", 18, 19),
            call("RetrieveClient", "c1", 20, 21, None),
        ]
    )


def test_reads_during_a_slow_update_may_see_old_then_new() -> None:
    assert_linearizable(
        [
            call("CreateClient", "c1", 0, 1, A),
            call("UpdateClient", "c1", 2, 10, B),
            call("RetrieveClient", "c1", 3, 4, A),
            call("RetrieveClient", "c1", 5, 6, B),
            call("RetrieveClient", "c1", 7, 8, B),
        ]
    )


def test_overlapping_writes_may_take_effect_in_either_order() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("UpdateClient", "c1", 2, 6, B, process="p1"),
        call("UpdateClient", "c1", 3, 5, {"name": "Cid"}, process="p2"),
        call("RetrieveClient", "c1", 7, 8, B),
    ]
    assert_linearizable(history)
    history[3] = call("RetrieveClient", "c1", 7, 8, {"name": "Cid"})
    assert_linearizable(history)


def test_concurrent_creates_where_one_conflicts() -> None:
    assert_linearizable(
        [
            call("CreateClient", "c1", 0, 3, A, process="p1"),
            call("CreateClient", "c1", 1, 2, B, error=409, process="p2"),
            call("RetrieveClient", "c1", 4, 5, A),
        ]
    )


def test_an_operation_starting_as_another_returns_overlaps_it() -> None:
    assert_linearizable(
        [
            call("CreateClient", "c1", 0, 1, A),
            call("UpdateClient", "c1", 2, 3, B),
            call("RetrieveClient", "c1", 3, 4, A),
        ]
    )


def test_an_unknown_update_that_never_took_effect() -> None:
    assert_linearizable(
        [
            call("CreateClient", "c1", 0, 1, A),
            call("UpdateClient", "c1", 2, 3, B, error=503, outcome="unknown"),
            call("RetrieveClient", "c1", 4, 5, A),
            call("RetrieveClient", "c1", 6, 7, A),
        ]
    )


def test_an_unknown_create_that_took_effect_long_after_it_timed_out() -> None:
    assert_linearizable(
        [
            call("CreateClient", "c1", 0, 1, A, outcome="unknown"),
            call("RetrieveClient", "c1", 5, 6, None),
            call("RetrieveClient", "c1", 7, 8, A),
        ]
    )


def test_refusals_that_change_nothing_and_failed_reads_are_left_out() -> None:
    result = check_linearizability(
        [
            call("CreateClient", "c1", 0, 1, A),
            call("UpdateClient", "c1", 2, 3, B, error=503),  # nothing changed
            call("UpdateClient", "c1", 4, 5, "{oops", error=400),
            call("RetrieveClient", "c1", 6, 7, {"name": "timeout"}, outcome="unknown"),
            call("RetrieveClient", "c1", 8, 9, A),
        ]
    )
    assert (result.operations, result.non_linearizable) == (2, 0)


def test_many_concurrent_writers_and_readers_on_one_key() -> None:
    writers = [
        call("UpdateClient", "c1", 1 + w, 30 + w, {"name": f"w{w}"}, process=f"w{w}")
        for w in range(12)
    ]
    readers = [
        call("RetrieveClient", "c1", 2 + 2 * w, 3 + 2 * w, {"name": f"w{w}"}, process="r")
        for w in range(12)
    ]
    assert_linearizable([call("CreateClient", "c1", 0, 0.5, A), *writers, *readers])


def test_a_search_that_runs_out_of_budget_is_inconclusive() -> None:
    writers = [
        call("UpdateClient", "c1", 1, 30, {"name": f"w{w}"}, process=f"w{w}") for w in range(12)
    ]
    history = [call("CreateClient", "c1", 0, 0.5, A), *writers]
    history.append(call("RetrieveClient", "c1", 31, 32, {"name": "nobody"}))
    result = check_linearizability(history, budget=50)
    assert (result.inconclusive, result.violations) == (("c1",), ())
    assert bad_keys(check_linearizability(history)) == {"c1": (13,)}
