"""Mapping from ingest's records to the events it publishes.

Change events carry the record's whole current state, not a diff, so a consumer that
keeps a copy only overwrites it and never depends on having seen the previous change.
"""

from __future__ import annotations

from pixhound_events.v1 import accounts_pb2, photos_pb2
from pixhound_ingest.domain import PhotoFacts

PUBLISHES = ["pixhound.accounts.v1", "pixhound.photos.v1"]


def account_registered(
    *, account_id: str, email: str, display_name: str, locale: str
) -> accounts_pb2.AccountRegistered:
    return accounts_pb2.AccountRegistered(account_id=account_id, email=email, display_name=display_name, locale=locale)


def account_updated(*, account_id: str, display_name: str, locale: str) -> accounts_pb2.AccountUpdated:
    return accounts_pb2.AccountUpdated(account_id=account_id, display_name=display_name, locale=locale)


def photo_ingested(
    *, photo_id: str, owner_id: str, object_key: str, facts: PhotoFacts, filename: str, title: str
) -> photos_pb2.PhotoIngested:
    return photos_pb2.PhotoIngested(
        photo_id=photo_id,
        owner_id=owner_id,
        object_key=object_key,
        sha256=facts.sha256,
        content_type=facts.content_type,
        byte_size=facts.byte_size,
        width=facts.width,
        height=facts.height,
        filename=filename,
        title=title,
        authorship=photos_pb2.Authorship(
            creator=facts.authorship.creator,
            copyright=facts.authorship.copyright,
            credit=facts.authorship.credit,
            source=facts.authorship.source,
            captured_at=facts.authorship.captured_at,
        ),
    )


def photo_details_changed(photo) -> photos_pb2.PhotoDetailsChanged:
    """From a `photos` row after the change."""
    return photos_pb2.PhotoDetailsChanged(
        photo_id=photo.id,
        owner_id=photo.owner_id,
        title=photo.title,
        authorship=photos_pb2.Authorship(
            creator=photo.creator,
            copyright=photo.copyright,
            credit=photo.credit,
            source=photo.source,
            captured_at=photo.captured_at,
        ),
    )
