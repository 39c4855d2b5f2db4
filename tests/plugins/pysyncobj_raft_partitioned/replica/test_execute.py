"""The fast path on three real replicas: a single-partition command is one log entry."""

import itertools
import json
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from proto import storage_pb2 as pb
from tests.plugins.pysyncobj_raft_partitioned.replica.support import CALL_S, Group, key, values

_numbers = itertools.count(1)


def fresh(prefix: str) -> str:
    return f"{prefix}{next(_numbers)}"


def create_client(cid: str, name: str = "Ada") -> pb.ExecuteRequest:
    return pb.ExecuteRequest(kind=pb.CREATE_CLIENT, id=cid, data=json.dumps({"name": name}))


def applied(group: Group, name: str) -> int:
    return int(group.status(name)["details"]["applied_index"])


def committed(group: Group, name: str) -> int:
    return int(group.status(name)["details"]["commit_index"])


def test_a_single_partition_write_is_one_log_entry(group: Group) -> None:
    leader = group.leader()
    stub = group.stub(leader)
    # A new leader's first entries are PySyncObj's own, which the store skips.
    assert stub.Execute(create_client(fresh("c")), timeout=CALL_S).error == 0
    for _ in range(3):
        before = applied(group, leader), committed(group, leader)
        reply = stub.Execute(create_client(fresh("c")), timeout=CALL_S)
        assert (reply.status, reply.error) == (pb.OK, 0), reply.detail
        assert (applied(group, leader), committed(group, leader)) == (before[0] + 1, before[1] + 1)


def test_a_refusal_is_the_domains_reply_and_changes_nothing(group: Group) -> None:
    stub = group.stub(group.follower())  # a follower forwards the entry to its leader
    cid = fresh("c")
    assert stub.Execute(create_client(cid), timeout=CALL_S).error == 0
    again = stub.Execute(create_client(cid, "Bob"), timeout=CALL_S)
    assert (again.status, again.error) == (pb.OK, 409)
    assert "already exists" in again.description and list(again.changed) == []
    read = stub.Read(pb.ReadRequest(keys=[key("clients", cid)], linearizable=True), timeout=CALL_S)
    assert values(read.records) == {("clients", cid): {"name": "Ada"}}


def test_concurrent_commands_share_entries_and_each_gets_its_own_reply(group: Group) -> None:
    leader = group.leader()
    stub = group.stub(leader)
    cids = [fresh("c") for _ in range(24)]
    before = applied(group, leader)
    with ThreadPoolExecutor(12) as pool:
        replies = list(pool.map(lambda cid: stub.Execute(create_client(cid), timeout=CALL_S), cids))
    assert [(r.status, r.error) for r in replies] == [(pb.OK, 0)] * len(cids)
    assert {(k.table, k.id) for r in replies for k in r.changed} == {("clients", c) for c in cids}
    assert before < applied(group, leader) <= before + len(cids)


def test_a_record_a_transaction_holds_is_locked_for_a_command_until_released(
    group: Group,
) -> None:
    stub = group.stub(group.leader())
    cid, txid = fresh("c"), fresh("tx")
    assert stub.Execute(create_client(cid), timeout=CALL_S).error == 0
    prepare = pb.PrepareRequest(txid=txid, keys=[key("clients", cid)], decider=0)
    assert stub.Prepare(prepare, timeout=CALL_S).status == pb.OK
    update = pb.ExecuteRequest(kind=pb.UPDATE_CLIENT, id=cid, data=json.dumps({"name": "Eve"}))
    locked = stub.Execute(update, timeout=CALL_S)
    assert locked.status == pb.LOCKED and "held by a transaction" in locked.detail
    assert stub.Abort(pb.AbortRequest(txid=txid), timeout=CALL_S).status == pb.OK
    assert stub.Execute(update, timeout=CALL_S).error == 0
    read = stub.Read(pb.ReadRequest(keys=[key("clients", cid)], linearizable=True), timeout=CALL_S)
    assert values(read.records) == {("clients", cid): {"name": "Eve"}}


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (pb.ExecuteRequest(id="1"), "kind"),
        (pb.ExecuteRequest(kind=pb.CREATE_CLIENT, id="1", data="{}"), '"name"'),
        (
            pb.ExecuteRequest(
                kind=pb.CREATE_ORDER, id="1", cid="2", items=[pb.OrderLine(pid="3", quantity=-1)]
            ),
            "items[0].quantity",
        ),
        (pb.ExecuteRequest(kind=pb.DELETE_CLIENT, id=""), "id (client ID)"),
    ],
)
def test_a_bad_command_is_refused_naming_the_field(
    group: Group, request_: pb.ExecuteRequest, field: str
) -> None:
    leader = group.leader()
    before = applied(group, leader)
    with pytest.raises(grpc.RpcError) as raised:
        group.stub(leader).Execute(request_, timeout=CALL_S)
    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field in str(raised.value.details())
    assert applied(group, leader) == before


