from pixhound_events.v1 import options_pb2 as _options_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class AccountRegistered(_message.Message):
    __slots__ = ("account_id", "email", "display_name", "locale")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    email: str
    display_name: str
    locale: str
    def __init__(self, account_id: _Optional[str] = ..., email: _Optional[str] = ..., display_name: _Optional[str] = ..., locale: _Optional[str] = ...) -> None: ...

class AccountUpdated(_message.Message):
    __slots__ = ("account_id", "display_name", "locale")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    display_name: str
    locale: str
    def __init__(self, account_id: _Optional[str] = ..., display_name: _Optional[str] = ..., locale: _Optional[str] = ...) -> None: ...
