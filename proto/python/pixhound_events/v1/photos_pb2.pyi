from pixhound_events.v1 import options_pb2 as _options_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Authorship(_message.Message):
    __slots__ = ("creator", "copyright", "credit", "source", "captured_at")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    COPYRIGHT_FIELD_NUMBER: _ClassVar[int]
    CREDIT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CAPTURED_AT_FIELD_NUMBER: _ClassVar[int]
    creator: str
    copyright: str
    credit: str
    source: str
    captured_at: str
    def __init__(self, creator: _Optional[str] = ..., copyright: _Optional[str] = ..., credit: _Optional[str] = ..., source: _Optional[str] = ..., captured_at: _Optional[str] = ...) -> None: ...

class PhotoIngested(_message.Message):
    __slots__ = ("photo_id", "owner_id", "object_key", "sha256", "content_type", "byte_size", "width", "height", "filename", "title", "authorship")
    PHOTO_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    OBJECT_KEY_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    BYTE_SIZE_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    AUTHORSHIP_FIELD_NUMBER: _ClassVar[int]
    photo_id: str
    owner_id: str
    object_key: str
    sha256: str
    content_type: str
    byte_size: int
    width: int
    height: int
    filename: str
    title: str
    authorship: Authorship
    def __init__(self, photo_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., object_key: _Optional[str] = ..., sha256: _Optional[str] = ..., content_type: _Optional[str] = ..., byte_size: _Optional[int] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., filename: _Optional[str] = ..., title: _Optional[str] = ..., authorship: _Optional[_Union[Authorship, _Mapping]] = ...) -> None: ...

class PhotoDetailsChanged(_message.Message):
    __slots__ = ("photo_id", "owner_id", "title", "authorship")
    PHOTO_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    AUTHORSHIP_FIELD_NUMBER: _ClassVar[int]
    photo_id: str
    owner_id: str
    title: str
    authorship: Authorship
    def __init__(self, photo_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., title: _Optional[str] = ..., authorship: _Optional[_Union[Authorship, _Mapping]] = ...) -> None: ...
