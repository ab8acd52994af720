"""The notifier's HTTP API: a photographer's in-app notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import func, select, update

from pixhound_notifier import store
from pixhound_platform.app import SessionDep
from pixhound_platform.auth import PhotographerDep
from pixhound_platform.db import utcnow
from pixhound_platform.problems import Problem

router = APIRouter(prefix="/v1", tags=["notifications"])


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


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    unread: int
    limit: int
    offset: int


@router.get("/notifications", response_model=NotificationPage, summary="My notifications, newest first")
async def list_notifications(
    photographer: PhotographerDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
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
    unread = (
        await session.execute(
            select(func.count()).where(n.c.account_id == photographer.account_id, n.c.read_at.is_(None))
        )
    ).scalar_one()
    return NotificationPage(
        items=[NotificationOut(**{name: getattr(row, name) for name in NotificationOut.model_fields}) for row in rows],
        unread=unread,
        limit=limit,
        offset=offset,
    )


@router.post("/notifications/{notification_id}/read", status_code=204, summary="Mark a notification as read")
async def mark_read(notification_id: str, photographer: PhotographerDep, session: SessionDep) -> None:
    n = store.notifications
    result = await session.execute(
        update(n).where(n.c.id == notification_id, n.c.account_id == photographer.account_id).values(read_at=utcnow())
    )
    if result.rowcount == 0:
        raise Problem(404, "notification-not-found", "No such notification in your account.")