def test_steps_of_every_kind_are_answered_each_in_order(group: Group) -> None:
    stub = group.stub(group.leader())
    taken, new, held, txid = fresh("c"), fresh("c"), fresh("c"), fresh("tx")
    for cid in (taken, held):
        assert stub.Execute(create_client(cid), timeout=CALL_S).error == 0
    rename = pb.ExecuteRequest(kind=pb.UPDATE_CLIENT, id=held, data=json.dumps({"name": "Eve"}))
    steps = [
        pb.Step(execute=create_client(new)),
        pb.Step(execute=create_client(taken, "Bob")),
        pb.Step(prepare=pb.PrepareRequest(txid=txid, keys=[key("clients", held)])),
        pb.Step(execute=rename),  # after the prepare: its record is locked
        pb.Step(abort=pb.AbortRequest(txid=txid)),
        pb.Step(execute=rename),  # after the abort: free again
    ]
    replies = stub.Steps(pb.StepsRequest(steps=steps), timeout=CALL_S).replies
    assert [r.WhichOneof("reply") for r in replies] == [
        "execute", "execute", "prepare", "execute", "ack", "execute"
    ]  # fmt: skip
    assert [(r.execute.status, r.execute.error) for r in replies[:2]] == [(pb.OK, 0), (pb.OK, 409)]
    assert taken in replies[1].execute.description
    assert [(k.table, k.id) for k in replies[0].execute.changed] == [("clients", new)]
    assert replies[2].prepare.status == pb.OK
    assert values(replies[2].prepare.records) == {("clients", held): {"name": "Ada"}}
    assert replies[3].execute.status == pb.LOCKED
    assert replies[4].ack.status == pb.OK
    assert (replies[5].execute.status, replies[5].execute.error) == (pb.OK, 0)
    keys = [key("clients", cid) for cid in (taken, new, held)]
    read = stub.Read(pb.ReadRequest(keys=keys, linearizable=True), timeout=CALL_S)
    assert values(read.records) == {
        ("clients", taken): {"name": "Ada"},
        ("clients", new): {"name": "Ada"},
        ("clients", held): {"name": "Eve"},
    }


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        (pb.Step(execute=pb.ExecuteRequest(id="1")), "steps[1].execute.kind"),
        (
            pb.Step(prepare=pb.PrepareRequest(txid="t", keys=[key("locks", "1")])),
            "steps[1].prepare.keys[0].table",
        ),
        (pb.Step(), "steps[1]: none of prepare"),
    ],
)
def test_steps_with_a_bad_step_are_refused_whole_naming_it(
    group: Group, bad: pb.Step, named: str
) -> None:
    leader = group.leader()
    good = pb.Step(execute=create_client(fresh("c")))
    before = applied(group, leader)
    with pytest.raises(grpc.RpcError) as raised:
        group.stub(leader).Steps(pb.StepsRequest(steps=[good, bad]), timeout=CALL_S)
    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert named in str(raised.value.details())
    assert applied(group, leader) == before
