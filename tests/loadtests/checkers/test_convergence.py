"""Convergence of replica digests after the load, and the time it took."""

from loadtests.checkers import check_convergence
from loadtests.history import DigestSample, Replicas, ReplicaState


def final(**digests: str) -> dict[str, ReplicaState]:
    return {name: ReplicaState(digest, {}) for name, digest in digests.items()}


def polls(*rows: tuple[float, dict[str, str]]) -> tuple[DigestSample, ...]:
    return tuple(DigestSample(time, digests) for time, digests in rows)


SAME = {"s1": "a", "s2": "a", "s3": "a"}


def test_equal_digests_converge() -> None:
    result = check_convergence(Replicas(final(s1="a", s2="a", s3="a")), settle_timeout=5)
    assert (result.converged, result.replicas, result.divergent) == (True, 3, 0)
    assert (result.majority_digest, result.time_to_converge) == ("a", None)


def test_a_replica_that_differs_from_the_majority_diverges() -> None:
    result = check_convergence(Replicas(final(s1="a", s2="b", s3="a")), settle_timeout=5)
    assert (result.converged, result.divergent, result.divergent_servers) == (False, 1, ("s2",))
    assert result.majority_digest == "a"


def test_a_tie_goes_to_the_smallest_digest() -> None:
    result = check_convergence(Replicas(final(s1="b", s2="a", s3="b", s4="a")), settle_timeout=5)
    assert (result.majority_digest, result.divergent_servers) == ("a", ("s1", "s3"))


def test_time_to_converge_is_the_first_poll_from_which_all_agree() -> None:
    samples = polls(
        (10.5, {"s1": "a", "s2": "x", "s3": "a"}),
        (11.0, SAME),
        (11.5, {"s1": "a", "s2": "a", "s3": "y"}),  # they had not settled yet
        (12.25, SAME),
        (13.0, SAME),
    )
    replicas = Replicas(final(**SAME), samples, load_stopped=10.0)
    result = check_convergence(replicas, settle_timeout=5)
    assert (result.converged, result.time_to_converge) == (True, 2.25)
    assert not check_convergence(replicas, settle_timeout=2).converged


def test_replicas_equal_at_the_first_poll_converge_at_once() -> None:
    replicas = Replicas(final(**SAME), polls((10.25, SAME)), load_stopped=10.5)
    assert check_convergence(replicas, settle_timeout=1).time_to_converge == 0.0


def test_a_poll_that_misses_a_server_is_not_agreement() -> None:
    samples = polls((11.0, {"s1": "a", "s2": "a"}), (12.0, SAME))
    replicas = Replicas(final(**SAME), samples, load_stopped=10.0)
    assert check_convergence(replicas, settle_timeout=5).time_to_converge == 2.0


def test_agreeing_only_after_the_last_poll_is_not_converging_in_time() -> None:
    samples = polls((11.0, {"s1": "a", "s2": "x", "s3": "a"}))
    result = check_convergence(Replicas(final(**SAME), samples, load_stopped=10.0), 5)
    assert (result.converged, result.divergent, result.time_to_converge) == (False, 0, None)


def test_divergent_replicas_have_no_time_to_converge() -> None:
    samples = polls((11.0, SAME))
    result = check_convergence(Replicas(final(s1="a", s2="a", s3="z"), samples, 10.0), 5)
    assert (result.converged, result.divergent, result.time_to_converge) == (False, 1, None)


def grouped(**digests: tuple[str, str]) -> dict[str, ReplicaState]:
    return {name: ReplicaState(digest, {}, group) for name, (digest, group) in digests.items()}


def test_digests_are_compared_within_each_replica_group_only() -> None:
    two_groups = grouped(r1=("a", "p0"), r2=("a", "p0"), r3=("b", "p1"), r4=("b", "p1"))
    result = check_convergence(Replicas(two_groups), settle_timeout=5)
    assert (result.converged, result.replicas, result.divergent) == (True, 4, 0)


def test_a_replica_that_differs_from_its_own_group_diverges() -> None:
    apart = grouped(r1=("a", "p0"), r2=("a", "p0"), r3=("b", "p1"), r4=("c", "p1"), r5=("c", "p1"))
    result = check_convergence(Replicas(apart), settle_timeout=5)
    assert (result.converged, result.divergent_servers) == (False, ("r3",))


def test_groups_converge_when_each_agrees_within_itself() -> None:
    groups = grouped(r1=("a", "p0"), r2=("a", "p0"), r3=("b", "p1"))
    samples = polls(
        (10.5, {"r1": "a", "r2": "x", "r3": "b"}),
        (11.0, {"r1": "a", "r2": "a", "r3": "b"}),
    )
    result = check_convergence(Replicas(groups, samples, load_stopped=10.0), settle_timeout=5)
    assert (result.converged, result.time_to_converge) == (True, 1.0)
