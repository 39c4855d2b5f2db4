from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OK: _ClassVar[Status]
    LOCKED: _ClassVar[Status]
    UNKNOWN_TX: _ClassVar[Status]
    NO_LEADER: _ClassVar[Status]
    IN_DOUBT: _ClassVar[Status]
    CROSS_PARTITION: _ClassVar[Status]

class CommandKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NO_COMMAND: _ClassVar[CommandKind]
    CREATE_CLIENT: _ClassVar[CommandKind]
    UPDATE_CLIENT: _ClassVar[CommandKind]
    DELETE_CLIENT: _ClassVar[CommandKind]
    CREATE_PRODUCT: _ClassVar[CommandKind]
    UPDATE_PRODUCT: _ClassVar[CommandKind]
    DELETE_PRODUCT: _ClassVar[CommandKind]
    CREATE_ORDER: _ClassVar[CommandKind]
    UPDATE_ORDER: _ClassVar[CommandKind]
    DELETE_ORDER: _ClassVar[CommandKind]
OK: Status
LOCKED: Status
UNKNOWN_TX: Status
NO_LEADER: Status
IN_DOUBT: Status
CROSS_PARTITION: Status
NO_COMMAND: CommandKind
CREATE_CLIENT: CommandKind
UPDATE_CLIENT: CommandKind
DELETE_CLIENT: CommandKind
CREATE_PRODUCT: CommandKind
UPDATE_PRODUCT: CommandKind
DELETE_PRODUCT: CommandKind
CREATE_ORDER: CommandKind
UPDATE_ORDER: CommandKind
DELETE_ORDER: CommandKind

class Key(_message.Message):
    __slots__ = ("table", "id")
    TABLE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    table: str
    id: str
    def __init__(self, table: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class Record(_message.Message):
    __slots__ = ("key", "json")
    KEY_FIELD_NUMBER: _ClassVar[int]
    JSON_FIELD_NUMBER: _ClassVar[int]
    key: Key
    json: str
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., json: _Optional[str] = ...) -> None: ...

class PrepareRequest(_message.Message):
    __slots__ = ("txid", "keys", "decider")
    TXID_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    DECIDER_FIELD_NUMBER: _ClassVar[int]
    txid: str
    keys: _containers.RepeatedCompositeFieldContainer[Key]
    decider: int
    def __init__(self, txid: _Optional[str] = ..., keys: _Optional[_Iterable[_Union[Key, _Mapping]]] = ..., decider: _Optional[int] = ...) -> None: ...

class PrepareReply(_message.Message):
    __slots__ = ("status", "records", "detail")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    status: Status
    records: _containers.RepeatedCompositeFieldContainer[Record]
    detail: str
    def __init__(self, status: _Optional[_Union[Status, str]] = ..., records: _Optional[_Iterable[_Union[Record, _Mapping]]] = ..., detail: _Optional[str] = ...) -> None: ...

class CommitRequest(_message.Message):
    __slots__ = ("txid", "writes")
    TXID_FIELD_NUMBER: _ClassVar[int]
    WRITES_FIELD_NUMBER: _ClassVar[int]
    txid: str
    writes: _containers.RepeatedCompositeFieldContainer[Record]
    def __init__(self, txid: _Optional[str] = ..., writes: _Optional[_Iterable[_Union[Record, _Mapping]]] = ...) -> None: ...

class AbortRequest(_message.Message):
    __slots__ = ("txid",)
    TXID_FIELD_NUMBER: _ClassVar[int]
    txid: str
    def __init__(self, txid: _Optional[str] = ...) -> None: ...

class Ack(_message.Message):
    __slots__ = ("status", "detail")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    status: Status
    detail: str
    def __init__(self, status: _Optional[_Union[Status, str]] = ..., detail: _Optional[str] = ...) -> None: ...

class PartitionWrites(_message.Message):
    __slots__ = ("partition", "writes")
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    WRITES_FIELD_NUMBER: _ClassVar[int]
    partition: int
    writes: _containers.RepeatedCompositeFieldContainer[Record]
    def __init__(self, partition: _Optional[int] = ..., writes: _Optional[_Iterable[_Union[Record, _Mapping]]] = ...) -> None: ...

class DecideRequest(_message.Message):
    __slots__ = ("txid", "commit", "writes")
    TXID_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    WRITES_FIELD_NUMBER: _ClassVar[int]
    txid: str
    commit: bool
    writes: _containers.RepeatedCompositeFieldContainer[PartitionWrites]
    def __init__(self, txid: _Optional[str] = ..., commit: _Optional[bool] = ..., writes: _Optional[_Iterable[_Union[PartitionWrites, _Mapping]]] = ...) -> None: ...

class DecideReply(_message.Message):
    __slots__ = ("status", "commit", "writes")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    WRITES_FIELD_NUMBER: _ClassVar[int]
    status: Status
    commit: bool
    writes: _containers.RepeatedCompositeFieldContainer[PartitionWrites]
    def __init__(self, status: _Optional[_Union[Status, str]] = ..., commit: _Optional[bool] = ..., writes: _Optional[_Iterable[_Union[PartitionWrites, _Mapping]]] = ...) -> None: ...

