import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from pixhound_events.v1 import options_pb2 as _options_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PageEvidence(_message.Message):
    __slots__ = ("archive_key", "page_sha256", "fetched_at", "final_url", "server_ip", "http_status")
    ARCHIVE_KEY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SHA256_FIELD_NUMBER: _ClassVar[int]
    FETCHED_AT_FIELD_NUMBER: _ClassVar[int]
    FINAL_URL_FIELD_NUMBER: _ClassVar[int]
    SERVER_IP_FIELD_NUMBER: _ClassVar[int]
    HTTP_STATUS_FIELD_NUMBER: _ClassVar[int]
    archive_key: str
    page_sha256: str
    fetched_at: _timestamp_pb2.Timestamp
    final_url: str
    server_ip: str
    http_status: int
    def __init__(self, archive_key: _Optional[str] = ..., page_sha256: _Optional[str] = ..., fetched_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., final_url: _Optional[str] = ..., server_ip: _Optional[str] = ..., http_status: _Optional[int] = ...) -> None: ...

class ImageDiscovered(_message.Message):
    __slots__ = ("discovery_id", "crawl_id", "page_url", "image_url", "object_key", "image_sha256", "width", "height", "evidence", "site_id", "site_host")
    DISCOVERY_ID_FIELD_NUMBER: _ClassVar[int]
    CRAWL_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_URL_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    OBJECT_KEY_FIELD_NUMBER: _ClassVar[int]
    IMAGE_SHA256_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    SITE_ID_FIELD_NUMBER: _ClassVar[int]
    SITE_HOST_FIELD_NUMBER: _ClassVar[int]
    discovery_id: str
    crawl_id: str
    page_url: str
    image_url: str
    object_key: str
    image_sha256: str
    width: int
    height: int
    evidence: PageEvidence
    site_id: str
    site_host: str
    def __init__(self, discovery_id: _Optional[str] = ..., crawl_id: _Optional[str] = ..., page_url: _Optional[str] = ..., image_url: _Optional[str] = ..., object_key: _Optional[str] = ..., image_sha256: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., evidence: _Optional[_Union[PageEvidence, _Mapping]] = ..., site_id: _Optional[str] = ..., site_host: _Optional[str] = ...) -> None: ...

class CrawlCompleted(_message.Message):
    __slots__ = ("crawl_id", "pages_fetched", "images_found", "errors", "finished_at")
    CRAWL_ID_FIELD_NUMBER: _ClassVar[int]
    PAGES_FETCHED_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FOUND_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    crawl_id: str
    pages_fetched: int
    images_found: int
    errors: int
    finished_at: _timestamp_pb2.Timestamp
    def __init__(self, crawl_id: _Optional[str] = ..., pages_fetched: _Optional[int] = ..., images_found: _Optional[int] = ..., errors: _Optional[int] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
