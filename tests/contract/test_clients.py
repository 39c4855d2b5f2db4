"""SPEC.md rules 1 to 3 for clients, through AdminPortal."""

import json
from collections.abc import Iterator

import pytest

from proto import api_pb2 as pb
from tests.contract.support import (
    BAD_IDS,
    MAX_DATA_BYTES,
    accepted,
    changes_nothing,
    client,
    client_json,
    in_order,
    make_client,
    make_order,
    make_product,
    padded_json,
    record,
    refused,
)
from tests.support.api import Api

pytestmark = pytest.mark.contract

BAD_DATA = {
    "not JSON": '{"name": "Ana"',
    "empty": "",
    "a JSON list": '["Ana"]',
    "a JSON string": '"Ana"',
    "a JSON number": "7",
    "JSON null": "null",
    "no name": '{"email": "ana@ufu.br"}',
    "over 64 KiB": padded_json({"name": "Ana"}, MAX_DATA_BYTES + 1),
}


def test_create_then_retrieve_returns_the_data_with_extra_fields_verbatim(
    api: Api, ids: Iterator[str]
) -> None:
    # Keys out of alphabetical order, nested too: they come back in the order sent.
    data = {
        "name": "Paulo", "email": "paulo@ufu.br", "tags": ["a", 1, None], "nota": "ação",
        "endereço": {"rua": "Av. João Naves", "cidade": "Uberlândia", "cep": "38400"},
    }  # fmt: skip
    cid = next(ids)
    accepted(api, api.CreateClient(pb.Client(CID=cid, data=json.dumps(data))))
    found = client(api, cid)
    assert found.CID == cid
    assert json.loads(found.data) == data
    assert in_order(found.data) == in_order(json.dumps(data))


def test_update_replaces_the_data(api: Api, ids: Iterator[str]) -> None:
    cid = make_client(api, ids, email="old@ufu.br")
    accepted(api, api.UpdateClient(pb.Client(CID=cid, data=client_json("Paulo S."))))
    assert record(client(api, cid)) == {"name": "Paulo S."}


def test_delete_removes_the_client(api: Api, ids: Iterator[str]) -> None:
    cid = make_client(api, ids)
    accepted(api, api.DeleteClient(pb.ID(ID=cid)))
    assert client(api, cid) == pb.Client(CID="0", data="")


def test_a_deleted_client_can_be_created_again(api: Api, ids: Iterator[str]) -> None:
    cid = make_client(api, ids)
    accepted(api, api.DeleteClient(pb.ID(ID=cid)))
    accepted(api, api.CreateClient(pb.Client(CID=cid, data=client_json("Ana"))))
    assert record(client(api, cid)) == {"name": "Ana"}


def test_retrieve_of_a_missing_client_is_the_empty_client(api: Api, ids: Iterator[str]) -> None:
    assert client(api, next(ids)) == pb.Client(CID="0", data="")


def test_create_an_existing_client_is_a_conflict(api: Api, ids: Iterator[str]) -> None:
    cid = make_client(api, ids)
    with changes_nothing(api, lambda: client(api, cid)):
        refused(api.CreateClient(pb.Client(CID=cid, data=client_json("Other"))), 409)


def test_update_of_a_missing_client_is_not_found(api: Api, ids: Iterator[str]) -> None:
    cid = next(ids)
    with changes_nothing(api, lambda: client(api, cid)):
        refused(api.UpdateClient(pb.Client(CID=cid, data=client_json())), 404)


def test_delete_of_a_missing_client_is_not_found(api: Api, ids: Iterator[str]) -> None:
    with changes_nothing(api):
        refused(api.DeleteClient(pb.ID(ID=next(ids))), 404)


def test_ids_of_256_characters_and_non_ascii_letters_are_accepted(
    api: Api, ids: Iterator[str]
) -> None:
    cid = next(ids).ljust(256, "é")
    accepted(api, api.CreateClient(pb.Client(CID=cid, data=client_json())))
    assert client(api, cid).CID == cid


@pytest.mark.parametrize("flaw", BAD_IDS)
def test_a_bad_id_is_refused_by_every_write(api: Api, ids: Iterator[str], flaw: str) -> None:
    cid = BAD_IDS[flaw](next(ids))
    with changes_nothing(api, lambda: client(api, cid)):
        refused(api.CreateClient(pb.Client(CID=cid, data=client_json())), 400)
        refused(api.UpdateClient(pb.Client(CID=cid, data=client_json())), 400)
        refused(api.DeleteClient(pb.ID(ID=cid)), 400)


@pytest.mark.parametrize("flaw", BAD_DATA)
def test_bad_data_is_refused_on_create(api: Api, ids: Iterator[str], flaw: str) -> None:
    cid = next(ids)
    with changes_nothing(api, lambda: client(api, cid)):
        refused(api.CreateClient(pb.Client(CID=cid, data=BAD_DATA[flaw])), 400)
    assert client(api, cid).CID == "0"


@pytest.mark.parametrize("flaw", BAD_DATA)
def test_bad_data_is_refused_on_update(api: Api, ids: Iterator[str], flaw: str) -> None:
    cid = make_client(api, ids)
    with changes_nothing(api, lambda: client(api, cid)):
        refused(api.UpdateClient(pb.Client(CID=cid, data=BAD_DATA[flaw])), 400)


def test_data_of_exactly_64_kib_is_accepted(api: Api, ids: Iterator[str]) -> None:
    cid = next(ids)
    data = padded_json({"name": "Ana"}, MAX_DATA_BYTES)
    accepted(api, api.CreateClient(pb.Client(CID=cid, data=data)))
    assert record(client(api, cid)) == json.loads(data)


def test_a_client_with_orders_cannot_be_deleted(api: Api, ids: Iterator[str]) -> None:
    cid = make_client(api, ids)
    pid = make_product(api, ids)
    oid = make_order(api, ids, cid, (pid, 1))
    with changes_nothing(api, lambda: client(api, cid)):
        refused(api.DeleteClient(pb.ID(ID=cid)), 409)
    accepted(api, api.DeleteOrder(pb.ID(ID=oid)))
    accepted(api, api.DeleteClient(pb.ID(ID=cid)))


def test_a_client_with_an_empty_order_cannot_be_deleted(api: Api, ids: Iterator[str]) -> None:
    cid = make_client(api, ids)
    make_order(api, ids, cid)
    with changes_nothing(api, lambda: client(api, cid)):
        refused(api.DeleteClient(pb.ID(ID=cid)), 409)
