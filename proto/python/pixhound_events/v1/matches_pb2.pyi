import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from pixhound_events.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SignalEvidence(_message.Message):
    __slots__ = ("signal", "distance", "threshold")
    SIGNAL_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    signal: str
    distance: float
    threshold: float
    def __init__(self, signal: _Optional[str] = ..., distance: _Optional[float] = ..., threshold: _Optional[float] = ...) -> None: ...

class MatchRegion(_message.Message):
    __slots__ = ("x", "y", "width", "height")
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    x: float
    y: float
    width: float
    height: float
    def __init__(self, x: _Optional[float] = ..., y: _Optional[float] = ..., width: _Optional[float] = ..., height: _Optional[float] = ...) -> None: ...

class MatchFound(_message.Message):
    __slots__ = ("match_id", "photo_id", "owner_id", "discovery_id", "page_url", "image_url", "image_object_key", "score", "signals", "site_id", "site_host", "evidence_key", "image_sha256", "page_sha256", "fetched_at", "inliers", "region", "transforms", "shard", "shard_count", "copy_region")
    MATCH_ID_FIELD_NUMBER: _ClassVar[int]
    PHOTO_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DISCOVERY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_URL_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    IMAGE_OBJECT_KEY_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SIGNALS_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    SITE_HOST_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_KEY_FIELD_NUMBER: _ClassVar[int]
    IMAGE_SHA256_FIELD_NUMBER: _ClassVar[int]
    PAGE_SHA256_FIELD_NUMBER: _ClassVar[int]
    FETCHED_AT_FIELD_NUMBER: _ClassVar[int]
    INLIERS_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    TRANSFORMS_FIELD_NUMBER: _ClassVar[int]
    SHARD_FIELD_NUMBER: _ClassVar[int]
    SHARD_COUNT_FIELD_NUMBER: _ClassVar[int]
    COPY_REGION_FIELD_NUMBER: _ClassVar[int]
    match_id: str
    photo_id: str
    owner_id: str
    discovery_id: str
    page_url: str
    image_url: str
    image_object_key: str
    score: float
    signals: _containers.RepeatedCompositeFieldContainer[SignalEvidence]
    site_id: str
    site_host: str
    evidence_key: str
    image_sha256: str
    page_sha256: str
    fetched_at: _timestamp_pb2.Timestamp
    inliers: int
    region: MatchRegion
    transforms: _containers.RepeatedScalarFieldContainer[str]
    shard: int
    shard_count: int
    copy_region: MatchRegion
    def __init__(self, match_id: _Optional[str] = ..., photo_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., discovery_id: _Optional[str] = ..., page_url: _Optional[str] = ..., image_url: _Optional[str] = ..., image_object_key: _Optional[str] = ..., score: _Optional[float] = ..., signals: _Optional[_Iterable[_Union[SignalEvidence, _Mapping]]] = ..., site_id: _Optional[str] = ..., site_host: _Optional[str] = ..., evidence_key: _Optional[str] = ..., image_sha256: _Optional[str] = ..., page_sha256: _Optional[str] = ..., fetched_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., inliers: _Optional[int] = ..., region: _Optional[_Union[MatchRegion, _Mapping]] = ..., transforms: _Optional[_Iterable[str]] = ..., shard: _Optional[int] = ..., shard_count: _Optional[int] = ..., copy_region: _Optional[_Union[MatchRegion, _Mapping]] = ...) -> None: ...
