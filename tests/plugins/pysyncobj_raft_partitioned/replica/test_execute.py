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


def test_execute_many_answers_each_command_in_order(group: Group) -> None:
    stub = group.stub(group.leader())
    taken, new = fresh("c"), fresh("c")
    assert stub.Execute(create_client(taken), timeout=CALL_S).error == 0
    batch = [create_client(new), create_client(taken, "Bob"), create_client(new, "Eve")]
    many = stub.ExecuteMany(pb.ExecuteManyRequest(commands=batch), timeout=CALL_S)
    assert [(r.status, r.error) for r in many.replies] == [(pb.OK, 0), (pb.OK, 409), (pb.OK, 409)]
    assert taken in many.replies[1].description and new in many.replies[2].description
    assert [[(k.table, k.id) for k in r.changed] for r in many.replies] == [
        [("clients", new)], [], []
    ]  # fmt: skip
    keys = [key("clients", taken), key("clients", new)]
    read = stub.Read(pb.ReadRequest(keys=keys, linearizable=True), timeout=CALL_S)
    assert values(read.records) == {
        ("clients", taken): {"name": "Ada"},
        ("clients", new): {"name": "Ada"},
    }


def test_execute_many_with_a_bad_command_refuses_all_naming_it(group: Group) -> None:
    leader = group.leader()
    good = create_client(fresh("c"))
    before = applied(group, leader)
    batch = pb.ExecuteManyRequest(commands=[good, pb.ExecuteRequest(id="1")])
    with pytest.raises(grpc.RpcError) as raised:
        group.stub(leader).ExecuteMany(batch, timeout=CALL_S)
    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "commands[1]: " in str(raised.value.details()) and "kind" in str(raised.value.details())
    assert applied(group, leader) == before
