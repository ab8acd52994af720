from pixhound_events.v1 import options_pb2 as _options_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class CaseOpened(_message.Message):
    __slots__ = ("case_id", "owner_id", "photo_id", "page_url", "image_url", "score", "state")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PHOTO_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_URL_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    owner_id: str
    photo_id: str
    page_url: str
    image_url: str
    score: float
    state: str
    def __init__(self, case_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., photo_id: _Optional[str] = ..., page_url: _Optional[str] = ..., image_url: _Optional[str] = ..., score: _Optional[float] = ..., state: _Optional[str] = ...) -> None: ...

class CaseStateChanged(_message.Message):
    __slots__ = ("case_id", "owner_id", "from_state", "to_state", "actor", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_STATE_FIELD_NUMBER: _ClassVar[int]
    TO_STATE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    owner_id: str
    from_state: str
    to_state: str
    actor: str
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., from_state: _Optional[str] = ..., to_state: _Optional[str] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...
