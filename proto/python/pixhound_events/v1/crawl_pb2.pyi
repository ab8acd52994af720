import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from pixhound_events.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
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

class CompanyId(_message.Message):
    __slots__ = ("type", "value", "valid")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    type: str
    value: str
    valid: bool
    def __init__(self, type: _Optional[str] = ..., value: _Optional[str] = ..., valid: _Optional[bool] = ...) -> None: ...

class SiteIdentified(_message.Message):
    __slots__ = ("host", "name", "legal_form", "address", "emails", "phones", "company_ids", "country", "language", "commercial", "actionability", "reasons", "evidence_pages", "identified_at")
    HOST_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LEGAL_FORM_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    PHONES_FIELD_NUMBER: _ClassVar[int]
    COMPANY_IDS_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    COMMERCIAL_FIELD_NUMBER: _ClassVar[int]
    ACTIONABILITY_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_PAGES_FIELD_NUMBER: _ClassVar[int]
    IDENTIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    host: str
    name: str
    legal_form: str
    address: str
    emails: _containers.RepeatedScalarFieldContainer[str]
    phones: _containers.RepeatedScalarFieldContainer[str]
    company_ids: _containers.RepeatedCompositeFieldContainer[CompanyId]
    country: str
    language: str
    commercial: bool
    actionability: float
    reasons: _containers.RepeatedScalarFieldContainer[str]
    evidence_pages: _containers.RepeatedScalarFieldContainer[str]
    identified_at: _timestamp_pb2.Timestamp
    def __init__(self, host: _Optional[str] = ..., name: _Optional[str] = ..., legal_form: _Optional[str] = ..., address: _Optional[str] = ..., emails: _Optional[_Iterable[str]] = ..., phones: _Optional[_Iterable[str]] = ..., company_ids: _Optional[_Iterable[_Union[CompanyId, _Mapping]]] = ..., country: _Optional[str] = ..., language: _Optional[str] = ..., commercial: _Optional[bool] = ..., actionability: _Optional[float] = ..., reasons: _Optional[_Iterable[str]] = ..., evidence_pages: _Optional[_Iterable[str]] = ..., identified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CopyChecked(_message.Message):
    __slots__ = ("page_url", "image_url", "status", "checked_at", "removed_at")
    PAGE_URL_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHECKED_AT_FIELD_NUMBER: _ClassVar[int]
    REMOVED_AT_FIELD_NUMBER: _ClassVar[int]
    page_url: str
    image_url: str
    status: str
    checked_at: _timestamp_pb2.Timestamp
    removed_at: _timestamp_pb2.Timestamp
    def __init__(self, page_url: _Optional[str] = ..., image_url: _Optional[str] = ..., status: _Optional[str] = ..., checked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., removed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
