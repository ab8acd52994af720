"""The notifier's HTTP API: a photographer's in-app notifications and how they want to be notified.

Preferences are replaced as a whole (`PUT`): the portal shows every kind, as `GET`
returns it, and sends the list back; a kind left out returns to its default, and an
omitted or null `digest_hour_utc` follows the service's default hour.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select, update

from pixhound_notifier import domain, store
from pixhound_platform.app import RuntimeDep, SessionDep
from pixhound_platform.auth import PhotographerDep
from pixhound_platform.db import utcnow
from pixhound_platform.problems import Problem

router = APIRouter(prefix="/v1")


class NotificationOut(BaseModel):
    id: str
    kind: str
    subject_id: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None
    email_status: str | None
    channel: str


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    unread: int
    limit: int
    offset: int


class UnreadCount(BaseModel):
    unread: int


class ChannelChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: domain.Kind
    channel: domain.Channel = Field(
        description="instant: in-app and email at once; digest: in-app at once, email in the daily digest; "
        "in_app: no email"
    )


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ChannelChoice] = Field(description="Channels per kind; a kind left out returns to its default")
    digest_hour_utc: int | None = Field(
        default=None, ge=0, le=23, description="Hour (UTC) of the daily digest; null follows the service default"
    )

    @field_validator("items")
    @classmethod
    def _each_kind_once(cls, items: list[ChannelChoice]) -> list[ChannelChoice]:
        kinds = [item.kind for item in items]
        repeated = sorted({kind for kind in kinds if kinds.count(kind) > 1})
        if repeated:
            raise ValueError(f"each kind may be listed once; repeated: {', '.join(repeated)}")
        return items


class PreferencesOut(BaseModel):
    items: list[ChannelChoice]
    digest_hour_utc: int


@router.get(
    "/notifications",
    response_model=NotificationPage,
    tags=["notifications"],
    summary="My notifications, newest first",
)
async def list_notifications(
    photographer: PhotographerDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> NotificationPage:
    n, d = store.notifications, store.email_deliveries
    query = (
        select(n, d.c.status.label("email_status"))
        .outerjoin(d, d.c.notification_id == n.c.id)
        .where(n.c.account_id == photographer.account_id)
        .order_by(n.c.created_at.desc(), n.c.id)
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(query)).all()
    return NotificationPage(
        items=[NotificationOut(**{name: getattr(row, name) for name in NotificationOut.model_fields}) for row in rows],
        unread=await store.unread_count(session, photographer.account_id),
        limit=limit,
        offset=offset,
    )


@router.get(
    "/notifications/unread-count",
    response_model=UnreadCount,
    tags=["notifications"],
    summary="How many of my notifications are unread (for a badge)",
)
async def unread_count(photographer: PhotographerDep, session: SessionDep) -> UnreadCount:
    return UnreadCount(unread=await store.unread_count(session, photographer.account_id))


@router.post(
    "/notifications/read-all",
    status_code=204,
    tags=["notifications"],
    summary="Mark all my notifications as read (read ones are left out of the digest)",
)
async def mark_all_read(photographer: PhotographerDep, session: SessionDep) -> None:
    await store.mark_all_read(session, photographer.account_id)


@router.post(
    "/notifications/{notification_id}/read",
    status_code=204,
    tags=["notifications"],
    summary="Mark a notification as read",
)
async def mark_read(notification_id: str, photographer: PhotographerDep, session: SessionDep) -> None:
    n = store.notifications
    result = await session.execute(
        update(n).where(n.c.id == notification_id, n.c.account_id == photographer.account_id).values(read_at=utcnow())
    )
    if result.rowcount == 0:
        raise Problem(404, "notification-not-found", "No such notification in your account.")


async def _preferences(runtime, session, account_id: str) -> PreferencesOut:
    row = await store.preferences_of(session, account_id)
    channels = domain.channels_with_defaults(dict(row.channels) if row is not None else {})
    hour = row.digest_hour_utc if row is not None else None
    return PreferencesOut(
        items=[ChannelChoice(kind=kind, channel=channel) for kind, channel in channels.items()],
        digest_hour_utc=runtime.settings.digest_hour_utc if hour is None else hour,
    )


@router.get(
    "/preferences",
    response_model=PreferencesOut,
    tags=["preferences"],
    summary="How I am notified of each kind of event, defaults filled in",
)
async def get_preferences(photographer: PhotographerDep, runtime: RuntimeDep, session: SessionDep) -> PreferencesOut:
    return await _preferences(runtime, session, photographer.account_id)


@router.put(
    "/preferences",
    response_model=PreferencesOut,
    tags=["preferences"],
    summary="Choose how I am notified of each kind of event (replaces my preferences)",
)
async def put_preferences(
    body: PreferencesIn, photographer: PhotographerDep, runtime: RuntimeDep, session: SessionDep
) -> PreferencesOut:
    channels = {item.kind: item.channel for item in body.items}
    await store.save_preferences(session, photographer.account_id, channels, body.digest_hour_utc)
    return await _preferences(runtime, session, photographer.account_id)
