"""The photographer-facing cases API: my matches and my cases, always scoped to the caller."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from pixhound_cases import store
from pixhound_platform.app import SessionDep
from pixhound_platform.auth import PhotographerDep
from pixhound_platform.problems import Problem

router = APIRouter(prefix="/v1")


class TransitionOut(BaseModel):
    from_state: str | None
    to_state: str
    actor: str
    reason: str
    at: datetime


class CaseOut(BaseModel):
    id: str
    photo_id: str
    match_id: str
    page_url: str
    image_url: str
    score: float
    state: str
    version: int
    created_at: datetime
    updated_at: datetime


class CaseDetail(CaseOut):
    timeline: list[TransitionOut]


class CasePage(BaseModel):
    items: list[CaseOut]
    limit: int
    offset: int


class MatchOut(BaseModel):
    id: str
    photo_id: str
    page_url: str
    image_url: str
    site_host: str
    score: float
    occurrences: int
    first_seen_at: datetime
    last_seen_at: datetime


class MatchPage(BaseModel):
    items: list[MatchOut]
    limit: int
    offset: int


def _case_out(row) -> CaseOut:
    return CaseOut(**{name: getattr(row, name) for name in CaseOut.model_fields})


@router.get("/cases", response_model=CasePage, tags=["cases"], summary="List my cases")
async def list_cases(
    photographer: PhotographerDep,
    session: SessionDep,
    photo_id: str | None = None,
    state: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CasePage:
    query = select(store.cases).where(store.cases.c.owner_id == photographer.account_id)
    if photo_id:
        query = query.where(store.cases.c.photo_id == photo_id)
    if state:
        query = query.where(store.cases.c.state == state)
    rows = (
        await session.execute(
            query.order_by(store.cases.c.created_at.desc(), store.cases.c.id).limit(limit).offset(offset)
        )
    ).all()
    return CasePage(items=[_case_out(row) for row in rows], limit=limit, offset=offset)


@router.get("/cases/{case_id}", response_model=CaseDetail, tags=["cases"], summary="One of my cases with its timeline")
async def get_case(case_id: str, photographer: PhotographerDep, session: SessionDep) -> CaseDetail:
    row = (
        await session.execute(
            select(store.cases).where(store.cases.c.id == case_id, store.cases.c.owner_id == photographer.account_id)
        )
    ).first()
    if row is None:
        raise Problem(404, "case-not-found", "No such case in your account.")
    timeline = (
        await session.execute(
            select(store.transitions).where(store.transitions.c.case_id == case_id).order_by(store.transitions.c.at)
        )
    ).all()
    return CaseDetail(
        **_case_out(row).model_dump(),
        timeline=[
            TransitionOut(from_state=t.from_state, to_state=t.to_state, actor=t.actor, reason=t.reason, at=t.at)
            for t in timeline
        ],
    )


@router.get("/matches", response_model=MatchPage, tags=["matches"], summary="List my matches")
async def list_matches(
    photographer: PhotographerDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> MatchPage:
    query = (
        select(store.matches)
        .where(store.matches.c.owner_id == photographer.account_id)
        .order_by(store.matches.c.score.desc(), store.matches.c.id)
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(query)).all()
    return MatchPage(
        items=[MatchOut(**{name: getattr(row, name) for name in MatchOut.model_fields}) for row in rows],
        limit=limit,
        offset=offset,
    )