class ReadRequest(_message.Message):
    __slots__ = ("keys", "linearizable")
    KEYS_FIELD_NUMBER: _ClassVar[int]
    LINEARIZABLE_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[Key]
    linearizable: bool
    def __init__(self, keys: _Optional[_Iterable[_Union[Key, _Mapping]]] = ..., linearizable: _Optional[bool] = ...) -> None: ...

class ReadReply(_message.Message):
    __slots__ = ("status", "records", "applied_index")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    APPLIED_INDEX_FIELD_NUMBER: _ClassVar[int]
    status: Status
    records: _containers.RepeatedCompositeFieldContainer[Record]
    applied_index: int
    def __init__(self, status: _Optional[_Union[Status, str]] = ..., records: _Optional[_Iterable[_Union[Record, _Mapping]]] = ..., applied_index: _Optional[int] = ...) -> None: ...

class OrderLine(_message.Message):
    __slots__ = ("pid", "quantity")
    PID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    pid: str
    quantity: int
    def __init__(self, pid: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class ExecuteRequest(_message.Message):
    __slots__ = ("kind", "id", "cid", "data", "items")
    KIND_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    CID_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    kind: CommandKind
    id: str
    cid: str
    data: str
    items: _containers.RepeatedCompositeFieldContainer[OrderLine]
    def __init__(self, kind: _Optional[_Union[CommandKind, str]] = ..., id: _Optional[str] = ..., cid: _Optional[str] = ..., data: _Optional[str] = ..., items: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ...) -> None: ...

class ExecuteReply(_message.Message):
    __slots__ = ("status", "error", "description", "changed", "detail")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    status: Status
    error: int
    description: str
    changed: _containers.RepeatedCompositeFieldContainer[Key]
    detail: str
    def __init__(self, status: _Optional[_Union[Status, str]] = ..., error: _Optional[int] = ..., description: _Optional[str] = ..., changed: _Optional[_Iterable[_Union[Key, _Mapping]]] = ..., detail: _Optional[str] = ...) -> None: ...

class Step(_message.Message):
    __slots__ = ("prepare", "commit", "abort", "decide", "execute")
    PREPARE_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    ABORT_FIELD_NUMBER: _ClassVar[int]
    DECIDE_FIELD_NUMBER: _ClassVar[int]
    EXECUTE_FIELD_NUMBER: _ClassVar[int]
    prepare: PrepareRequest
    commit: CommitRequest
    abort: AbortRequest
    decide: DecideRequest
    execute: ExecuteRequest
    def __init__(self, prepare: _Optional[_Union[PrepareRequest, _Mapping]] = ..., commit: _Optional[_Union[CommitRequest, _Mapping]] = ..., abort: _Optional[_Union[AbortRequest, _Mapping]] = ..., decide: _Optional[_Union[DecideRequest, _Mapping]] = ..., execute: _Optional[_Union[ExecuteRequest, _Mapping]] = ...) -> None: ...

class StepReply(_message.Message):
    __slots__ = ("prepare", "ack", "decide", "execute")
    PREPARE_FIELD_NUMBER: _ClassVar[int]
    ACK_FIELD_NUMBER: _ClassVar[int]
    DECIDE_FIELD_NUMBER: _ClassVar[int]
    EXECUTE_FIELD_NUMBER: _ClassVar[int]
    prepare: PrepareReply
    ack: Ack
    decide: DecideReply
    execute: ExecuteReply
    def __init__(self, prepare: _Optional[_Union[PrepareReply, _Mapping]] = ..., ack: _Optional[_Union[Ack, _Mapping]] = ..., decide: _Optional[_Union[DecideReply, _Mapping]] = ..., execute: _Optional[_Union[ExecuteReply, _Mapping]] = ...) -> None: ...

class StepsRequest(_message.Message):
    __slots__ = ("steps",)
    STEPS_FIELD_NUMBER: _ClassVar[int]
    steps: _containers.RepeatedCompositeFieldContainer[Step]
    def __init__(self, steps: _Optional[_Iterable[_Union[Step, _Mapping]]] = ...) -> None: ...

class StepsReply(_message.Message):
    __slots__ = ("replies",)
    REPLIES_FIELD_NUMBER: _ClassVar[int]
    replies: _containers.RepeatedCompositeFieldContainer[StepReply]
    def __init__(self, replies: _Optional[_Iterable[_Union[StepReply, _Mapping]]] = ...) -> None: ...

class LeaderRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class LeaderReply(_message.Message):
    __slots__ = ("partition", "leader")
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    LEADER_FIELD_NUMBER: _ClassVar[int]
    partition: int
    leader: str
    def __init__(self, partition: _Optional[int] = ..., leader: _Optional[str] = ...) -> None: ...
