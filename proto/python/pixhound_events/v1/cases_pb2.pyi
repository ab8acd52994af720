import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from pixhound_events.v1 import options_pb2 as _options_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CaseOpened(_message.Message):
    __slots__ = ("case_id", "owner_id", "photo_id", "page_url", "image_url", "score", "state", "site_host")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PHOTO_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_URL_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SITE_HOST_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    owner_id: str
    photo_id: str
    page_url: str
    image_url: str
    score: float
    state: str
    site_host: str
    def __init__(self, case_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., photo_id: _Optional[str] = ..., page_url: _Optional[str] = ..., image_url: _Optional[str] = ..., score: _Optional[float] = ..., state: _Optional[str] = ..., site_host: _Optional[str] = ...) -> None: ...

class CaseStateChanged(_message.Message):
    __slots__ = ("case_id", "owner_id", "from_state", "to_state", "actor", "reason", "agency_id", "version", "note")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_STATE_FIELD_NUMBER: _ClassVar[int]
    TO_STATE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    owner_id: str
    from_state: str
    to_state: str
    actor: str
    reason: str
    agency_id: str
    version: int
    note: str
    def __init__(self, case_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., from_state: _Optional[str] = ..., to_state: _Optional[str] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ..., agency_id: _Optional[str] = ..., version: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class Amount(_message.Message):
    __slots__ = ("minor", "currency")
    MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    minor: int
    currency: str
    def __init__(self, minor: _Optional[int] = ..., currency: _Optional[str] = ...) -> None: ...

class OfferReceived(_message.Message):
    __slots__ = ("case_id", "owner_id", "agency_id", "offer_id", "amount", "floor", "needs_photographer_decision", "decision_deadline")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    FLOOR_FIELD_NUMBER: _ClassVar[int]
    NEEDS_PHOTOGRAPHER_DECISION_FIELD_NUMBER: _ClassVar[int]
    DECISION_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    owner_id: str
    agency_id: str
    offer_id: str
    amount: Amount
    floor: Amount
    needs_photographer_decision: bool
    decision_deadline: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., agency_id: _Optional[str] = ..., offer_id: _Optional[str] = ..., amount: _Optional[_Union[Amount, _Mapping]] = ..., floor: _Optional[_Union[Amount, _Mapping]] = ..., needs_photographer_decision: _Optional[bool] = ..., decision_deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentReceived(_message.Message):
    __slots__ = ("case_id", "owner_id", "agency_id", "payment_id", "gross", "vat", "agency_fee", "platform_commission", "photographer", "received_at", "payout_due_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    GROSS_FIELD_NUMBER: _ClassVar[int]
    VAT_FIELD_NUMBER: _ClassVar[int]
    AGENCY_FEE_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_COMMISSION_FIELD_NUMBER: _ClassVar[int]
    PHOTOGRAPHER_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    owner_id: str
    agency_id: str
    payment_id: str
    gross: Amount
    vat: Amount
    agency_fee: Amount
    platform_commission: Amount
    photographer: Amount
    received_at: _timestamp_pb2.Timestamp
    payout_due_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., agency_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., gross: _Optional[_Union[Amount, _Mapping]] = ..., vat: _Optional[_Union[Amount, _Mapping]] = ..., agency_fee: _Optional[_Union[Amount, _Mapping]] = ..., platform_commission: _Optional[_Union[Amount, _Mapping]] = ..., photographer: _Optional[_Union[Amount, _Mapping]] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., payout_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PayoutDue(_message.Message):
    __slots__ = ("case_id", "owner_id", "agency_id", "payout_id", "amount", "due_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    owner_id: str
    agency_id: str
    payout_id: str
    amount: Amount
    due_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., agency_id: _Optional[str] = ..., payout_id: _Optional[str] = ..., amount: _Optional[_Union[Amount, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PayoutOverdue(_message.Message):
    __slots__ = ("case_id", "owner_id", "agency_id", "payout_id", "amount", "due_at", "days_overdue", "escalation_level")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    DAYS_OVERDUE_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_LEVEL_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    owner_id: str
    agency_id: str
    payout_id: str
    amount: Amount
    due_at: _timestamp_pb2.Timestamp
    days_overdue: int
    escalation_level: int
    def __init__(self, case_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., agency_id: _Optional[str] = ..., payout_id: _Optional[str] = ..., amount: _Optional[_Union[Amount, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., days_overdue: _Optional[int] = ..., escalation_level: _Optional[int] = ...) -> None: ...

class PaidOut(_message.Message):
    __slots__ = ("case_id", "owner_id", "agency_id", "payout_id", "amount", "paid_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAID_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    owner_id: str
    agency_id: str
    payout_id: str
    amount: Amount
    paid_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., agency_id: _Optional[str] = ..., payout_id: _Optional[str] = ..., amount: _Optional[_Union[Amount, _Mapping]] = ..., paid_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
